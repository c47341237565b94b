// The one interface every backend implements. Calls return fast (seconds, not minutes), are safe to
// repeat, and never block on the instance becoming ready: the orchestrator polls `refresh`.

import type { BackendId, Offer } from './offer';
import type { ResourcesSpec, SpotPolicy } from '../schema/model';

/** What the run asks for, after the configuration and CLI flags are merged. */
export interface Requirements {
  resources: ResourcesSpec;
  /** `true` = spot only, `false` = on-demand only, `null` = either (spot_policy auto). */
  spot: boolean | null;
  maxPrice: number | null;
  regions: string[] | null;
  instanceTypes: string[] | null;
  /** Profile `backends`: only offers of these backends (null or absent = any). */
  backends?: BackendId[] | null;
}

/** Maps spot_policy to the Requirements.spot tri-state. */
export function spotFromPolicy(policy: SpotPolicy): boolean | null {
  return policy === 'spot' ? true : policy === 'on-demand' ? false : null;
}

/** The host an environment's sshd is reached through (and that host's own jump host), as the ssh config names them. */
export interface SshVia {
  hostName: string;
  port: number;
  user: string;
  identityFile?: string;
  hostPublicKey?: string;
  /** The alias the host's key is pinned under in our known_hosts. */
  hostKeyAlias?: string;
  jump?: { hostName: string; port: number; user: string; identityFile?: string; hostKeyAlias?: string };
}

/** Tags put on everything a backend creates, so a restart can always find it again. */
export interface ResourceTags {
  /** This installation (a random id kept in the state dir). */
  installation: string;
  runName: string;
  /** The orchestrator's id for the instance; also the idempotency key of `create`. */
  instanceId: string;
}

/**
 * The dev environment an instance runs: backends start it at create time (local, SSH fleets) or keep it
 * until the instance runs (EC2, pods). `env` holds resolved secrets: never log it.
 */
export interface InstanceJob {
  runId: string;
  runName: string;
  /** Shell lines run once with `sh -c`, output streamed to the run's log. */
  init: string[];
  env: Record<string, string>;
  workingDir: string | null;
  /** The run's code (a tar file written at apply), extracted into the working dir before init, on every backend; absent = no code. */
  codeArchive?: string;
  /** dstack's DSTACK_REPO_ID of that code; absent = `none`. */
  repoId?: string;
  /** Seconds without activity after which the instance stops itself if no orchestrator holds the lease; null = off. */
  inactivityDuration: number | null;
  /** Seconds after which the instance stops itself; null = off. */
  maxDuration: number | null;
  /** The orchestrator's lease file, read by the instance's dead-man's switch. */
  leaseFile: string;
  /** The configuration file the run was applied from (`files` entries resolve against its directory). */
  configurationPath?: string;
  /** The normalized configuration (image, files, docker, privileged, resources.shm_size, ...), for backends that use more than the fields above. */
  configuration?: Record<string, unknown>;
  /** `registry_auth` with secrets resolved: never log it, never put it on a command line. */
  registryAuth?: { username: string; password: string };
}

/** The provider's current view of one instance. `gone` is a value, not an error. */
export type ProviderState = 'pending' | 'running' | 'stopping' | 'gone';

/**
 * Why an instance that `create` accepted will never start (closed): nothing can take it (a pod no node can
 * schedule), or its container cannot be created (an image that cannot be pulled).
 */
export type StartFailureCode = 'no_capacity' | 'container_error';

export interface ProviderInstance {
  instanceId: string;
  state: ProviderState;
  /** Where SSH reaches the host once running. */
  ssh?: { host: string; port: number; user: string; proxyJump?: string; /** The host key line to pin, when the backend generated it. */ hostPublicKey?: string; /** Reached through this host (SSH fleets: the sshd listens on the host's loopback). */ via?: SshVia };
  /** True when the provider reclaimed a spot instance. */
  interrupted?: boolean;
  tags: ResourceTags;
  /** Provider's own id (EC2 instance id, pod name, ...). */
  providerId?: string;
  /** What the in-instance agent last reported, where the backend can read it. */
  report?: AgentReport;
  /**
   * The provider says it will never start: no capacity fails over to the next offer as a refused `create`
   * does, a container error ends the job. `message` names the cause and the fix (no secrets).
   */
  startFailure?: { code: StartFailureCode; message: string };
  /** The instance could not be reached this time (a network outage): `state` is the last known one, no report. */
  unreachable?: boolean;
}

