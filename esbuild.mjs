// Builds the three bundles: the extension (cjs, `vscode` external), the CLI (plain node, `vscode` NOT
// external, so a core module that imports it fails the build), and the webview (browser ESM).
// `--tests` instead builds the extension-host mocha suite (test/vscode/*.ts -> out/test/vscode/*.js).
// Usage: node esbuild.mjs [--watch] [--production] | node esbuild.mjs --tests
import * as esbuild from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { precompiledValidators } from './build/precompiled-validators.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';

/** Native, optional pieces of ssh2 that it loads inside try/catch; the pure-JS fallbacks are used. */
const optionalNative = ['cpu-features', '*.node'];

/** Fails the CLI build with a readable message when anything reachable from it imports `vscode`. */
const forbidVscode = {
  name: 'forbid-vscode',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => ({
      errors: [{
        text: `The core must not import 'vscode' (imported by ${args.importer}). ` +
          'Move VS Code code to src/vscode and pass what the core needs as plain values.',
      }],
    }));
  },
};

/**
 * The ajv validators, precompiled once per build, for the CLI: each command that validates is a new process, which
 * would otherwise compile them every time (~200 ms). The extension compiles them once per session, lazily, and keeps
 * its bundle ~430 KB smaller for it.
 */
const validators = precompiledValidators();

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'info',
  metafile: true,
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...optionalNative],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: optionalNative,
    banner: { js: '#!/usr/bin/env node' },
    plugins: [forbidVscode, validators],
  },
  {
    // The AWS backend and its SDK: loaded by src/backends/aws/lazy.ts only when AWS is configured.
    ...common,
    entryPoints: { aws: 'src/backends/aws/aws-backend.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [forbidVscode],
  },
  {
    // The Kubernetes backend and @kubernetes/client-node: loaded by src/backends/kubernetes/lazy.ts only when configured.
    ...common,
    entryPoints: { kubernetes: 'src/backends/kubernetes/kubernetes-backend.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: optionalNative,
    plugins: [forbidVscode],
  },
  {
    ...common,
    entryPoints: { main: 'webview-ui/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
];

/** The extension-host suite: one cjs file per test file plus the mocha runner (index), run inside VS Code. */
const extensionHostTests = () => ({
  ...common,
  sourcemap: 'inline',
  entryPoints: readdirSync('test/vscode').filter((f) => f.endsWith('.ts')).map((f) => `test/vscode/${f}`),
  outdir: 'out/test/vscode',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha', ...optionalNative],
  logLevel: 'warning',
});

mkdirSync('dist', { recursive: true });
if (process.argv.includes('--tests')) {
  rmSync('out/test/vscode', { recursive: true, force: true });
  await esbuild.build(extensionHostTests());
} else if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
  const sizes = results.map((r) => Object.entries(r.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, out]) => ({ file, bytes: out.bytes }))).flat();
  writeFileSync('dist/bundle-sizes.json', JSON.stringify(sizes, null, 2) + '\n');
}
