// What `utilization_policy` judges (dstack: the job's GPU samples over `time_window`, one per 10 s): for each
// GPU, when it last reached the policy's minimum. The leading scheduler keeps that from its own samples in memory
// (exact, no write per sample); the state gets only an upper bound per GPU rounded up to the minute (at most one
// write a minute, whatever the number of GPU runs), so that a process taking over never terminates early.

import type { AgentReport, ProviderInstance } from '../../backends/backend';
import type { UtilizationPolicy } from '../../schema/model';
import type { EpochMs, RunRecord } from '../model/run';
import type { OrchestratorState } from '../store/state';
import { METRICS_INTERVAL_SECS } from './metrics-store';

/** dstack's tolerance: the oldest sample in the window may be this much younger than the window's start. */
export const WINDOW_COVERAGE_SLACK_MS = 60_000;

/** The granularity of the bounds kept in the state. */
export const BUSY_BOUND_STEP_MS = 60_000;

/** What the scheduler knows of one run's GPUs at a pass. */
export interface GpuActivity {
  /** Each GPU's utilization in this pass's report (null: the instance reported none this pass). */
  current: number[] | null;
  /** Per GPU, the last sample at or above the minimum (this process's, or a bound another one left); null = none. */
  lastBusyAt: (EpochMs | null)[];
  /** The first sample of this submission, when this process took it; else (also after a takeover) the run's start stands in. */
  firstSampleAt: EpochMs | null;
}

/** Each GPU's utilization in a report (one value when the agent only gives the busiest GPU's), or null without GPUs. */
export function gpuUtilizationOf(report: AgentReport | undefined): number[] | null {
  const perGpu = report?.metrics?.gpus?.map((g) => g.utilizationPercent) ?? [];
  if (perGpu.length > 0) return perGpu;
  return report?.gpuUtilization === undefined ? null : [report.gpuUtilization];
}

/**
 * dstack's verdict (`_should_terminate_due_to_low_gpu_util`): terminate when some GPU stayed below
 * `min_gpu_utilization` in every sample of the last `time_window`, once the samples reach back to within a minute
 * of the window's start. Judged only on a pass whose report has the GPUs (a sample in the window).
 */
export function underUtilized(activity: GpuActivity, policy: UtilizationPolicy, runningSince: EpochMs, now: EpochMs): boolean {
  if (activity.current === null) return false;
  const windowStart = now - policy.time_window * 1000;
  if ((activity.firstSampleAt ?? runningSince) > windowStart + WINDOW_COVERAGE_SLACK_MS) return false;
  return activity.current.some((_, i) => (activity.lastBusyAt[i] ?? -Infinity) < windowStart);
}

/** The next bound at or after `at`: whole minutes, so that every busy run moves its bound in the same pass. */
export function busyBound(at: EpochMs): EpochMs {
  return Math.ceil(at / BUSY_BOUND_STEP_MS) * BUSY_BOUND_STEP_MS;
}

/** Raises the run's stored bounds (one per GPU reported) to cover the busy samples seen: past a bound only, so at most once a minute. */
export function coverBusySamples(run: RunRecord, activity: GpuActivity): void {
  activity.lastBusyAt.forEach((at, i) => {
    if (at === null || at <= (run.gpuBusyUntil[i] ?? -Infinity)) return;
    const bounds = [...run.gpuBusyUntil];
    while (bounds.length < Math.max(i + 1, activity.current?.length ?? 0)) bounds.push(null);
    bounds[i] = busyBound(at);
    run.gpuBusyUntil = bounds;
  });
}

interface Tracked {
  submission: number;
  lastSampleAt: EpochMs | null;
  firstSampleAt: EpochMs | null;
  lastBusyAt: (EpochMs | null)[];
  /** The run's bounds as this process last saw them after its own pass: a different value came from another leader. */
  seenBounds: (EpochMs | null)[];
  /** Met already running for a while: another leader sampled it from its start. */
  inherited: boolean;
}

/** Whether the run has been running for longer than this process could have sampled it (a takeover or a restart). */
function isTakenOver(run: RunRecord, now: EpochMs): boolean {
  return run.runningSince !== null && now - run.runningSince > 2 * METRICS_INTERVAL_SECS * 1000;
}

/** The leading scheduler's memory of the GPUs of running runs with a utilization policy. */
export class GpuActivityTracker {
  private readonly runs = new Map<string, Tracked>();

  /** Takes this pass's samples (one per METRICS_INTERVAL_SECS) and returns each tracked run's activity. */
  observe(state: OrchestratorState, views: ReadonlyMap<string, ProviderInstance>, now: EpochMs): Map<string, GpuActivity> {
    const out = new Map<string, GpuActivity>();
    for (const run of state.runs) {
      if (run.status !== 'running' || run.spec.utilizationPolicy === null || run.instanceId === null) continue;
      const policy = run.spec.utilizationPolicy;
      let t = this.runs.get(run.id);
      if (!t || t.submission !== run.submission) {
        t = { submission: run.submission, lastSampleAt: null, firstSampleAt: null, lastBusyAt: [], seenBounds: [], inherited: isTakenOver(run, now) };
        this.runs.set(run.id, t);
      }
      const current = gpuUtilizationOf(views.get(run.instanceId)?.report);
      // Bounds this process did not leave (a takeover, a restart, another leader meanwhile) stand for samples it never saw.
      const bounds = run.gpuBusyUntil;
      const inherited = bounds.filter((b, i) => b !== null && b !== (t.seenBounds[i] ?? null)) as EpochMs[];
      bounds.forEach((bound, i) => {
        if (bound !== null && bound !== (t.seenBounds[i] ?? null)) t.lastBusyAt[i] = Math.max(t.lastBusyAt[i] ?? -Infinity, bound);
      });
      // Fewer bounds than GPUs reported (a state from before per-GPU bounds knew only the busiest GPU): they cover every GPU.
      for (let i = bounds.length; inherited.length > 0 && i < (current?.length ?? 0); i++) t.lastBusyAt[i] = Math.max(t.lastBusyAt[i] ?? -Infinity, ...inherited);
      if (current !== null && (t.lastSampleAt === null || now - t.lastSampleAt >= METRICS_INTERVAL_SECS * 1000)) {
        t.lastSampleAt = now;
        if (!t.inherited) t.firstSampleAt ??= now;
        current.forEach((percent, i) => {
          if (percent >= policy.min_gpu_utilization) t.lastBusyAt[i] = now;
        });
      }
      out.set(run.id, { current, lastBusyAt: Array.from({ length: Math.max(t.lastBusyAt.length, current?.length ?? 0) }, (_, i) => t.lastBusyAt[i] ?? null), firstSampleAt: t.firstSampleAt });
    }
    for (const id of [...this.runs.keys()]) if (!out.has(id)) this.runs.delete(id);
    return out;
  }

  /** Notes the bounds the state holds after this process's own pass (so they are not taken for another leader's). */
  settled(state: OrchestratorState): void {
    for (const run of state.runs) {
      const t = this.runs.get(run.id);
      if (t && t.submission === run.submission) t.seenBounds = [...run.gpuBusyUntil];
    }
  }
}