/** What the agent on an instance reports: readiness, init outcome, activity and GPU use. */
export interface AgentReport {
  /** `init` finished successfully and the environment is usable. */
  ready: boolean;
  /** Exit status of `init` once it ended with an error; absent while running or on success. */
  initExitCode?: number;
  /** Seconds since the last qualifying SSH connection (dstack's `no_connections_secs`). */
  noConnectionsSecs?: number;
  /** Latest GPU utilization, percent, max over the GPUs; absent without GPUs. */
  gpuUtilization?: number;
  /** Latest resource figures of the environment (dstack's `metrics`), where the agent can read them. */
  metrics?: AgentMetrics;
  /** The environment's working dir, absolute, as its SSH sessions (and Remote-SSH) see it. */
  workingDir?: string;
}

/** One sample of what the environment uses; every field is absent when the agent can't read it. */
export interface AgentMetrics {
  /** Seconds since the epoch when the agent took the sample. */
  at: number;
  /** CPU use of the environment, percent of one core (200 = two cores busy), as dstack shows it. */
  cpuPercent?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  /** Per GPU, in nvidia-smi's index order. */
  gpus?: { utilizationPercent: number; memoryUsedBytes: number; memoryTotalBytes: number }[];
}

export interface BackendCapabilities {
  spot: boolean;
  /** The backend runs the environment inside a container it manages (Kubernetes) rather than a VM host. */
  containerNative: boolean;
  /** Instances cost money: the orchestrator must never forget them. */
  billable: boolean;
  /** Disk size can be chosen at create time. */
  configurableDisk: boolean;
  /** A finished run's instance can serve the next run (idle_duration applies); false = terminated at run end. */
  reusable: boolean;
}

/** Why `create` failed, as a closed union the scheduler can act on (failover, retry, fail). */
export type CreateErrorCode = 'no_capacity' | 'quota' | 'throttled' | 'auth' | 'invalid' | 'error';

/** A failure of a backend call that the scheduler understands. */
export class BackendError extends Error {
  constructor(readonly code: CreateErrorCode, message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

export interface Backend {
  readonly id: BackendId;
  readonly capabilities: BackendCapabilities;

  /**
   * Offers matching `req` (or all offers when `req` is omitted), in the backend's own order.
   * Must not create anything. May use a cache; must not take longer than a few seconds.
   */
  listOffers(req?: Requirements): Promise<Offer[]>;

  /**
   * Starts creating an instance for `offer` and returns at once (it does not wait for it to run).
   * Idempotent on `tags.instanceId`: a repeated call returns the same instance and never creates a second one.
   * Everything created carries `tags`. Throws BackendError('no_capacity' | ...) when the provider refuses.
   */
  create(offer: Offer, tags: ResourceTags, sshPublicKey: string, job?: InstanceJob): Promise<ProviderInstance>;

  /**
   * The provider's current view of these instances (by orchestrator id). An instance the provider no
   * longer has comes back with state `gone`; never throws for that.
   */
  refresh(instanceIds: string[]): Promise<ProviderInstance[]>;

  /** Everything carrying this installation's tags, for the orphan sweep at start. */
  listTagged(installation: string): Promise<ProviderInstance[]>;

  /** Terminates the instance. Idempotent: terminating a gone instance succeeds. Does not wait for `gone`. */
  terminate(instanceId: string): Promise<void>;

  /**
   * Reusable backends whose instances run the environment themselves: the run on the instance ended and the
   * orchestrator keeps it idle for `idleDurationSecs` (negative: until stopped by hand). Stops the environment
   * (its processes, its sshd, its working dir) and keeps the machine, which must end itself after the idle
   * duration when no orchestrator renews it. Called on every pass while the instance is idle: cheap once done.
   * A failure makes the orchestrator terminate the instance instead (nothing is kept that might still run a job).
   */
  release?(instanceId: string, idleDurationSecs: number): Promise<void>;

  /**
   * Reusable backends whose instances run the environment themselves: `job` takes the idle instance (new run
   * key and host key, the new run's code), started as `create` would start it on a new instance. `tags` name the
   * new run; `offer` is the instance's own. Called before the orchestrator records the reuse; idempotent.
   */
  reuse?(offer: Offer, tags: ResourceTags, sshPublicKey: string, job: InstanceJob): Promise<void>;
}
