// What the user sees of the orchestrator while the e2e tests break the network: the scheduler's passes as its
// real loop runs them, and a run's record in the store (what `ps` shows) sampled over time.

import { strict as assert } from 'node:assert';
import type { RunRecord } from '../../src/orchestrator/model/run';
import type { Scheduler } from '../../src/orchestrator/scheduler/scheduler';
import { Store } from '../../src/orchestrator/store/store';

/** One scheduler pass: when it began and ended (null while it runs). */
export interface Pass { start: number; end: number | null }

/** Records every pass `scheduler` runs from now on (the pass itself is untouched: same code, same cadence). */
export function observePasses(scheduler: Scheduler): Pass[] {
  const passes: Pass[] = [];
  const tick = scheduler.tick.bind(scheduler);
  scheduler.tick = async () => {
    const pass: Pass = { start: Date.now(), end: null };
    passes.push(pass);
    try {
      return await tick();
    } finally {
      pass.end = Date.now();
    }
  };
  return passes;
}

/** The last `count` passes as `start..end` in seconds from `origin` (`?` while one runs), for failure messages. */
export function timeline(passes: readonly Pass[], origin: number, count = 8): string {
  const s = (t: number): string => ((t - origin) / 1000).toFixed(1);
  return passes.slice(-count).map((p) => `${s(p.start)}..${p.end === null ? '?' : s(p.end)}`).join(' ');
}

/** Samples of a run's record, every `everyMs` until `stop`, which returns them. */
export interface RunWatch { stop(): Promise<RunRecord[]> }

/** Reads the run `name` from the store under `stateDir` every `everyMs` (what `ps` would show at each moment). */
export function watchRun(stateDir: string, name: string, everyMs = 250): RunWatch {
  const store = new Store(stateDir);
  const seen: RunRecord[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const run = (await store.read()).runs.find((r) => r.name === name);
      if (run) seen.push(run);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

/** Waits until `ok()` holds, checking every `everyMs`; fails naming `what` after `ms`. Returns the ms it took. */
export async function until(ok: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 100): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await ok()) return Date.now() - t0;
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
