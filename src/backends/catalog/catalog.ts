// The offline catalog as offers: any backend can list its catalog offers for its regions (gpuhunt's role in dstack).
import type { Requirements } from '../backend';
import type { Availability, BackendId, Offer } from '../offer';
import type { GpuVendor, Range } from '../../schema/model';
import { chooseDiskGB } from '../../orchestrator/offers/disk';
import { sortByPrice } from '../../orchestrator/offers/order';
import { selectOffers } from '../../orchestrator/offers/select';
import { AWS_INSTANCES, type CatalogInstanceFacts } from './aws-data';
import { findKnownGpu } from './gpus';

/** AWS lets the root volume be sized 100GB..16TB (dstack's `configurable_disk_size` for aws). */
export const AWS_DISK_RANGE_GB: Range = { min: 100, max: 16 * 1024 };

/** Regions the catalog has prices for, per backend. */
export function catalogRegions(backend: BackendId): string[] {
  const regions = new Set<string>();
  for (const facts of factsOf(backend)) for (const region of Object.keys(facts.onDemandUsd)) regions.add(region);
  return [...regions].sort();
}

/** How a backend wants its catalog offers built. */
export interface CatalogOfferOptions {
  /** Only these regions (case-insensitive); null or absent = every region in the catalog. */
  regions?: readonly string[] | null;
  /** The disk sizes the backend can create, GB (default: AWS's 100GB..16TB). */
  configurableDiskGB?: Range;
  /** Live spot prices by `region/instanceType`; each adds a spot offer (the catalog itself has none). */
  spotPrices?: ReadonlyMap<string, number>;
  /** Availability per offer (e.g. `no_quota` from Service Quotas); default `unknown`. */
  availability?: (instanceType: string, region: string, spot: boolean) => Availability;
}

function factsOf(backend: BackendId): readonly CatalogInstanceFacts[] {
  return backend === 'aws' ? AWS_INSTANCES : [];
}

function vendorOf(gpuName: string): GpuVendor {
  return findKnownGpu(gpuName)?.vendor ?? 'nvidia';
}

/**
 * Every catalog offer of `backend` in the chosen regions, sorted by price (stable), with the disk sized for a
 * request without a disk (100GB on AWS). Use `selectOffers` (or `CatalogOffers.listOffers`) to match a request.
 */
export function catalogOffers(backend: BackendId, options: CatalogOfferOptions = {}): Offer[] {
  const wanted = options.regions && options.regions.length > 0 ? new Set(options.regions.map((r) => r.toLowerCase())) : null;
  const disk = options.configurableDiskGB ?? AWS_DISK_RANGE_GB;
  const diskGB = chooseDiskGB(null, disk) ?? disk.min ?? 0;
  const offers: Offer[] = [];
  for (const facts of factsOf(backend)) {
    for (const [region, onDemand] of Object.entries(facts.onDemandUsd)) {
      if (wanted && !wanted.has(region.toLowerCase())) continue;
      const prices: [boolean, number][] = [[false, onDemand]];
      const spot = options.spotPrices?.get(`${region}/${facts.instanceType}`);
      if (spot !== undefined) prices.push([true, spot]);
      for (const [isSpot, price] of prices) {
        const gpu = facts.gpu;
        offers.push({
          backend,
          region,
          instanceType: facts.instanceType,
          resources: {
            cpuArch: 'x86',
            cpus: facts.cpus,
            memoryGB: facts.memoryGB,
            diskGB,
            gpus: gpu ? Array.from({ length: gpu.count }, () => ({ name: gpu.name, vendor: vendorOf(gpu.name), memoryGB: gpu.memoryGB })) : [],
            spot: isSpot,
          },
          pricePerHour: price,
          availability: options.availability?.(facts.instanceType, region, isSpot) ?? 'unknown',
          configurableDiskGB: disk,
        });
      }
    }
  }
  return sortByPrice(offers);
}

/** A ready-made `listOffers` over the catalog, for backends whose offers are the catalog's (AWS until it refreshes live). */
export class CatalogOffers {
  constructor(private readonly backend: BackendId, private readonly options: CatalogOfferOptions = {}) {}

  /** Every catalog offer of this backend (unmatched), by price. */
  all(): Offer[] {
    return catalogOffers(this.backend, this.options);
  }

  /** The offers matching `req` (all when omitted), in dstack's order, disks sized for the request. */
  async listOffers(req?: Requirements): Promise<Offer[]> {
    const all = this.all();
    return req ? selectOffers([all], req).offers : all;
  }
}

/** One GPU model in the catalog, for the editor's completion. */
export interface CatalogGpu {
  name: string;
  vendor: GpuVendor;
  /** Memory sizes (GB) the catalog has for this model, ascending. */
  memoryGB: number[];
}

/** GPU models in the catalog (with vendor and memory sizes), by name. */
export function catalogGpus(): CatalogGpu[] {
  const byName = new Map<string, CatalogGpu>();
  for (const facts of AWS_INSTANCES) {
    if (!facts.gpu) continue;
    const entry = byName.get(facts.gpu.name) ?? { name: facts.gpu.name, vendor: vendorOf(facts.gpu.name), memoryGB: [] };
    if (!entry.memoryGB.includes(facts.gpu.memoryGB)) entry.memoryGB.push(facts.gpu.memoryGB);
    entry.memoryGB.sort((a, b) => a - b);
    byName.set(facts.gpu.name, entry);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** GPU names in the catalog (e.g. `A100`, `A10G`, `H100`, `L4`, `L40S`, `T4`, `V100`), for completion. */
export function catalogGpuNames(): string[] {
  return catalogGpus().map((g) => g.name);
}
