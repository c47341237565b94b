// The BUNDLED CLI (dist/cli.js, what the README's commands and the package's `bin` run) under plain `node`: no tsx,
// no node_modules lookups of the sources. Built first when missing or older than the sources.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { catalogOffers } from '../../src/backends/catalog';
import { COMMANDS } from '../../src/cli/commands';
import { ROOT, run } from './temp-copy';

const CLI = path.join(ROOT, 'dist/cli.js');

const PROBE_MARK = 'FUNCTIONS MADE FROM SOURCE: ';
/** A `--require` probe: records the source of every function made with `Function` (how ajv compiles a validator). */
const FUNCTION_PROBE = `const made = [];
const Original = Function;
globalThis.Function = new Proxy(Original, {
  construct: (target, args) => { made.push(String(args.at(-1))); return Reflect.construct(target, args); },
  apply: (target, self, args) => { made.push(String(args.at(-1))); return Reflect.apply(target, self, args); },
});
process.on('exit', () => process.stderr.write('\\n${PROBE_MARK}' + JSON.stringify(made) + '\\n'));
`;
/** The probe's report: the sources of the functions a run made, and its stderr without the report. */
function probed(stderr: string): { made: string[]; stderr: string } {
  const at = stderr.lastIndexOf(`\n${PROBE_MARK}`);
  assert.ok(at >= 0, `the probe reported: ${stderr}`);
  return { made: JSON.parse(stderr.slice(at + 1 + PROBE_MARK.length)) as string[], stderr: stderr.slice(0, at) };
}

/** The newest modification time of the bundle's inputs (sources, manifest, lock file, build script). */
function newestInput(): number {
  let newest = 0;
  const visit = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'build', 'package.json', 'package-lock.json', 'esbuild.mjs']) visit(path.join(ROOT, p));
  return newest;
}

describe('the bundled CLI (node dist/cli.js)', function () {
  this.timeout(180_000);
  let home: string;

  /** Runs the bundle with plain node in a clean environment (own HOME and state dir, no DSTACK_VSC_* from outside). */
  function cli(args: string[], nodeArgs: string[] = [CLI]): { status: number | null; stdout: string; stderr: string } {
    const env = { PATH: process.env['PATH'] ?? '', HOME: home, DSTACK_VSC_STATE_DIR: path.join(home, 'state'), NO_COLOR: '1' };
    const r = spawnSync(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  before(() => {
    if (!fs.existsSync(CLI) || fs.statSync(CLI).mtimeMs < newestInput()) {
      const { status, output } = run(ROOT, process.execPath, ['esbuild.mjs']);
      assert.equal(status, 0, output);
    }
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('is a self-contained node script: shebang, executable, no require of the TypeScript sources', () => {
    const text = fs.readFileSync(CLI, 'utf8');
    assert.ok(text.startsWith('#!/usr/bin/env node\n'));
    assert.ok((fs.statSync(CLI).mode & 0o111) !== 0, 'executable');
    assert.doesNotMatch(text, /require\(["'][^"']*src\/[^"']*\.ts["']\)/);
  });

  it('validate examples/dev.dstack.yml: ok, exit 0; an invalid file: file:line:col: message, exit 1', () => {
    const ok = cli(['validate', 'examples/dev.dstack.yml']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'examples/dev.dstack.yml: ok (dev-environment)\n');
    const bad = path.join(home, 'bad.dstack.yml');
    fs.writeFileSync(bad, 'type: dev-environment\nide: vscdoe\n');
    const failed = cli(['validate', bad]);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:6: error: .*vscdoe`, 'm'));
  });

  it('dist/cli.js holds no ajv schema compiler: the validators were precompiled at build time (the extension compiles lazily, once a session)', () => {
    const probe = 'schema must be object or boolean'; // thrown by ajv's compiler (ajv/dist/core) on compile and addSchema
    assert.ok(fs.readFileSync(require.resolve('ajv/dist/core'), 'utf8').includes(probe), 'the probe is text of ajv\'s compiler');
    assert.ok(!fs.readFileSync(path.join(ROOT, 'dist/cli.js'), 'utf8').includes(probe), 'dist/cli.js bundles ajv\'s compiler');
  });

  it('validate compiles no validator at run time and says what the sources say (which do compile one: the probe sees it)', () => {
    const hook = path.join(home, 'function-probe.js');
    fs.writeFileSync(hook, FUNCTION_PROBE);
    const bad = path.join(home, 'bad-port.dstack.yml');
    fs.writeFileSync(bad, 'type: dev-environment\nide: vscode\nports: [70000]\n');
    const files = ['examples/dev.dstack.yml', bad];
    const bundled = cli(['validate', ...files], ['--require', hook, CLI]);
    const sources = cli(['validate', ...files], ['--require', hook, '--import', 'tsx', 'src/cli/main.ts']);
    const fromBundle = probed(bundled.stderr);
    const fromSources = probed(sources.stderr);
    assert.ok(fromSources.made.some((f) => f.includes('vErrors')), 'the sources compile an ajv validator (the probe sees ajv code)');
    const compiled = fromBundle.made.filter((f) => f.includes('vErrors'));
    assert.equal(compiled.length, 0, `the bundle compiled ${compiled.length} ajv validators at run time, e.g. ${compiled[0]?.slice(0, 200) ?? ''}`);
    assert.equal(bundled.status, 1);
    assert.deepEqual([bundled.status, bundled.stdout, fromBundle.stderr], [sources.status, sources.stdout, fromSources.stderr]);
    assert.match(fromBundle.stderr, /bad-port\.dstack\.yml:3:\d+: error: /);
  });

  it('offer --gpu A100 --json: the catalog\'s A100 offers, cheapest first, exit 0', () => {
    const r = cli(['offer', '--gpu', 'A100', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { offers: { instance_type: string; region: string; price: number; resources: { gpus: { name: string }[] } }[]; total_offers: number };
    const expected = catalogOffers('aws').filter((o) => o.resources.gpus[0]?.name === 'A100').map((o) => `${o.instanceType} ${o.region} ${o.pricePerHour}`);
    assert.ok(expected.length > 0);
    assert.deepEqual(doc.offers.map((o) => `${o.instance_type} ${o.region} ${o.price}`), expected);
    assert.equal(doc.total_offers, expected.length);
    assert.ok(doc.offers.every((o) => o.resources.gpus.length > 0 && o.resources.gpus.every((g) => g.name === 'A100')));
  });

  it('--help lists every command (exit 0); no command prints the usage and exits 2; an unknown one exits 2', () => {
    const help = cli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: dstack-vsc <command> \[options\]\n/);
    for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^ {2}${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const none = cli([]);
    assert.equal(none.status, 2);
    assert.equal(none.stdout, help.stdout);
    const unknown = cli(['bogus']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'bogus'/);
    const offerHelp = cli(['offer', '--help']);
    assert.equal(offerHelp.status, 0);
    assert.match(offerHelp.stdout, /^Usage: dstack-vsc offer \[-f FILE\] \[--gpu SPEC\]/);
  });
});
