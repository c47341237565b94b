// Words for records that hold codes: dstack's status messages, error texts, relative times and the
// ps row fields. Derived at display time, never stored.

import { formatPrice, prettyOfferResources, displayBackend } from './offers';
import { attemptInstanceId, type InstanceRecord, type RunRecord } from './model/run';
import { JOB_TERMINATION_REASONS, RUN_TERMINATION_REASONS } from './model/status';

/** dstack's job status message (spec 5.1), with the run-level `retrying`. */
export function statusMessage(run: RunRecord): string {
  if (run.status === 'pending') return 'retrying';
  const reason = run.jobTerminationReason;
  switch (run.jobStatus) {
    case 'done':
      return 'exited (0)';
    case 'failed':
      if (reason === 'container_exited_with_error') return `exited (${run.exitCode ?? 1})`;
      if (reason === 'failed_to_start_due_to_no_capacity') return 'no capacity';
      if (reason === 'interrupted_by_no_capacity') return 'interrupted';
      return 'error';
    case 'terminated':
      return reason === 'terminated_by_user' ? 'stopped' : 'terminated';
    case 'aborted':
      return 'aborted';
    case 'submitted':
    case 'provisioning':
    case 'pulling':
    case 'running':
    case 'terminating':
      return run.jobStatus;
  }
}

/** The `ps -v` ERROR text: the job reason's, else the run reason's, else empty. */
export function errorText(run: RunRecord): string {
  const job = run.jobTerminationReason ? JOB_TERMINATION_REASONS[run.jobTerminationReason].errorText : null;
  const runText = run.runTerminationReason ? RUN_TERMINATION_REASONS[run.runTerminationReason].errorText : null;
  return job ?? runText ?? '';
}

/** What `apply` prints when the run ends: `Exited (0)`, `No capacity`, `Error (Instance unreachable)`... */
export function finalMessage(run: RunRecord): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const err = errorText(run);
  return err ? `${cap(statusMessage(run))} (${cap(err)})` : cap(statusMessage(run));
}

/** dstack's relative time: `now`, `N sec ago`, `1 min ago`, `N mins ago`, `1 hour ago`, `yesterday`, ... */
export function relativeTime(at: number, now: number): string {
  const secs = Math.max(0, Math.floor((now - at) / 1000));
  if (secs < 5) return 'now';
  if (secs < 60) return `${secs} sec ago`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return mins === 1 ? '1 min ago' : `${mins} mins ago`;
  const hours = Math.floor(mins / 60);
  if (hours < 24) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  const weeks = Math.floor(days / 7);
  return weeks === 1 ? '1 week ago' : `${weeks} weeks ago`;
}

/** `2m 34s` style duration for `(inactive for ...)`. */
export function shortDuration(secs: number): string {
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = Math.floor(secs % 60);
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].filter(Boolean).join(' ');
}

/** The instance a run is (or was last) on: the current one, else the last created attempt's. */
export function runInstance(run: RunRecord, instances: readonly InstanceRecord[]): InstanceRecord | undefined {
  if (run.instanceId) {
    const current = instances.find((i) => i.id === run.instanceId);
    if (current) return current;
  }
  const created = [...run.attempts].reverse().find((a) => a.outcome === 'created');
  if (!created) return undefined;
  const id = attemptInstanceId(run.id, created);
  return instances.find((i) => i.id === id);
}

/** The fields of one `ps` row. */
export interface RunRow {
  name: string;
  backend: string;
  region: string;
  gpu: string;
  resources: string;
  instanceType: string;
  price: string;
  status: string;
  submitted: string;
  error: string;
}

/** ps row fields for a run. */
export function runRow(run: RunRecord, instances: readonly InstanceRecord[], now: number): RunRow {
  const inst = runInstance(run, instances);
  const offer = inst?.offer;
  const gpus = offer?.resources.gpus ?? [];
  const gpu = !offer ? '-' : gpus.length === 0 ? '-' : `gpu=${gpus[0]?.name}:${gpus[0]?.memoryGB}GB:${gpus.length}`;
  return {
    name: run.name,
    backend: offer ? displayBackend(offer.backend) : '',
    region: offer?.region ?? '',
    gpu,
    resources: offer ? prettyOfferResources(offer.resources) : '',
    instanceType: offer?.instanceType ?? '',
    price: offer ? `${formatPrice(offer.pricePerHour)}${offer.resources.spot ? ' (spot)' : ''}` : '-',
    status: statusMessage(run),
    submitted: relativeTime(run.submittedAt, now),
    error: errorText(run),
  };
}
