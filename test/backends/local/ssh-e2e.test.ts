// End to end with real parts: the CLI (as a real process) applies a dev environment from a git repo to the
// local backend, the real OpenSSH client logs into the agent's SSH server through the entry the scheduler
// published, the doctor resolves it with `ssh -G`, and stop removes the entry, the agent and its dir.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../orchestrator/helpers';
import { cli } from '../../cli/cli-process';
import { waitForRun } from '../../cli/wait-run';
import { isProcessAlive } from '../../../src/orchestrator/store/lock';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd, stdio: 'ignore' });
}

/** A git repo with committed, modified, untracked and ignored files and a dev-environment config. */
function makeRepo(name: string, extra: Record<string, string> = {}): { repo: string; config: string } {
  const repo = tempDir('dstack-vsc-repo-');
  git(repo, 'init', '-q');
  fs.writeFileSync(path.join(repo, '.gitignore'), '*.log\n');
  fs.writeFileSync(path.join(repo, 'committed.txt'), 'committed\n');
  fs.writeFileSync(path.join(repo, 'modified.txt'), 'original\n');
  const config = path.join(repo, '.dstack.yml');
  fs.writeFileSync(config, `type: dev-environment\nname: ${name}\nide: vscode\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\ninit:\n  - echo "init in $(pwd)"\n`);
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'init');
  fs.writeFileSync(path.join(repo, 'modified.txt'), 'modified in the work tree\n');
  fs.writeFileSync(path.join(repo, 'untracked.txt'), 'untracked\n');
  fs.writeFileSync(path.join(repo, 'debug.log'), 'ignored\n');
  for (const [file, text] of Object.entries(extra)) fs.writeFileSync(path.join(repo, file), text);
  return { repo, config };
}

function env(home: string, state: string): Record<string, string> {
  return { HOME: home, DSTACK_VSC_STATE_DIR: state, DSTACK_VSC_USER_SSH_CONFIG: path.join(home, '.ssh', 'config') };
}

describe('local backend over SSH, end to end (CLI + agent + OpenSSH)', function () {
  this.timeout(120_000);

  it('apply -d uploads the repo, `ssh NAME` lands in the working dir with the run env, doctor resolves, stop removes everything', async () => {
    const home = tempDir('dstack-vsc-home-');
    const state = tempDir('dstack-vsc-state-');
    const name = `e2e-${process.pid}`;
    const { config } = makeRepo(name);
    const e = env(home, state);
    const apply = cli(['apply', '-f', config, '-y', '-d'], e);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, new RegExp(`Run ${name} submitted, detaching`));
    assert.match(apply.stdout, /Code upload: 5 files/);
    assert.equal((await waitForRun(state, name)).status, 'running');

    const ownConfig = path.join(state, 'ssh', 'config');
    assert.match(fs.readFileSync(ownConfig, 'utf8'), new RegExp(`^Host ${name}$`, 'm'));
    assert.match(fs.readFileSync(path.join(home, '.ssh', 'config'), 'utf8'), new RegExp(`Include .*${path.basename(state)}/ssh/config`));

    const ssh = spawnSync('ssh', ['-F', ownConfig, '-o', 'BatchMode=yes', name, 'pwd; ls -a; echo "run=$DSTACK_RUN_NAME"; cat modified.txt'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(ssh.status, 0, ssh.stderr);
    const [pwd, ...rest] = ssh.stdout.trim().split('\n');
    assert.match(pwd ?? '', /\/local\/instances\/[^/]+\/home\/workflow$/);
    const recorded = JSON.parse(fs.readFileSync(path.join(state, 'state.json'), 'utf8')) as { instances: { workingDir?: string }[] };
    assert.deepEqual(recorded.instances.map((i) => i.workingDir), [pwd], 'the instance record holds the working dir `ssh NAME` lands in (what Open in VS Code opens)');
    const listing = rest.slice(0, -2);
    for (const f of ['.dstack.yml', '.gitignore', 'committed.txt', 'modified.txt', 'untracked.txt']) assert.ok(listing.includes(f), `${f} uploaded: ${listing.join(' ')}`);
    assert.ok(!listing.includes('debug.log'), 'ignored file not uploaded');
    assert.ok(!listing.includes('.git'), '.git not uploaded');
    assert.deepEqual(rest.slice(-2), [`run=${name}`, 'modified in the work tree']);

    const doctor = cli(['doctor', name], e);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /ok/);

    const instancesDir = path.join(state, 'local', 'instances');
    const [instanceId] = fs.readdirSync(instancesDir);
    const status = JSON.parse(fs.readFileSync(path.join(instancesDir, instanceId as string, 'status.json'), 'utf8')) as { pid: number };
    assert.ok(isProcessAlive(status.pid));

    const stop = cli(['stop', name, '-y'], e);
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    assert.doesNotMatch(fs.readFileSync(ownConfig, 'utf8'), new RegExp(`Host ${name}`));
    assert.equal(fs.existsSync(path.join(instancesDir, instanceId as string)), false);
    // The agent was killed; wait for the kernel to finish it (and for a reaper, as it was detached).
    for (let i = 0; i < 100 && isProcessAlive(status.pid); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(isProcessAlive(status.pid), false);
  });

  it('an over-limit repo fails apply before anything is provisioned, listing the largest files', () => {
    const home = tempDir('dstack-vsc-home-');
    const state = tempDir('dstack-vsc-state-');
    const { config } = makeRepo(`big-${process.pid}`, { 'weights.bin': 'x'.repeat(3 * 1024 * 1024) });
    const apply = cli(['apply', '-f', config, '-y', '-d'], env(home, state));
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(apply.stderr, /exceeds the limit of 2\.0 MiB/);
    assert.match(apply.stderr, /Largest files:\n\s+weights\.bin\s+3\.0 MiB/);
    assert.equal(fs.existsSync(path.join(state, 'local', 'instances')), false);
  });
});
