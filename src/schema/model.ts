// The normalized configuration model: dstack's field names and value shapes, produced by the language core
// from a valid `.dstack.yml` and consumed by offers, the orchestrator and the backends.

/** A closed or half-open range; `null` on a side means unbounded (dstack's `Range`). */
export interface Range<T extends number = number> {
  min: T | null;
  max: T | null;
}

/** Memory in GB (binary, 1024 steps), as dstack's `Memory`. */
export type MemoryGB = number;

/** Seconds. */
export type Seconds = number;

export type CpuArch = 'x86' | 'arm';
export type GpuVendor = 'nvidia' | 'amd' | 'google' | 'intel' | 'tenstorrent';

export interface CpuSpec {
  arch: CpuArch | null;
  count: Range;
}

export interface GpuSpec {
  vendor: GpuVendor | null;
  name: string[] | null;
  count: Range;
  memory: Range<MemoryGB> | null;
  total_memory: Range<MemoryGB> | null;
  /** [major, minor] */
  compute_capability: [number, number] | null;
}

export interface DiskSpec {
  size: Range<MemoryGB>;
}

export interface ResourcesSpec {
  cpu: CpuSpec;
  memory: Range<MemoryGB>;
  shm_size: MemoryGB | null;
  gpu: GpuSpec | null;
  disk: DiskSpec | null;
}

/** A value-less env entry (`- HF_TOKEN`): it must come from `-e` or the local process environment. */
export interface EnvUnset {
  __unset__: string;
}
export type EnvValue = string | EnvUnset;

export interface PortMapping {
  local_port: number | null;
  container_port: number;
}

export interface FilePathMapping {
  local_path: string;
  path: string;
}

export interface RepoSpec {
  local_path: string | null;
  url: string | null;
  branch: string | null;
  hash: string | null;
  path: string;
  if_exists: 'error' | 'skip';
}

export type VolumeMount =
  | { kind: 'VolumeMountPoint'; name: string | string[]; path: string }
  | { kind: 'InstanceMountPoint'; instance_path: string; path: string; optional: boolean };

export type RetryEvent = 'no-capacity' | 'interruption' | 'error';

/** `retry` after normalization (JobSpec.retry): null = no retry. */
export interface RetrySpec {
  on_events: RetryEvent[];
  duration: Seconds;
}

export interface UtilizationPolicy {
  min_gpu_utilization: number;
  time_window: Seconds;
}

export type SpotPolicy = 'spot' | 'on-demand' | 'auto';
export type Ide = 'vscode' | 'cursor' | 'windsurf' | 'zed';
export type ConfigurationType = 'dev-environment' | 'task' | 'service' | 'fleet' | 'gateway' | 'volume' | 'preset';

/** A fleet or project reference (`name` or `project/name`). */
export interface EntityReference {
  project: string | null;
  name: string;
}

/** One `instances` entry after normalization. */
export type InstanceSelector = { name: string } | { hostname: string } | { fleet: EntityReference; instance: number };

/** `retry` as written (after grammar normalization): a boolean or the object form. */
export type RetryConfig = boolean | { on_events?: RetryEvent[]; duration?: Seconds };

/** `registry_auth`: both fields may use `${{ env.X }}` / `${{ secrets.X }}`. */
export interface RegistryAuth {
  username: string;
  password: string;
}

/** Profile fields shared by dev environments, tasks and services (dstack's `ProfileParams`); only fields that were set appear. */
export interface ProfileParams {
  backends?: string[] | null;
  regions?: string[] | null;
  availability_zones?: string[] | null;
  instance_types?: string[] | null;
  reservation?: string | null;
  spot_policy?: SpotPolicy | null;
  retry?: RetryConfig | null;
  max_duration?: Seconds | 'off' | null;
  stop_duration?: Seconds | 'off' | null;
  max_price?: number | null;
  creation_policy?: 'reuse' | 'reuse-or-create' | null;
  /** -1 = never terminate idle instances. */
  idle_duration?: Seconds | null;
  utilization_policy?: UtilizationPolicy | null;
  startup_order?: 'any' | 'master-first' | 'workers-first' | null;
  stop_criteria?: 'all-done' | 'master-done' | null;
  schedule?: { cron: string[] } | null;
  fleets?: EntityReference[] | null;
  instances?: InstanceSelector[] | null;
  tags?: Record<string, string> | null;
  backend_options?: Record<string, unknown>[] | null;
}

