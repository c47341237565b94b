// The persisted records: runs, their submissions and provisioning attempts, and instances. Records hold
// codes (statuses, reasons, error codes), never sentences; messages are derived at display time.

import type { Requirements, CreateErrorCode, SshVia } from '../../backends/backend';
import type { BackendId, Offer } from '../../backends/offer';
import type { RetrySpec, UtilizationPolicy } from '../../schema/model';
import type {
  InstanceStatus, InstanceTerminationReason, JobStatus, JobTerminationReason, RunStatus, RunTerminationReason,
} from './status';

/** Milliseconds since the epoch (from the injectable clock). */
export type EpochMs = number;

/** What the orchestrator needs of a dev-environment run, resolved from the configuration at apply time. */
export interface RunSpec {
  /** The configuration file the run was applied from (for messages only). */
  configurationPath: string;
  requirements: Requirements;
  /** Offers of the plan, in the order provisioning tries them (the offers engine's order). */
  offers: Offer[];
  retry: RetrySpec | null;
  /** Seconds without SSH activity before the dev environment stops; null = off. */
  inactivityDuration: number | null;
  /** Seconds the run may last; null = off. */
  maxDuration: number | null;
  /** Seconds a finished run's instance is kept for reuse; 0 = terminate at once; negative = keep (`off`). */
  idleDuration: number;
  utilizationPolicy: UtilizationPolicy | null;
  /** Shell lines run by `sh -c` on the instance. */
  init: string[];
  /** The env after `-e` and the process env; `${{ secrets.X }}` stay references until the instance is created. */
  env: Record<string, string>;
  /** Working directory inside the instance, relative to its home or absolute. */
  workingDir: string | null;
  /**
   * The code the run carries: the tar planned, limit-checked and written once at apply
   * (`<state>/uploads/<run id>.tar`), extracted as it is into the working dir by every backend, removed when
   * the run finishes. Absent = no code (`--no-repo`).
   */
  codeArchive?: string;
  /** dstack's DSTACK_REPO_ID of that code (the git work tree's id); absent = `none`. */
  repoId?: string;
  /** The fields compared for a re-apply (normalized configuration as JSON), for the in-place update check. */
  configuration: Record<string, unknown>;
}

/** One try of one offer while provisioning. */
export interface ProvisioningAttempt {
  at: EpochMs;
  submission: number;
  offerIndex: number;
  backend: BackendId;
  region: string;
  instanceType: string;
  pricePerHour: number;
  outcome: 'created' | CreateErrorCode;
  /** The provider's own error text (no secrets: backends never put credentials in errors). */
  error?: string;
  /** Set when the attempt took this idle instance instead of creating one (its id is not the offer index's). */
  reusedInstanceId?: string;
}

/** The instance one successful attempt ran on: the idle one it reused, else the one created for its offer. */
export function attemptInstanceId(runId: string, a: Pick<ProvisioningAttempt, 'submission' | 'offerIndex' | 'reusedInstanceId'>): string {
  return a.reusedInstanceId ?? `${runId}-s${a.submission}-o${a.offerIndex}`;
}

/** A run (one job: dev environments are single-node). */
export interface RunRecord {
  id: string;
  name: string;
  spec: RunSpec;
  status: RunStatus;
  jobStatus: JobStatus;
  submittedAt: EpochMs;
  statusChangedAt: EpochMs;
  /** Job submission number (retries make new submissions), from 0. */
  submission: number;
  submissionStartedAt: EpochMs;
  /** When the current submission got an instance (provisioning started); null before. */
  provisionedAt: EpochMs | null;
  /** When the job reached `running`; null before. */
  runningSince: EpochMs | null;
  /**
   * When the last submission that had an instance ended (dstack's `last_processed_at` of the last provisioned
   * submission, i.e. the interruption or error); null while no submission had one. `retry.duration` is measured
   * from here, else from `submittedAt`.
   */
  provisionedSubmissionEndedAt: EpochMs | null;
  /** Next offer index to try in the current submission. */
  nextOfferIndex: number;
  instanceId: string | null;
  attempts: ProvisioningAttempt[];
  /** Pending resubmission: attempt number and when it may start. */
  retryAttempt: number;
  retryAt: EpochMs | null;
  /** The user asked to stop (graceful) or abort; the scheduler acts on it. */
  stopRequest: 'stop' | 'abort' | null;
  jobTerminationReason: JobTerminationReason | null;
  runTerminationReason: RunTerminationReason | null;
  /** Exit status of init when it failed (`exited (N)`). */
  exitCode: number | null;
  /**
   * When the instance last saw SSH activity (now − its reported `no_connections_secs`), or null before its
   * first report. A time, not a counter, so a steady idle run does not rewrite the state on every pass.
   */
  lastActivityAt: EpochMs | null;
  /**
   * Per GPU, a time at or after its last utilization sample at or above the utilization policy's minimum, rounded
   * up to the minute (so busy GPUs change the state at most once a minute); empty before any. The leading scheduler
   * judges from its own samples; a process taking over (or restarting) counts these as busy samples it never saw.
   */
  gpuBusyUntil: (EpochMs | null)[];
}

/** One machine the orchestrator created (or found) on a backend. */
export interface InstanceRecord {
  /** Our id; the idempotency key of Backend.create and the `instanceId` tag. */
  id: string;
  backend: BackendId;
  offer: Offer;
  status: InstanceStatus;
  /** The run it serves now (busy/provisioning), or null when idle. */
  runId: string | null;
  /** The run it was created for (its tags name this run). */
  createdForRun: string;
  createdAt: EpochMs;
  statusChangedAt: EpochMs;
  /** When the instance became idle; null while busy. */
  idleSince: EpochMs | null;
  /** Seconds an idle instance is kept. */
  idleDuration: number;
  terminationReason: InstanceTerminationReason | null;
  providerId?: string;
  /** Where SSH reaches it, once known. The SSH engineer's seam. */
  ssh?: { host: string; port: number; user: string; proxyJump?: string; hostPublicKey?: string; via?: SshVia };
  /** The environment's working dir as its agent reports it (absolute, where `ssh <run>` lands), once known. */
  workingDir?: string;
}

/** Run statuses that count as active for name uniqueness and `ps`. */
export function isActiveRun(run: RunRecord): boolean {
  return run.status !== 'terminated' && run.status !== 'failed' && run.status !== 'done';
}

/** Seconds the run has been without SSH activity at `now`, or null before the instance's first report. */
export function inactiveSecs(run: Pick<RunRecord, 'lastActivityAt'>, now: EpochMs): number | null {
  return run.lastActivityAt === null ? null : Math.max(0, Math.floor((now - run.lastActivityAt) / 1000));
}
