// Shared test builders for offers: requirements like `dstack offer`'s dummy task, and hand-made offers.
import type { Requirements } from '../../../src/backends/backend';
import type { Availability, BackendId, Offer } from '../../../src/backends/offer';
import type { CpuArch, GpuSpec, GpuVendor, Range, ResourcesSpec } from '../../../src/schema/model';

/** `dstack offer`'s unconstrained requirements (cpu 1.., memory 0GB.., gpu 0.., no disk, spot auto), with overrides. */
export function requirements(resources: Partial<ResourcesSpec> = {}, rest: Partial<Requirements> = {}): Requirements {
  return {
    resources: {
      cpu: { arch: null, count: { min: 1, max: null } },
      memory: { min: 0, max: null },
      shm_size: null,
      gpu: { vendor: null, name: null, count: { min: 0, max: null }, memory: null, total_memory: null, compute_capability: null },
      disk: null,
      ...resources,
    },
    spot: null,
    maxPrice: null,
    regions: null,
    instanceTypes: null,
    ...rest,
  };
}

/** A GPU spec with count 1.. unless given. */
export function gpu(spec: Partial<GpuSpec>): GpuSpec {
  return { vendor: null, name: null, count: { min: 1, max: null }, memory: null, total_memory: null, compute_capability: null, ...spec };
}

/** A hand-made offer. */
export function makeOffer(o: {
  backend?: BackendId; region?: string; type?: string; cpus?: number; memoryGB?: number; diskGB?: number; arch?: CpuArch;
  gpu?: { name: string; vendor?: GpuVendor; memoryGB: number; count: number }; spot?: boolean; price?: number;
  availability?: Availability; configurableDiskGB?: Range;
} = {}): Offer {
  const g = o.gpu;
  const offer: Offer = {
    backend: o.backend ?? 'aws',
    region: o.region ?? 'us-east-1',
    instanceType: o.type ?? 'x.large',
    resources: {
      cpuArch: o.arch ?? 'x86',
      cpus: o.cpus ?? 4,
      memoryGB: o.memoryGB ?? 16,
      diskGB: o.diskGB ?? 100,
      gpus: g ? Array.from({ length: g.count }, () => ({ name: g.name, vendor: g.vendor ?? 'nvidia', memoryGB: g.memoryGB })) : [],
      spot: o.spot ?? false,
    },
    pricePerHour: o.price ?? 1,
    availability: o.availability ?? 'unknown',
  };
  if (o.configurableDiskGB) offer.configurableDiskGB = o.configurableDiskGB;
  return offer;
}
