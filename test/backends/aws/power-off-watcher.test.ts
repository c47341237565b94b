// The watchdogs beside the agent on an EC2 instance, run with sh here: `shutdown` and `sudo` are stand-ins on PATH
// that record their call, and the cloud-init marker is a temp folder.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IDLE_POWER_OFF_WATCHER, idleDirOf, idleScript, POWER_OFF_WATCHER } from '../../../src/backends/aws/watchdogs';
import { until } from '../../harness/scheduler-watch';

/** A temp root with stand-in `sudo` (refuses) and `shutdown` (records), and the cloud-init marker when `cloudInit`. */
function sandbox(cloudInit: boolean): { root: string; bin: string; marker: string; calls: () => string | null } {
  const root = mkdtempSync(path.join(tmpdir(), 'aws-watch-'));
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  const marker = path.join(root, 'cloud-instance');
  if (cloudInit) mkdirSync(marker);
  const calls = path.join(root, 'calls');
  for (const tool of ['sudo', 'shutdown']) {
    writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${JSON.stringify(calls)}\n${tool === 'sudo' ? 'exit 1' : 'exit 0'}\n`);
    chmodSync(path.join(bin, tool), 0o755);
  }
  return { root, bin, marker, calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : null) };
}

/** Runs `script` with sh as `$0 args...`, the stand-ins first on PATH; resolves with its exit code. */
function run(script: string, name: string, args: string[], bin: string): Promise<number | null> {
  return new Promise((resolve) => {
    spawn('sh', ['-c', script, name, ...args], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: 'ignore' }).on('close', resolve);
  });
}

/** Runs the power-off watcher for an agent that already exited with `reason` (null: its directory's stop_reason is absent). */
async function watch(reason: string | null, cloudInit: boolean): Promise<string | null> {
  const box = sandbox(cloudInit);
  const dir = path.join(box.root, 'agent');
  mkdirSync(dir);
  // An agent pid that is certainly not running: the watcher goes straight to reading stop_reason.
  writeFileSync(path.join(dir, 'agent.pid'), '999999999\n');
  if (reason !== null) writeFileSync(path.join(dir, 'stop_reason'), `${reason}\n`);
  assert.equal(await run(POWER_OFF_WATCHER, 'watch', [dir, box.marker], box.bin), 0);
  return box.calls();
}

describe('AWS power-off watcher', () => {
  it('powers the instance off when the agent stopped itself (inactivity, max_duration) on a cloud-init machine', async () => {
    assert.equal(await watch('inactivity', true), 'sudo -n shutdown -h now\nshutdown -h now\n');
    assert.equal(await watch('max_duration', true), 'sudo -n shutdown -h now\nshutdown -h now\n');
  });

  it('does nothing on a requested stop, without a reason, or where cloud-init did not boot the machine', async () => {
    assert.equal(await watch('requested', true), null);
    assert.equal(await watch(null, true), null);
    assert.equal(await watch('inactivity', false), null);
  });
});

describe('AWS idle watchdog (an instance kept idle for idle_duration)', function () {
  this.timeout(30_000);

  /** Writes an idle directory the way `idleScript` does, with the lease last renewed `leaseAgeSecs` ago. */
  function idleDir(root: string, params: { idle: number; lease: number; token: string }, leaseAgeSecs: number): string {
    const dir = idleDirOf(path.join(root, 'inst-1'));
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'params'), `IDLE=${params.idle}\nLEASE=${params.lease}\nPOLL=1\nTOKEN=${params.token}\n`);
    age(dir, leaseAgeSecs);
    return dir;
  }
  function age(dir: string, secs: number): void {
    const at = new Date(Date.now() - secs * 1000);
    writeFileSync(path.join(dir, 'lease'), '');
    utimesSync(path.join(dir, 'lease'), at, at);
  }

  it('powers off once idle_duration has passed and no orchestrator renewed the lease', async () => {
    const box = sandbox(true);
    const dir = idleDir(box.root, { idle: 2, lease: 60, token: 't1' }, 3600);
    const started = Date.now();
    assert.equal(await run(IDLE_POWER_OFF_WATCHER, 'idle', [dir, box.marker], box.bin), 0);
    assert.ok(Date.now() - started >= 2_000, 'not before idle_duration');
    assert.equal(box.calls(), 'sudo -n shutdown -h now\nshutdown -h now\n');
  });

  it('keeps the instance while the orchestrator renews the lease, even past idle_duration; powers off once the renewals stop', async () => {
    const box = sandbox(true);
    const dir = idleDir(box.root, { idle: 1, lease: 2, token: 't1' }, 0);
    const renew = setInterval(() => age(dir, 0), 300);
    const exited = run(IDLE_POWER_OFF_WATCHER, 'idle', [dir, box.marker], box.bin);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal(box.calls(), null, 'renewed: kept (the orchestrator terminates it by idle_timeout itself)');
    clearInterval(renew);
    assert.equal(await exited, 0);
    assert.equal(box.calls(), 'sudo -n shutdown -h now\nshutdown -h now\n', 'no renewal for the lease time: powered off');
  });

  it('stops watching without acting when a new job takes the instance (the directory goes) or a new idle period replaces it', async () => {
    const taken = sandbox(true);
    const dir = idleDir(taken.root, { idle: 3, lease: 1, token: 't1' }, 3600);
    const exited = run(IDLE_POWER_OFF_WATCHER, 'idle', [dir, taken.marker], taken.bin);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    rmSync(dir, { recursive: true });
    assert.equal(await exited, 0);
    assert.equal(taken.calls(), null);

    const replaced = sandbox(true);
    const again = idleDir(replaced.root, { idle: 3, lease: 1, token: 't1' }, 3600);
    const old = run(IDLE_POWER_OFF_WATCHER, 'idle', [again, replaced.marker], replaced.bin);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    writeFileSync(path.join(again, 'params'), 'IDLE=3600\nLEASE=1\nPOLL=1\nTOKEN=t2\n');
    assert.equal(await old, 0);
    assert.equal(replaced.calls(), null, 'the earlier period\'s watchdog left; the new one has its own clock');
  });

  it('does nothing where cloud-init did not boot the machine (a shared host)', async () => {
    const box = sandbox(false);
    const dir = idleDir(box.root, { idle: 1, lease: 1, token: 't1' }, 3600);
    assert.equal(await run(IDLE_POWER_OFF_WATCHER, 'idle', [dir, box.marker], box.bin), 0);
    assert.equal(box.calls(), null);
  });

  it('the release script kills what is left of the run, writes the idle directory and starts the watchdog (not for idle_duration off)', async () => {
    const box = sandbox(false);
    const agentDir = path.join(box.root, 'inst-2');
    // A process of the run that outlived its session (nohup), and one of another run.
    const spawnWith = (runId: string) => spawn('sleep', ['300'], { env: { PATH: '/usr/bin:/bin', DSTACK_RUN_ID: runId }, stdio: 'ignore', detached: true });
    const mine = spawnWith('run-a');
    const theirs = spawnWith('run-b');
    const exitOf = (p: ReturnType<typeof spawnWith>) => new Promise<NodeJS.Signals | null>((resolve) => p.on('exit', (_c, sig) => resolve(sig)));
    const mineExit = exitOf(mine);
    try {
      assert.equal(await run(idleScript(agentDir, 'run-a', { idleSecs: 300, leaseSecs: 120, token: 'tok-1', pollSecs: 1 }), 'release', [], box.bin), 0);
      assert.equal(await mineExit, 'SIGKILL', 'the run\'s leftover process was killed');
      assert.equal(theirs.exitCode, null, 'another run\'s process lives');
      assert.ok(!theirs.killed);
      const dir = idleDirOf(agentDir);
      assert.equal(readFileSync(path.join(dir, 'params'), 'utf8'), 'IDLE=300\nLEASE=120\nPOLL=1\nTOKEN=tok-1\n');
      assert.ok(existsSync(path.join(dir, 'lease')));
      // Started in the background as the script exits: under load its exec may come a moment later.
      await until(() => watching(dir), 3000, 'the idle watchdog runs', 50);
      rmSync(dir, { recursive: true });
      const off = path.join(box.root, 'inst-3');
      assert.equal(await run(idleScript(off, 'run-c', { idleSecs: -1, leaseSecs: 120, token: 'tok-2' }), 'release', [], box.bin), 0);
      assert.ok(existsSync(path.join(idleDirOf(off), 'params')));
      assert.ok(!watching(idleDirOf(off)), 'idle_duration off: kept until stopped by hand, no watchdog');
      await until(() => !watching(dir), 5000, 'the watchdog left once its directory went', 50);
    } finally {
      theirs.kill('SIGKILL');
      if (mine.exitCode === null) mine.kill('SIGKILL');
    }
  });
});

/** Whether a process runs with `dir` as an argument (the watchdog's command line). */
function watching(dir: string): boolean {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
    } catch {
      return false;
    }
  });
}
