// dstack's run, job and instance statuses and termination reasons as closed unions, with the one
// exhaustive map from each reason to its final status, retry event and error text (spec 5.1).

import type { RetryEvent } from '../../schema/model';

/** dstack's RunStatus. */
export type RunStatus = 'pending' | 'submitted' | 'provisioning' | 'running' | 'terminating' | 'terminated' | 'failed' | 'done';

/** dstack's JobStatus. */
export type JobStatus =
  | 'submitted' | 'provisioning' | 'pulling' | 'running' | 'terminating' | 'terminated' | 'aborted' | 'failed' | 'done';

/** dstack's InstanceStatus (`pending` also covers the write-ahead record made before `create`). */
export type InstanceStatus = 'pending' | 'provisioning' | 'idle' | 'busy' | 'terminating' | 'terminated';

/** Run statuses that never change again. */
export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['terminated', 'failed', 'done']);

/** Job statuses that never change again. */
export const FINISHED_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['terminated', 'aborted', 'failed', 'done']);

/** dstack's JobTerminationReason. */
export type JobTerminationReason =
  | 'failed_to_start_due_to_no_capacity'
  | 'interrupted_by_no_capacity'
  | 'instance_unreachable'
  | 'instance_access_revoked'
  | 'waiting_instance_limit_exceeded'
  | 'waiting_runner_limit_exceeded'
  | 'terminated_by_user'
  | 'volume_error'
  | 'gateway_error'
  | 'scaled_down'
  | 'done_by_runner'
  | 'aborted_by_user'
  | 'terminated_by_server'
  | 'inactivity_duration_exceeded'
  | 'terminated_due_to_utilization_policy'
  | 'container_exited_with_error'
  | 'ports_binding_failed'
  | 'creating_container_error'
  | 'executor_error'
  | 'max_duration_exceeded'
  | 'log_quota_exceeded';

/** Final job status, retry event and `ps -v` error text of one job termination reason. */
export interface JobReasonInfo {
  status: Extract<JobStatus, 'failed' | 'terminated' | 'done' | 'aborted'>;
  retryEvent: RetryEvent | null;
  errorText: string | null;
}

/** The one exhaustive reason → (status, retry event, error text) table (spec 5.1). */
export const JOB_TERMINATION_REASONS = {
  failed_to_start_due_to_no_capacity: { status: 'failed', retryEvent: 'no-capacity', errorText: null },
  interrupted_by_no_capacity: { status: 'failed', retryEvent: 'interruption', errorText: null },
  instance_unreachable: { status: 'failed', retryEvent: 'error', errorText: 'instance unreachable' },
  instance_access_revoked: { status: 'failed', retryEvent: 'error', errorText: 'instance access revoked' },
  waiting_instance_limit_exceeded: { status: 'failed', retryEvent: 'error', errorText: 'waiting instance limit exceeded' },
  waiting_runner_limit_exceeded: { status: 'failed', retryEvent: 'error', errorText: 'waiting runner limit exceeded' },
  terminated_by_user: { status: 'terminated', retryEvent: null, errorText: null },
  volume_error: { status: 'failed', retryEvent: 'error', errorText: 'volume error' },
  gateway_error: { status: 'failed', retryEvent: 'error', errorText: 'gateway error' },
  scaled_down: { status: 'terminated', retryEvent: null, errorText: 'scaled down' },
  done_by_runner: { status: 'done', retryEvent: null, errorText: null },
  aborted_by_user: { status: 'aborted', retryEvent: null, errorText: null },
  terminated_by_server: { status: 'terminated', retryEvent: null, errorText: null },
  inactivity_duration_exceeded: { status: 'terminated', retryEvent: null, errorText: 'inactivity duration exceeded' },
  terminated_due_to_utilization_policy: { status: 'terminated', retryEvent: null, errorText: 'utilization policy' },
  container_exited_with_error: { status: 'failed', retryEvent: 'error', errorText: null },
  ports_binding_failed: { status: 'failed', retryEvent: 'error', errorText: 'ports binding failed' },
  creating_container_error: { status: 'failed', retryEvent: 'error', errorText: 'runner error' },
  executor_error: { status: 'failed', retryEvent: 'error', errorText: 'executor error' },
  max_duration_exceeded: { status: 'terminated', retryEvent: null, errorText: 'max duration exceeded' },
  log_quota_exceeded: { status: 'failed', retryEvent: 'error', errorText: 'log quota exceeded' },
} as const satisfies Record<JobTerminationReason, JobReasonInfo>;

/** dstack's RunTerminationReason. */
export type RunTerminationReason =
  | 'all_jobs_done' | 'job_failed' | 'retry_limit_exceeded' | 'stopped_by_user' | 'aborted_by_user' | 'server_error' | 'gateway_error';

/** Final run status, the job reason it implies and the run's error text (spec 5.1, `to_status`). */
export const RUN_TERMINATION_REASONS = {
  all_jobs_done: { status: 'done', jobReason: 'done_by_runner', errorText: null },
  job_failed: { status: 'failed', jobReason: 'terminated_by_server', errorText: null },
  retry_limit_exceeded: { status: 'failed', jobReason: 'terminated_by_server', errorText: 'retry limit exceeded' },
  server_error: { status: 'failed', jobReason: 'terminated_by_server', errorText: 'server error' },
  gateway_error: { status: 'failed', jobReason: 'terminated_by_server', errorText: 'gateway error' },
  stopped_by_user: { status: 'terminated', jobReason: 'terminated_by_user', errorText: null },
  aborted_by_user: { status: 'terminated', jobReason: 'aborted_by_user', errorText: null },
} as const satisfies Record<RunTerminationReason, {
  status: Extract<RunStatus, 'done' | 'failed' | 'terminated'>;
  jobReason: JobTerminationReason;
  errorText: string | null;
}>;

/** Why an instance record ended (ours, not dstack's: dstack keeps these as free text). */
export type InstanceTerminationReason =
  | 'idle_timeout' | 'run_finished' | 'create_failed' | 'gone' | 'orphan' | 'interrupted' | 'aborted' | 'terminated_by_user';

/** Text shown for an instance termination reason. */
export const INSTANCE_TERMINATION_TEXT = {
  idle_timeout: 'idle timeout',
  run_finished: 'run finished',
  create_failed: 'creation failed',
  gone: 'the backend no longer has it',
  orphan: 'found with our tags but unknown to the state (orphan sweep)',
  interrupted: 'interrupted by the provider',
  aborted: 'aborted',
  terminated_by_user: 'terminated by the user',
} as const satisfies Record<InstanceTerminationReason, string>;

/** Final job status of a termination reason. */
export function jobStatusOf(reason: JobTerminationReason): JobReasonInfo['status'] {
  return JOB_TERMINATION_REASONS[reason].status;
}

/** The retry event a job termination reason counts as, or null when it is never retried. */
export function retryEventOf(reason: JobTerminationReason): RetryEvent | null {
  return JOB_TERMINATION_REASONS[reason].retryEvent;
}

/** Final run status of a run termination reason. */
export function runStatusOf(reason: RunTerminationReason): (typeof RUN_TERMINATION_REASONS)[RunTerminationReason]['status'] {
  return RUN_TERMINATION_REASONS[reason].status;
}
