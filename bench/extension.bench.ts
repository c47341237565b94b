// The extension bundle and its activation: the minified production build of src/extension.ts (as
// `npm run package` ships it; the CLI bundle beside it has ajv's validators precompiled) beside the CLI bundle, checked for cloud
// SDKs (they load lazily from their own chunks), and the time to require the bundle and run activate() in a fresh Node
// process (a stub `vscode` module; real orchestrator over a temp state dir) beside requiring `yaml` alone.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { percentile, report } from './report';

const ROOT = path.resolve(__dirname, '..');
const TARGET_BYTES = 1.5 * 1024 * 1024;
/** Packages that must never be in the extension bundle (loaded from separate chunks on first use). */
const CLOUD_SDKS = ['@aws-sdk/', '@smithy/', '@kubernetes/client-node', '@google-cloud/', '@azure/'];

async function bundle(entry: string, outfile: string, external: string[], precompiled: boolean): Promise<esbuild.Metafile> {
  const { precompiledValidators } = await import('../build/precompiled-validators.mjs');
  const result = await esbuild.build({
    absWorkingDir: ROOT, entryPoints: [entry], outfile, bundle: true, minify: true, sourcemap: false, legalComments: 'none',
    platform: 'node', format: 'cjs', target: 'node20', metafile: true, logLevel: 'silent', external: [...external, 'cpu-features', '*.node'],
    plugins: precompiled ? [precompiledValidators()] : [],
  });
  return result.metafile;
}

/** The child process: stub `vscode`, time require + activate, print JSON. */
const CHILD = String.raw`
const Module = require('node:module');
const path = require('node:path');
const t = () => Number(process.hrtime.bigint()) / 1e6;
const [bundlePath, mode, stateDir] = process.argv.slice(1);
if (mode === 'baseline') { const t0 = t(); require(require.resolve('yaml', { paths: [process.cwd()] })); console.log(JSON.stringify({ requireMs: t() - t0, activateMs: 0 })); process.exit(0); }
const handler = { get: (target, key) => key === Symbol.toPrimitive ? () => '' : key === 'then' ? (res) => Promise.resolve(undefined).then(res) : (target[key] ?? stub()),
  set: () => true, apply: () => stub(), construct: () => new Proxy({}, handler) };
function stub() { return new Proxy(function () {}, handler); }
const uri = (p) => ({ fsPath: p, path: p, scheme: 'file', toString: () => 'file://' + p });
// Every name @types/vscode exports, as a stub, so the bundle's namespace import sees them as own keys.
const dts = require('node:fs').readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [process.cwd()] }), 'utf8');
const vscode = {};
for (const m of dts.matchAll(/export (?:declare )?(?:class|enum|namespace|const|let|function) (\w+)/g)) vscode[m[1]] = stub();
Object.assign(vscode, {
  version: '1.100.0',
  Uri: { file: uri, joinPath: (u, ...parts) => uri(path.join(u.fsPath, ...parts)), parse: (s) => uri(s.replace(/^file:\/\//, '')) },
  workspace: new Proxy({ workspaceFolders: undefined, textDocuments: [], getConfiguration: () => ({ get: (_k, d) => d }) }, handler),
  env: new Proxy({ appRoot: '/nonexistent', remoteName: undefined }, handler),
});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
require.cache['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
process.env.DSTACK_VSC_STATE_DIR = stateDir;
const context = { subscriptions: [], extensionUri: uri(path.dirname(path.dirname(bundlePath))), globalStorageUri: uri(path.join(stateDir, 'User', 'globalStorage', 'x')),
  secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: () => ({ dispose() {} }) } };
const t0 = t();
const ext = require(bundlePath);
const t1 = t();
let api;
try { api = ext.activate(context); } catch (err) { console.error(err.stack); process.exit(2); }
const t2 = t();
if (!api || !Array.isArray(api.commandIds) || api.commandIds.length === 0) throw new Error('activate() returned no API');
for (const d of context.subscriptions) { try { d.dispose(); } catch {} }
console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1 }));
setTimeout(() => process.exit(0), 50);
`;

function child(bundlePath: string, mode: 'extension' | 'baseline'): { requireMs: number; activateMs: number } {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-bench-activate-'));
  try {
    const out = execFileSync(process.execPath, ['-e', CHILD, bundlePath, mode, stateDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { requireMs: number; activateMs: number };
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Prints the bundle size, the cloud SDK check and the activation time. */
export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-bench-bundle-'));
  try {
    const extOut = path.join(dir, 'dist', 'extension.js');
    const meta = await bundle('src/extension.ts', extOut, ['vscode'], false);
    await bundle('src/cli/main.ts', path.join(dir, 'dist', 'cli.js'), [], true);
    const size = fs.statSync(extOut).size;
    const cliSize = fs.statSync(path.join(dir, 'dist', 'cli.js')).size;
    report({ name: 'extension bundle (minified, production)', value: size / 1024, unit: 'KiB', baseline: { name: 'CLI bundle, same build', value: cliSize / 1024 },
      target: '<= 1536 KiB', met: size <= TARGET_BYTES });
    const inputs = Object.keys(meta.inputs);
    const sdks = inputs.filter((i) => CLOUD_SDKS.some((s) => i.includes(`node_modules/${s}`)));
    const nodeModules = inputs.filter((i) => i.includes('node_modules/'));
    report({ name: 'cloud SDK modules inside the extension bundle', value: sdks.length, unit: 'files', baseline: { name: 'node_modules files bundled', value: nodeModules.length },
      target: '0 (separate chunks)', met: sdks.length === 0 });
    if (sdks.length > 0) console.log(`  cloud SDK files bundled eagerly, e.g. ${sdks.slice(0, 3).join(', ')}`);
    const top = new Map<string, number>();
    for (const [file, input] of Object.entries(meta.outputs[path.relative(ROOT, extOut)]?.inputs ?? {})) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'src';
      top.set(pkg, (top.get(pkg) ?? 0) + input.bytesInOutput);
    }
    console.log(`  largest parts: ${[...top].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([p, b]) => `${p} ${(b / 1024).toFixed(0)} KiB`).join(', ')}`);
    const runs = 5;
    const ext = Array.from({ length: runs }, () => child(extOut, 'extension'));
    const base = Array.from({ length: runs }, () => child(extOut, 'baseline'));
    const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    const baseline = { name: 'require("yaml") alone', value: percentile(sorted(base.map((b) => b.requireMs)), 50) };
    report({ name: `require(dist/extension.js), median of ${runs}`, value: percentile(sorted(ext.map((e) => e.requireMs)), 50), unit: 'ms', baseline });
    report({ name: `activate(), median of ${runs}`, value: percentile(sorted(ext.map((e) => e.activateMs)), 50), unit: 'ms', baseline });
    report({ name: `require + activate, median of ${runs}`, value: percentile(sorted(ext.map((e) => e.requireMs + e.activateMs)), 50), unit: 'ms', baseline, target: '<= 500 ms', met: percentile(sorted(ext.map((e) => e.requireMs + e.activateMs)), 50) <= 500 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
