// esbuild plugin: bundles get the ajv validators precompiled. src/schema/ajv-validators.ts (which compiles them on first
// use, as the sources and tests run it) is replaced by the code src/schema/standalone-validators.ts generates with ajv's
// standalone generator from the same schemas and options, so dist/cli.js and dist/extension.js never compile a schema.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = 'src/schema/standalone-validators.ts';
/** The module the plugin replaces. */
const REPLACED = /[\\/]src[\\/]schema[\\/]ajv-validators\.ts$/;

/** Bundles the generator (TypeScript, with the field table) in memory and runs it: the module's source and the files it read. */
async function generate() {
  const result = await esbuild.build({
    absWorkingDir: ROOT, entryPoints: [GENERATOR], bundle: true, write: false, platform: 'node', format: 'cjs',
    target: 'node20', packages: 'external', metafile: true, logLevel: 'silent',
  });
  const module = { exports: {} };
  const run = vm.runInThisContext(`(function (module, exports, require) {${result.outputFiles[0].text}\n})`, { filename: `${GENERATOR} (bundled)` });
  run(module, module.exports, createRequire(path.join(ROOT, GENERATOR)));
  // Minified even in development builds: nobody reads the generated code, and every command pays for parsing it.
  const { code } = await esbuild.transform(module.exports.standaloneValidatorsCode(), { loader: 'js', format: 'esm', minify: true, target: 'node20' });
  return { contents: code, watchFiles: Object.keys(result.metafile.inputs).map((f) => path.join(ROOT, f)) };
}

/** The plugin; one instance may serve several builds at once (the code is generated once per build start). */
export function precompiledValidators() {
  let generated;
  return {
    name: 'precompiled-validators',
    setup(build) {
      build.onStart(() => { generated = undefined; });
      build.onLoad({ filter: REPLACED }, async () => {
        generated ??= generate();
        const { contents, watchFiles } = await generated;
        return { contents, loader: 'js', resolveDir: ROOT, watchFiles };
      });
    },
  };
}