/** Fields every run configuration has (dstack's `BaseRunConfiguration`); `env` and `resources` are always filled. */
export interface BaseRunConfiguration extends ProfileParams {
  name?: string | null;
  image?: string | null;
  user?: string | null;
  privileged?: boolean;
  entrypoint?: string | null;
  working_dir?: string | null;
  home_dir?: string;
  registry_auth?: RegistryAuth | null;
  python?: string | null;
  nvcc?: boolean | null;
  single_branch?: boolean | null;
  env: Record<string, EnvValue>;
  shell?: string | null;
  resources: ResourcesSpec;
  priority?: number | null;
  volumes?: VolumeMount[];
  docker?: boolean | null;
  repos?: RepoSpec[];
  files?: FilePathMapping[];
  dstack?: boolean;
  setup?: string[];
}

/** A normalized `type: dev-environment` configuration. */
export interface DevEnvironmentConfiguration extends BaseRunConfiguration {
  type: 'dev-environment';
  ide?: Ide | null;
  version?: string | null;
  init?: string[];
  /** null = off. */
  inactivity_duration?: Seconds | null;
  ports?: PortMapping[];
}

/** A normalized `type: task` configuration. */
export interface TaskConfiguration extends BaseRunConfiguration {
  type: 'task';
  commands?: string[];
  nodes?: number | null;
  ports?: PortMapping[];
  groups?: Record<string, unknown>[] | null;
}

/** A normalized `type: service` configuration (service-only fields are kept as parsed). */
export interface ServiceConfiguration extends BaseRunConfiguration {
  type: 'service';
  port: PortMapping;
  commands?: string[];
  replicas?: Range | Record<string, unknown>[] | null;
  [field: string]: unknown;
}

/** A normalized `type: fleet` configuration; `ssh_config` describes an on-prem (SSH) fleet. */
export interface FleetConfiguration {
  type: 'fleet';
  name?: string | null;
  nodes?: { min: number; target: number; max: number | null } | null;
  resources?: ResourcesSpec | null;
  ssh_config?: SshParams | null;
  env: Record<string, EnvValue>;
  [field: string]: unknown;
}

/** Connection parameters of one SSH fleet host (per-host overrides of the fleet-wide ones). */
export interface SshHostParams {
  hostname: string;
  port?: number | null;
  user?: string | null;
  identity_file?: string | null;
  proxy_jump?: Record<string, unknown> | null;
  internal_ip?: string | null;
  ssh_key?: { public?: string | null; private: string } | null;
  blocks?: number | 'auto' | null;
}

/** `ssh_config` of an SSH fleet: defaults for all hosts plus the hosts (strings become `{hostname}`). */
export interface SshParams {
  user?: string | null;
  port?: number | null;
  identity_file?: string | null;
  ssh_key?: { public?: string | null; private: string } | null;
  proxy_jump?: Record<string, unknown> | null;
  hosts: SshHostParams[];
  network?: string | null;
}

/** A normalized `type: gateway` configuration. */
export interface GatewayConfiguration {
  type: 'gateway';
  backend: string;
  region: string;
  [field: string]: unknown;
}

/** A normalized `type: volume` configuration (`size` in GB). */
export interface VolumeConfiguration {
  type: 'volume';
  backend: string;
  size?: MemoryGB | null;
  [field: string]: unknown;
}

/** A normalized `type: preset` configuration. */
export interface PresetConfiguration {
  type: 'preset';
  [field: string]: unknown;
}

/** Any normalized configuration, discriminated by `type`. */
export type Configuration =
  | DevEnvironmentConfiguration
  | TaskConfiguration
  | ServiceConfiguration
  | FleetConfiguration
  | GatewayConfiguration
  | VolumeConfiguration
  | PresetConfiguration;
