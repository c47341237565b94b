// The events a leading scheduler emits (status changes, provisioning attempts, progress stages), derived from two
// successive snapshots of the store, so a process that follows the store while another one leads (a CLI apply
// while a VS Code window leads, a second window) sees the same stream. Between snapshots one pass apart the
// derived run events are the scheduler's own, in its order; passes that a snapshot skipped collapse into what they
// changed, keeping the steps a change implies (a finished run went through terminating; a new submission number
// means a resubmission).

import type { OrchestratorEvent } from './events';
import { FINISHED_RUN_STATUSES, type JobStatus, type RunStatus } from './model/status';
import type { RunRecord } from './model/run';
import type { OrchestratorState } from './store/state';

/** The part of a run the derivation compares. */
type RunView = Pick<RunRecord, 'status' | 'jobStatus' | 'submission' | 'attempts'>;

/** Every event that leads from `prev` to `next` (runs first, in store order, then instances). */
export function eventsBetween(prev: OrchestratorState, next: OrchestratorState): OrchestratorEvent[] {
  if (prev === next) return [];
  const prevRuns = new Map(prev.runs.map((r) => [r.id, r]));
  const events: OrchestratorEvent[] = [];
  for (const run of next.runs) {
    // A run first seen now was submitted (submitRun emits nothing) since the previous snapshot.
    const before: RunView = prevRuns.get(run.id) ?? { status: 'submitted', jobStatus: 'submitted', submission: run.submission, attempts: [] };
    if (before !== run) events.push(...runEvents(before, run));
  }
  const prevInstances = new Map(prev.instances.map((i) => [i.id, i.status]));
  for (const inst of next.instances) {
    // A new record is written `pending` (write-ahead) before any status event.
    const was = prevInstances.get(inst.id) ?? 'pending';
    if (was !== inst.status) events.push({ kind: 'instance_status', instance: inst.id, status: inst.status });
  }
  return events;
}

/** The events of one run between two of its versions. */
function runEvents(before: RunView, after: RunRecord): OrchestratorEvent[] {
  const run = after.name;
  const events: OrchestratorEvent[] = [];
  let status: RunStatus = before.status;
  let jobStatus: JobStatus = before.jobStatus;
  const setStatus = (s: RunStatus, j: JobStatus, reason: RunRecord['jobTerminationReason']): void => {
    if (s === status && j === jobStatus) return;
    status = s;
    jobStatus = j;
    events.push({ kind: 'run_status', run, status: s, jobStatus: j, reason });
  };
  // A retry started a new submission (which resets the termination reason).
  if (after.submission !== before.submission) setStatus('submitted', 'submitted', null);
  // Attempts are only ever appended (every submission's stay in the record).
  for (const attempt of after.attempts.slice(before.attempts.length)) {
    events.push({ kind: 'progress', run, stage: 'provisioning' }, { kind: 'attempt', run, attempt });
    // A created instance moved the submitted job to provisioning.
    if (attempt.outcome === 'created' && attempt.submission === after.submission && status === 'submitted') setStatus('provisioning', 'provisioning', null);
  }
  if (status === after.status && jobStatus === after.jobStatus) return events;
  const ends = FINISHED_RUN_STATUSES.has(after.status) || after.status === 'pending';
  // Every end (a final status, or pending for a retry) is reached through terminating.
  if ((after.status === 'terminating' || ends) && status !== 'terminating' && !FINISHED_RUN_STATUSES.has(status)) {
    setStatus('terminating', 'terminating', after.jobTerminationReason);
    events.push({ kind: 'progress', run, stage: 'stopping' });
  }
  setStatus(after.status, after.jobStatus, after.jobTerminationReason);
  if (after.status === 'running') events.push({ kind: 'progress', run, stage: 'ready' });
  else if (after.jobStatus === 'pulling') events.push({ kind: 'progress', run, stage: 'running_init' });
  else if (FINISHED_RUN_STATUSES.has(after.status)) events.push({ kind: 'progress', run, stage: 'finished' });
  return events;
}
