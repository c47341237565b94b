// Waits for a run to get somewhere: `apply -d` returns right after the submit, while its detached driver carries
// the run on.

import * as fs from 'node:fs';
import * as path from 'node:path';
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

/**
 * Resolves with the newest run named `name` in `stateDir` once it is no longer starting (and, when running, once
 * `ssh <name>` is published); rejects after `timeoutMs`.
 */
export async function waitForRun(stateDir: string, name: string, timeoutMs = 60_000): Promise<RunRecord> {
  const store = new Store(stateDir);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await store.read()).runs.filter((r) => r.name === name).at(-1);
    if (run && !STARTING.has(run.status) && (run.status !== 'running' || published(stateDir, name))) return run;
    if (Date.now() > deadline) throw new Error(`run ${name} still ${run?.status ?? 'absent'}${run?.status === 'running' ? ' (not published for ssh)' : ''} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
