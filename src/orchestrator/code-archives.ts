// The code archives runs carry (`<state>/uploads/<run id>.tar`, written at apply by code-upload.ts): one
// lives as long as its run. The scheduler removes a run's archive when the run finishes, and its periodic
// sweep removes what a crash left behind.

import { readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isActiveRun, type RunRecord } from './model/run';
import type { OrchestratorState } from './store/state';

/** How long an archive no run refers to is kept (an apply writes it just before it submits the run). */
const UNCLAIMED_GRACE_MS = 60 * 60 * 1000;

/** Where the archive of run `runId` lives. */
export function codeArchivePath(stateDir: string, runId: string): string {
  return path.join(stateDir, 'uploads', `${runId}.tar`);
}

/** Removes the archives of the finished runs among `runs` (idempotent). */
export async function removeFinishedArchives(runs: readonly RunRecord[]): Promise<void> {
  for (const r of runs) {
    if (!isActiveRun(r) && r.spec.codeArchive !== undefined) await rm(r.spec.codeArchive, { force: true }).catch(() => undefined);
  }
}

/**
 * Removes the archives under `<state>/uploads/` that no active run carries: at once for finished runs,
 * after an hour for archives no run refers to (an apply that crashed between writing and submitting).
 * Returns how many it removed.
 */
export async function sweepCodeArchives(stateDir: string, state: OrchestratorState, nowMs: number = Date.now()): Promise<number> {
  const dir = path.join(stateDir, 'uploads');
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.length === 0) return 0;
  const carried = new Set<string>();
  const finished = new Set<string>();
  for (const r of state.runs) {
    if (r.spec.codeArchive === undefined) continue;
    (isActiveRun(r) ? carried : finished).add(path.resolve(r.spec.codeArchive));
  }
  let removed = 0;
  for (const name of names) {
    const file = path.resolve(dir, name);
    if (carried.has(file)) continue;
    if (!finished.has(file)) {
      const st = await stat(file).catch(() => null);
      if (!st || nowMs - st.mtimeMs < UNCLAIMED_GRACE_MS) continue;
    }
    await rm(file, { force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}
