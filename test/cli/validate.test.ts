// `validate` through runCli and through the real binary entry (node --import tsx src/cli/main.ts).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/command';
import { runCli } from '../../src/cli/run-cli';

const ROOT = join(__dirname, '..', '..');

function io(cwd = ROOT): CliIo & { out: string; err: string } {
  const buf = { out: '', err: '' };
  return Object.assign(buf, {
    stdout: (t: string) => void (buf.out += t),
    stderr: (t: string) => void (buf.err += t),
    env: {},
    cwd,
    confirm: async () => false,
  });
}

describe('cli validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-'));
  const bad = join(dir, 'bad.dstack.yml');
  writeFileSync(bad, 'type: dev-environment\nide: vscode\ninactivty_duration: 2h\nresources:\n  gpu: A100:H100\n');

  it('exits 0 for the shipped examples and prints ok per file', async () => {
    const o = io();
    assert.equal(await runCli(['validate', 'examples/dev.dstack.yml', 'examples/gpu.dstack.yml'], o), 0);
    assert.match(o.out, /examples\/dev\.dstack\.yml: ok \(dev-environment\)/);
  });

  it('prints file:line:col: message [path] and exits 1 on errors', async () => {
    const o = io();
    assert.equal(await runCli(['validate', bad], o), 1);
    assert.match(o.err, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: error: .*Did you mean \`inactivity_duration\`\\? \\[inactivty_duration\\]`));
    assert.match(o.err, /:5:8: error: Invalid `gpu`: GPU spec name conflict.*\[resources\.gpu\]/);
  });

  it('--json prints type, normalized configuration and diagnostics per file; a missing file is a diagnostic', async () => {
    const o = io();
    assert.equal(await runCli(['validate', '--json', 'examples/dev.dstack.yml', 'missing.dstack.yml'], o), 1);
    const reports = JSON.parse(o.out) as any[];
    assert.equal(reports.length, 2);
    assert.equal(reports[0].type, 'dev-environment');
    assert.equal(reports[0].configuration.inactivity_duration, 7200);
    assert.deepEqual(reports[0].configuration.resources.cpu, { arch: null, count: { min: 1, max: null } });
    assert.equal(reports[1].diagnostics[0].code, 'file-unreadable');
    assert.match(reports[1].diagnostics[0].message, /missing\.dstack\.yml: no such file/);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal(await runCli(['validate'], io()), 2);
    assert.equal(await runCli(['validate', '--yaml', 'x'], io()), 2);
  });

  it('the real binary entry validates and sets the exit code', () => {
    const ok = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', 'examples/dev.dstack.yml'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /ok \(dev-environment\)/);
    const fail = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', bad], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(fail.status, 1);
    assert.match(fail.stderr, /bad\.dstack\.yml:3:1: error:/);
  });
});
