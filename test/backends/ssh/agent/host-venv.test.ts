// The venv of an environment outside a container, run by the real sh: uv with the configured python where the
// host has uv, else python3's venv module (saying why), else a message and no venv; and when a run gets one.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hostVenvPython, hostVenvScript } from '../../../../src/backends/ssh/agent/host-venv';

/** Runs the script with PATH = `bin` first (then the rest, unless `only`), DSTACK_VENV_DIR in `dir`. */
function run(dir: string, python: string, bin: string, only = false): { status: number | null; out: string; venv: string } {
  const venv = path.join(dir, 'venv');
  const r = spawnSync('sh', ['-c', hostVenvScript(python)], {
    env: { PATH: only ? bin : `${bin}:${process.env['PATH'] ?? ''}`, DSTACK_VENV_DIR: venv, HOME: dir }, encoding: 'utf8', timeout: 120_000,
  });
  return { status: r.status, out: r.stdout + r.stderr, venv };
}

function script(bin: string, name: string, text: string): void {
  writeFileSync(path.join(bin, name), `#!/bin/sh\n${text}\n`);
  chmodSync(path.join(bin, name), 0o755);
}

const hostPython3 = spawnSync('sh', ['-c', 'command -v python3 && python3 -c "import sys; print(\'%d.%d\' % sys.version_info[:2])"'], { encoding: 'utf8' });

describe('host venv (bare mode, local backend)', function () {
  this.timeout(150_000);
  let dir: string;
  let bin: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvs-venv-'));
    bin = path.join(dir, 'bin');
    mkdirSync(bin);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made only for a python on dstack\'s default image', () => {
    assert.equal(hostVenvPython({ python: '3.12' }), '3.12');
    assert.equal(hostVenvPython({}), null, 'no python asked: the host\'s own Python environment as is');
    assert.equal(hostVenvPython({ python: '3.12', image: 'ubuntu' }), null);
    assert.equal(hostVenvPython({ python: '3.12', docker: true }), null);
    assert.equal(hostVenvPython(undefined), null);
  });

  it('uses uv with the configured python and dstack\'s flags where the host has uv', () => {
    script(bin, 'uv', `echo "$@" > "${dir}/uv-args"; for a; do d=$a; done; mkdir -p "$d/bin"; touch "$d/bin/activate"`);
    const r = run(dir, "3.12", bin);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out, '');
    assert.equal(readFileSync(path.join(dir, 'uv-args'), 'utf8'), `venv -q --prompt dstack -p 3.12 --seed ${r.venv}\n`);
  });

  it('falls back to python3 -m venv when uv fails, and says so', function () {
    if (hostPython3.status !== 0) this.skip();
    script(bin, 'uv', 'echo "error: no interpreter found" >&2; exit 2');
    const r = run(dir, '3.99', bin);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /uv could not create a Python 3\.99 venv: using this host's python3 \(\d+\.\d+\) instead/);
    assert.ok(existsSync(path.join(r.venv, 'bin', 'activate')));
    assert.match(readFileSync(path.join(r.venv, 'pyvenv.cfg'), 'utf8'), /^prompt = '?dstack'?$/m);
  });

  it('without uv or python3 says why there is no venv and fails (the caller goes on)', () => {
    for (const tool of ['sh', 'rm']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
    const r = run(dir, '3.12', bin, true);
    assert.equal(r.status, 1);
    assert.equal(r.out, `python: 3.12 is set, but this host has neither uv nor python3: no venv at ${r.venv}; install uv on the host\n`);
  });
});
