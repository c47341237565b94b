// Waits for a run to get somewhere: `apply -d` returns right after the submit, while its detached driver carries
// the run on (and leads the scheduler) until the run is running or ended, then exits.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRIVE_COMMAND, driverLogFile } from '../../src/cli/detached-driver';
import type { RunRecord } from '../../src/orchestrator/model/run';
import { Store } from '../../src/orchestrator/store/store';

/** Statuses of a run still on its way to running or to its end. */
const STARTING = new Set(['submitted', 'pending', 'provisioning', 'terminating']);

/** Whether the `Host <name>` entry is in the state dir's ssh config (published by the same pass, just after the state). */
function published(stateDir: string, name: string): boolean {
  try {
    return fs.readFileSync(path.join(stateDir, 'ssh', 'config'), 'utf8').split('\n').includes(`Host ${name}`);
  } catch {
    return false;
  }
}

/** The pids of the live `__drive <runId>` processes (`apply -d`'s detached driver of that run). */
export function driversOf(runId: string): number[] {
  const r = spawnSync('pgrep', ['-f', `${DRIVE_COMMAND} ${runId}$`], { encoding: 'utf8' });
  if (r.error) throw new Error(`pgrep (procps) is needed to see apply -d's driver processes: ${r.error.message}`);
  return r.stdout.split('\n').filter((l) => l !== '').map(Number);
}

/** The end of the driver's log of `runId`, for failure messages. */
function driverLogTail(stateDir: string, runId: string): string {
  try {
    return fs.readFileSync(driverLogFile(stateDir, runId), 'utf8').slice(-2000);
  } catch {
    return '(no driver log)';
  }
}

/** Resolves once no `__drive <runId>` process is left; rejects after `timeoutMs`, with the end of its log when `stateDir` is given. */
export async function untilDriverExits(runId: string, timeoutMs: number, stateDir?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const drivers = driversOf(runId);
    if (drivers.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the driver of run ${runId} (pid ${drivers.join(', ')}) has not exited after ${timeoutMs / 1000} s${stateDir ? `; its log:\n${driverLogTail(stateDir, runId)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Resolves with the newest run named `name` in `stateDir` once it is no longer starting (and, when running, once
 * `ssh <name>` is published) and its detached driver has exited, so that the driver no longer leads the scheduler
 * when the caller starts its own leader; rejects after `timeoutMs`.
 */
export async function waitForRun(stateDir: string, name: string, timeoutMs = 60_000): Promise<RunRecord> {
  const store = new Store(stateDir);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await store.read()).runs.filter((r) => r.name === name).at(-1);
    if (run && !STARTING.has(run.status) && (run.status !== 'running' || published(stateDir, name))) {
      await untilDriverExits(run.id, Math.max(0, deadline - Date.now()), stateDir);
      return run;
    }
    if (Date.now() > deadline) {
      const log = run ? `; its driver's log:\n${driverLogTail(stateDir, run.id)}` : '';
      throw new Error(`run ${name} still ${run?.status ?? 'absent'}${run?.status === 'running' ? ' (not published for ssh)' : ''} after ${timeoutMs / 1000} s${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
