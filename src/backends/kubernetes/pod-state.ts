// What a pod's status means for the orchestrator: pending, running, unschedulable (with the scheduler's
// reason), an image that cannot be pulled, or a container that ended.

import type { ProviderState } from '../backend';

/** The fields of a V1Pod's status the backend reads. */
export interface PodStatusLike {
  metadata?: { deletionTimestamp?: unknown };
  spec?: { containers?: { image?: string }[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: { image?: string; state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string; message?: string } } }[];
  };
}

/** A pod's meaning (closed). */
export type PodVerdict =
  | { kind: 'pending' }
  | { kind: 'running' }
  | { kind: 'stopping' }
  | { kind: 'unschedulable'; message: string }
  | { kind: 'image_pull'; image: string; message: string }
  | { kind: 'exited'; exitCode: number; message: string };

const PULL_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** Reads the pod's status. */
export function podVerdict(pod: PodStatusLike): PodVerdict {
  if (pod.metadata?.deletionTimestamp) return { kind: 'stopping' };
  const phase = pod.status?.phase;
  const c = pod.status?.containerStatuses?.[0];
  if (phase === 'Succeeded' || phase === 'Failed') {
    const t = c?.state?.terminated;
    return { kind: 'exited', exitCode: t?.exitCode ?? 1, message: t?.message ?? t?.reason ?? phase };
  }
  if (phase === 'Running') return { kind: 'running' };
  const sched = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') return { kind: 'unschedulable', message: sched.message ?? 'no node fits the pod' };
  const waiting = c?.state?.waiting;
  if (waiting?.reason !== undefined && PULL_ERRORS.has(waiting.reason)) {
    return { kind: 'image_pull', image: c?.image ?? pod.spec?.containers?.[0]?.image ?? '?', message: `${waiting.reason}: ${waiting.message ?? ''}`.trim() };
  }
  return { kind: 'pending' };
}

/** The orchestrator's state for a verdict. */
export function providerStateOf(v: PodVerdict): ProviderState {
  return v.kind === 'running' ? 'running' : v.kind === 'stopping' ? 'stopping' : v.kind === 'exited' ? 'gone' : 'pending';
}
