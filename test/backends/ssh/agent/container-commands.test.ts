// The exact command lines of the container paths no test host can run here: GPUs (docker's --gpus, podman's CDI
// device or the device files), --privileged, docker: true's start-dockerd before init, and the registry login
// with the password on stdin only. The generated scripts run in the real sh against stand-in runtimes that record
// their arguments one per bracket.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { containerSpecFor, type ContainerSpec } from '../../../../src/backends/ssh/agent/container-spec';
import { containerEnvSh } from '../../../../src/backends/ssh/agent/environment-scripts';
import { environmentPrelude, registryLoginCommand } from '../../../../src/backends/ssh/agent/host-agent';

const PASSWORD = `p@ss'w0rd $(touch /tmp/dvs-reg-pwned) \`id\``;

describe('SSH host agent: container command lines (GPUs, privileged, docker-in-docker, registry login)', () => {
  let dir: string;
  let bin: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvs-ctr-cmd-'));
    bin = path.join(dir, 'bin');
    mkdirSync(bin);
    // Stand-ins: each runtime records its argv (one [arg] per argument) and stdin; sudo -n runs the command as is.
    for (const rt of ['podman', 'docker']) {
      writeFileSync(path.join(bin, rt), `#!/bin/sh\n{ printf '[%s]' "$@"; echo; } >> "${dir}/argv"\ncase $1 in login) cat > "${dir}/stdin" ;; run) echo cid ;; inspect) echo true ;; esac\n`, { mode: 0o755 });
    }
    writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n', { mode: 0o755 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sh(script: string, stdin = ''): string {
    const r = spawnSync('sh', ['-c', script], { env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: dir }, input: stdin, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return r.stdout;
  }

  /** The `run` argv env_start gives `spec`, with CDI specs and NVIDIA device files laid out under `dir`. */
  function runLine(spec: ContainerSpec, layout: { cdi?: boolean; devs?: string[] } = {}): string {
    const agentDir = path.join(dir, 'agent');
    for (const d of ['cdi', 'dev']) rmSync(path.join(dir, d), { recursive: true, force: true });
    mkdirSync(path.join(dir, 'cdi'), { recursive: true });
    mkdirSync(path.join(dir, 'dev'), { recursive: true });
    if (layout.cdi) writeFileSync(path.join(dir, 'cdi', 'nvidia.yaml'), 'cdiVersion: 0.5.0\n');
    for (const d of layout.devs ?? []) writeFileSync(path.join(dir, 'dev', d), '');
    mkdirSync(agentDir, { recursive: true });
    writeFileSync(path.join(agentDir, 'env.sh'), containerEnvSh(spec, { installation: 'vsc-1', runName: 'r', instanceId: 'abc-1' }, agentDir));
    rmSync(path.join(dir, 'argv'), { force: true });
    sh(`D=${agentDir}; . "$D/env.sh"; CDI_DIRS="${dir}/nocdi ${dir}/cdi"; DEV_DIR="${dir}/dev"; conns_listening() { echo 1; }; env_start`);
    const run = readFileSync(path.join(dir, 'argv'), 'utf8').split('\n').find((l) => l.startsWith('[run]'));
    assert.ok(run, 'the runtime was asked to run the container');
    return run;
  }

  const spec = (over: Partial<ContainerSpec>): ContainerSpec => ({ runtime: 'podman', image: 'localhost/img:1', privileged: false, gpus: false, imageCommands: [], venvDir: null, ...over });
  const gpuFlags = (line: string): string => line.replace(/^\[run\](\[--ulimit\]\[[^\]]*\])*/, '').replace(/\[-d\].*$/, '');

  it('GPUs: docker gets --gpus all; podman the CDI device where a spec exists, else every NVIDIA device file; no GPU, no flag', () => {
    assert.equal(gpuFlags(runLine(spec({ runtime: 'docker', gpus: true }))), '[--gpus][all]');
    assert.equal(gpuFlags(runLine(spec({ gpus: true }), { cdi: true, devs: ['nvidia0'] })), '[--device][nvidia.com/gpu=all]');
    assert.equal(gpuFlags(runLine(spec({ gpus: true }), { devs: ['nvidia0', 'nvidia1', 'nvidiactl', 'nvidia-uvm'] })),
      ['nvidia-uvm', 'nvidia0', 'nvidia1', 'nvidiactl'].map((d) => `[--device][${dir}/dev/${d}]`).join(''));
    assert.equal(gpuFlags(runLine(spec({ gpus: false }), { cdi: true, devs: ['nvidia0'] })), '');
  });

  it('privileged (forced by docker: true) and the dind image are on the run line', () => {
    const dind = containerSpecFor({ docker: true }, { runtime: 'docker', gpus: 0 });
    assert.ok(dind);
    const line = runLine(dind);
    assert.match(line, /\[--entrypoint\]\[\/bin\/sh\]\[--privileged\]\[dstackai\/dind\]\[-c\]/);
    assert.doesNotMatch(runLine(spec({})), /--privileged/);
  });

  it('docker: true runs start-dockerd before init; its failure is said and init goes on, as dstack\'s command chain does', () => {
    const dind = containerSpecFor({ docker: true }, { runtime: 'docker', gpus: 0 });
    assert.ok(dind);
    const prelude = environmentPrelude({ container: dind }, path.join(dir, 'profile')).join('\n');
    writeFileSync(path.join(bin, 'start-dockerd'), `#!/bin/sh\necho dockerd-started\nexit \${DOCKERD_EXIT:-0}\n`, { mode: 0o755 });
    assert.equal(sh(`set -e\n${prelude}\necho init-ran`), 'dockerd-started\ninit-ran\n');
    assert.equal(sh(`set -e\nexport DOCKERD_EXIT=3\n${prelude}\necho init-ran`), 'dockerd-started\npreparing dstack\'s image failed (exit 3): no dockerd; init goes on, as on dstack\ninit-ran\n');
  });

  it('registry login: the password goes on stdin, never on the command line', () => {
    const reg = { server: '10.200.0.5:5000', username: "ci'bot", password: PASSWORD };
    for (const runtime of ['podman', 'docker'] as const) {
      const { command, stdin } = registryLoginCommand(runtime, reg);
      assert.ok(!command.includes('p@ss') && !command.includes('w0rd'), command);
      rmSync(path.join(dir, 'argv'), { force: true });
      sh(command, stdin);
      assert.equal(readFileSync(path.join(dir, 'argv'), 'utf8'), "[login][--username][ci'bot][--password-stdin][10.200.0.5:5000]\n");
      assert.equal(readFileSync(path.join(dir, 'stdin'), 'utf8'), `${PASSWORD}\n`);
    }
  });

  it('bare mode with python: the venv is made before init and its activation is written for the sessions', () => {
    writeFileSync(path.join(bin, 'uv'), '#!/bin/sh\nfor a; do d=$a; done\nmkdir -p "$d/bin"\necho "VIRTUAL_ENV=$d; export VIRTUAL_ENV" > "$d/bin/activate"\n', { mode: 0o755 });
    const profile = path.join(dir, 'profile');
    const prelude = environmentPrelude({ venvPython: '3.12' }, profile).join('\n');
    assert.equal(sh(`set -e\nexport DSTACK_VENV_DIR=${dir}/venv\n${prelude}\necho "init sees $VIRTUAL_ENV"`), `init sees ${dir}/venv\n`);
    assert.equal(readFileSync(profile, 'utf8'), '. "$DSTACK_VENV_DIR/bin/activate"\n');
  });
});
