// What `utilization_policy` judges (dstack: the job's GPU metrics over `time_window`, collected every 10 s): one
// sample per METRICS_INTERVAL_SECS of each GPU's utilization, kept by the leading scheduler only for running runs
// with a policy and only as far back as their window, in `metrics/<run-id>.gpu.json` beside the state. Outside
// state.json on purpose: a GPU run's samples change every 10 s, and the state must not be rewritten for them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentReport, ProviderInstance } from '../../backends/backend';
import type { UtilizationPolicy } from '../../schema/model';
import type { EpochMs, RunRecord } from '../model/run';
import { writeFileAtomic } from '../store/atomic-file';
import type { OrchestratorState } from '../store/state';
import { METRICS_INTERVAL_SECS } from './metrics-store';

/** One sample: when the scheduler took it (its clock) and each GPU's utilization, percent, in the agent's order. */
export interface GpuSample {
  at: EpochMs;
  gpus: number[];
}

/** dstack's tolerance: the oldest sample in the window may be this much younger than the window's start. */
export const WINDOW_COVERAGE_SLACK_MS = 60_000;

/** Each GPU's utilization in a report (one value when the agent only gives the busiest GPU's), or null without GPUs. */
export function gpuUtilizationOf(report: AgentReport | undefined): number[] | null {
  const perGpu = report?.metrics?.gpus?.map((g) => g.utilizationPercent) ?? [];
  if (perGpu.length > 0) return perGpu;
  return report?.gpuUtilization === undefined ? null : [report.gpuUtilization];
}

/**
 * dstack's verdict (`_should_terminate_due_to_low_gpu_util`): terminate when some GPU stayed below
 * `min_gpu_utilization` in every sample of the last `time_window` — once the samples of this submission (taken
 * since `since`) reach back to within a minute of the window's start.
 */
export function underUtilized(samples: readonly GpuSample[], policy: UtilizationPolicy, since: EpochMs, now: EpochMs): boolean {
  const windowStart = now - policy.time_window * 1000;
  const inWindow = samples.filter((s) => s.at >= since && s.at >= windowStart && s.at <= now);
  const oldest = inWindow[0];
  if (!oldest || oldest.at > windowStart + WINDOW_COVERAGE_SLACK_MS) return false;
  const gpuCount = Math.max(...inWindow.map((s) => s.gpus.length));
  for (let i = 0; i < gpuCount; i++) {
    const values = inWindow.map((s) => s.gpus[i]).filter((v): v is number => v !== undefined);
    if (values.length > 0 && values.every((v) => v < policy.min_gpu_utilization)) return true;
  }
  return false;
}

/** The samples of one run kept after `sample` (null: not due yet), dropping those outside its window or submission. */
export function nextWindow(kept: readonly GpuSample[], sample: GpuSample, windowSecs: number, since: EpochMs): GpuSample[] | null {
  const last = kept.at(-1);
  if (last !== undefined && last.at >= since && sample.at - last.at < METRICS_INTERVAL_SECS * 1000) return null;
  const from = Math.max(since, sample.at - windowSecs * 1000);
  return [...kept.filter((s) => s.at >= from && s.at < sample.at), sample];
}

/** The per-run sample files under one state dir, with what was last read or written kept in memory. */
export class UtilizationWindows {
  readonly dir: string;
  /** Samples by run id, with the file identity they were read or written as (another leader may have written since). */
  private readonly cache = new Map<string, { key: string; samples: GpuSample[] }>();

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'metrics');
  }

  private file(runId: string): string {
    return path.join(this.dir, `${runId.replace(/[^A-Za-z0-9_-]/g, '_')}.gpu.json`);
  }

  private fileKey(file: string): string {
    try {
      const st = fs.statSync(file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  }

  /** The kept samples of a run, oldest first (empty when none or unreadable). */
  read(runId: string): GpuSample[] {
    const file = this.file(runId);
    const key = this.fileKey(file);
    const cached = this.cache.get(runId);
    if (cached && cached.key === key) return cached.samples;
    let samples: GpuSample[] = [];
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(parsed)) samples = (parsed as GpuSample[]).filter((s) => typeof s?.at === 'number' && Array.isArray(s.gpus));
    } catch {
      // Absent or unreadable: the window starts again (the policy then waits for a covered window).
    }
    this.cache.set(runId, { key, samples });
    return samples;
  }

  /**
   * Takes this pass's sample of every running run with a utilization policy (when one is due) and returns each
   * such run's window. Runs that no longer need one have their file removed. A write failure keeps the sample in
   * memory only; the next due sample tries again.
   */
  recordPass(state: OrchestratorState, views: ReadonlyMap<string, ProviderInstance>, now: EpochMs): Map<string, GpuSample[]> {
    const windows = new Map<string, GpuSample[]>();
    for (const run of state.runs) {
      if (!needsWindow(run)) continue;
      const policy = run.spec.utilizationPolicy as UtilizationPolicy;
      const since = run.runningSince as EpochMs;
      let samples = this.read(run.id);
      const gpus = gpuUtilizationOf(views.get(run.instanceId as string)?.report);
      const next = gpus === null ? null : nextWindow(samples, { at: now, gpus }, policy.time_window, since);
      if (next) {
        samples = next;
        const file = this.file(run.id);
        try {
          fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
          writeFileAtomic(file, JSON.stringify(samples), 0o600, false);
          this.cache.set(run.id, { key: this.fileKey(file), samples });
        } catch {
          this.cache.set(run.id, { key: '', samples });
        }
      }
      windows.set(run.id, samples);
    }
    for (const runId of [...this.cache.keys()]) {
      if (windows.has(runId)) continue;
      this.cache.delete(runId);
      try {
        fs.rmSync(this.file(runId), { force: true });
      } catch {
        // Left behind: it is ignored (its samples predate any later submission) and overwritten when needed.
      }
    }
    return windows;
  }
}

function needsWindow(run: RunRecord): boolean {
  return run.status === 'running' && run.spec.utilizationPolicy !== null && run.instanceId !== null && run.runningSince !== null;
}
