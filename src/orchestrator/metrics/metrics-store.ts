// What running environments used (dstack's `metrics`): the agents' samples, kept by the leading scheduler
// one per METRICS_INTERVAL_SECS and the last METRICS_KEEP per run, in a small file per run beside the
// state (`metrics/<run-id>.json`). Outside state.json on purpose: a running run's samples change every
// 10 s, and the state must not be rewritten (waking every window) just to carry them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentMetrics, ProviderInstance } from '../../backends/backend';
import { writeFileAtomic } from '../store/atomic-file';
import type { OrchestratorState } from '../store/state';

/** Seconds between kept samples (dstack collects every 10 s). */
export const METRICS_INTERVAL_SECS = 10;
/** Samples kept per run (10 minutes' worth). */
export const METRICS_KEEP = 60;

/** Whether `sample` is worth keeping after `kept` (oldest first): METRICS_INTERVAL_SECS newer than the last. */
export function appendSample(kept: readonly AgentMetrics[], sample: AgentMetrics): AgentMetrics[] | null {
  const last = kept.at(-1);
  if (last !== undefined && sample.at - last.at < METRICS_INTERVAL_SECS) return null;
  return [...kept, sample].slice(-METRICS_KEEP);
}

/** The per-run metrics files under one state dir. */
export class MetricsStore {
  readonly dir: string;
  /** When the last kept sample of each run was taken (saves a read per pass). */
  private readonly lastAt = new Map<string, number>();

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'metrics');
  }

  private file(runId: string): string {
    return path.join(this.dir, `${runId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }

  /** The kept samples of a run, oldest first (empty when none or unreadable). */
  read(runId: string): AgentMetrics[] {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file(runId), 'utf8')) as unknown;
      return Array.isArray(parsed) ? (parsed as AgentMetrics[]).filter((s) => typeof s?.at === 'number') : [];
    } catch {
      return [];
    }
  }

  /** Keeps `sample` when it is due; returns whether it was written. */
  record(runId: string, sample: AgentMetrics): boolean {
    const cached = this.lastAt.get(runId);
    if (cached !== undefined && sample.at - cached < METRICS_INTERVAL_SECS) return false;
    const next = appendSample(this.read(runId), sample);
    if (!next) return false;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file(runId), JSON.stringify(next), 0o600, false);
    this.lastAt.set(runId, sample.at);
    return true;
  }

  /** Keeps the samples the instances of running runs reported in this pass; a write failure waits for the next sample. */
  recordPass(state: OrchestratorState, views: ReadonlyMap<string, ProviderInstance>): void {
    for (const run of state.runs) {
      if (run.status !== 'running' || run.instanceId === null) continue;
      const sample = views.get(run.instanceId)?.report?.metrics;
      if (!sample) continue;
      try {
        this.record(run.id, sample);
      } catch {
        // Disk full or the state dir going away: the next sample tries again.
      }
    }
  }
}
