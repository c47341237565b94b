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
