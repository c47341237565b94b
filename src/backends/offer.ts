// The offer model: one way to get an instance (backend, region, instance type, resources, spot, price).

import type { CpuArch, GpuVendor, Range } from '../schema/model';

/** dstack's InstanceAvailability, as a closed union. `unknown` is treated as available. */
export type Availability = 'available' | 'no_quota' | 'not_available' | 'unknown' | 'idle' | 'busy';

/** Availabilities that dstack sorts last and never provisions. */
export const UNAVAILABLE: ReadonlySet<Availability> = new Set(['no_quota', 'not_available', 'busy']);

/** Backend ids this project implements (dstack's BackendType values; `remote` is an SSH fleet, printed `ssh`). */
export type BackendId = 'local' | 'remote' | 'aws' | 'kubernetes' | 'fake';

export interface OfferGpu {
  name: string;
  vendor: GpuVendor;
  /** Per-GPU memory in GB. */
  memoryGB: number;
}

export interface OfferResources {
  cpuArch: CpuArch;
  cpus: number;
  memoryGB: number;
  /** Disk the offer comes with, in GB (after the requested range was applied, where the backend can size it). */
  diskGB: number;
  /** One entry per GPU (all the same model on one instance). */
  gpus: OfferGpu[];
  spot: boolean;
}

export interface Offer {
  backend: BackendId;
  region: string;
  zone?: string;
  instanceType: string;
  resources: OfferResources;
  /** $ per hour. */
  pricePerHour: number;
  availability: Availability;
  /**
   * Set when the backend sizes the disk at create time (AWS: 100GB..16TB): the sizes it accepts, in GB.
   * `resources.diskGB` is then the size chosen for the requirements (the smallest size in requested ∩ this range).
   */
  configurableDiskGB?: Range;
  /** SSH-fleet hosts split into blocks (`blocks: N`): the blocks this offer takes and the host's total (shown `(1/4)`). */
  blocks?: number;
  totalBlocks?: number;
  /** Backend-private data needed to create the instance (e.g. AMI hints, the SSH host's name). */
  backendData?: Record<string, unknown>;
}
