// `offer --group-by gpu[,backend][,region][,count]`: offers aggregated per GPU model (dstack's services/gpus.py).
import { UNAVAILABLE, type Availability, type BackendId, type Offer } from '../../backends/offer';
import type { GpuVendor } from '../../schema/model';

/** Extra grouping dimensions besides the GPU model; `region` requires `backend`. */
export type GpuGroupBy = 'backend' | 'region' | 'count';

/** One row of the grouped table: a GPU model (and backend/region/count when grouped by them). */
export interface GpuGroup {
  name: string;
  memoryGB: number;
  vendor: GpuVendor;
  /** Distinct availabilities seen, in order of appearance. */
  availability: Availability[];
  spot: ('spot' | 'on-demand')[];
  /** GPUs per instance. */
  count: { min: number; max: number };
  /** Price per GPU per hour. */
  price: { min: number; max: number };
  backend?: BackendId;
  backends?: BackendId[];
  region?: string;
  regions?: string[];
}

interface BackendGpu {
  name: string;
  memoryGB: number;
  vendor: GpuVendor;
  availability: Availability;
  spot: boolean;
  count: number;
  price: number;
  region: string;
}

const available = (a: Availability) => !UNAVAILABLE.has(a);
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Per backend: the first offer of each (GPU, count, spot, region) in offer order, and every region seen. */
function backendGpus(offers: readonly Offer[]): { backend: BackendId; gpus: BackendGpu[]; regions: string[] }[] {
  const data = new Map<BackendId, { gpus: Map<string, BackendGpu>; regions: Set<string> }>();
  for (const offer of offers) {
    let entry = data.get(offer.backend);
    if (!entry) data.set(offer.backend, (entry = { gpus: new Map(), regions: new Set() }));
    entry.regions.add(offer.region);
    const gpu = offer.resources.gpus[0];
    if (!gpu) continue;
    const count = offer.resources.gpus.length;
    const key = JSON.stringify([gpu.name, gpu.memoryGB, gpu.vendor, count, offer.resources.spot, offer.region]);
    if (!entry.gpus.has(key)) {
      entry.gpus.set(key, {
        name: gpu.name, memoryGB: gpu.memoryGB, vendor: gpu.vendor, availability: offer.availability,
        spot: offer.resources.spot, count, price: offer.pricePerHour, region: offer.region,
      });
    }
  }
  return [...data].map(([backend, d]) => ({
    backend,
    gpus: [...d.gpus.values()].sort((a, b) => Number(!available(a.availability)) - Number(!available(b.availability)) ||
      cmp(a.vendor, b.vendor) || cmp(a.name, b.name) || a.memoryGB - b.memoryGB),
    regions: [...d.regions].sort(cmp),
  }));
}

/** Aggregates ordered offers into GPU groups, sorted as dstack sorts them (available first, then by price per GPU). */
export function groupGpus(offers: readonly Offer[], groupBy: readonly GpuGroupBy[] = []): GpuGroup[] {
  const byBackend = groupBy.includes('backend');
  const byRegion = groupBy.includes('region');
  const byCount = groupBy.includes('count');
  if (byRegion && !byBackend) throw new Error("Cannot group by 'region' without also grouping by 'backend'");
  const rows = new Map<string, GpuGroup>();
  for (const { backend, gpus, regions } of backendGpus(offers)) {
    for (const gpu of gpus) {
      const key = JSON.stringify([gpu.name, gpu.memoryGB, gpu.vendor, byBackend ? backend : null,
        byRegion ? gpu.region : null, byCount ? gpu.count : null]);
      const perGpu = gpu.price / gpu.count;
      const spot = gpu.spot ? 'spot' : 'on-demand';
      const row = rows.get(key);
      if (!row) {
        const group: GpuGroup = {
          name: gpu.name, memoryGB: gpu.memoryGB, vendor: gpu.vendor, availability: [gpu.availability], spot: [spot],
          count: { min: gpu.count, max: gpu.count }, price: { min: perGpu, max: perGpu },
        };
        if (byBackend) group.backend = backend;
        else group.backends = [backend];
        if (byRegion) group.region = gpu.region;
        else if (byBackend) group.regions = [...regions];
        rows.set(key, group);
        continue;
      }
      if (!row.availability.includes(gpu.availability)) row.availability.push(gpu.availability);
      if (!row.spot.includes(spot)) row.spot.push(spot);
      if (row.backends && !row.backends.includes(backend)) row.backends.push(backend);
      row.count.min = Math.min(row.count.min, gpu.count);
      row.count.max = Math.max(row.count.max, gpu.count);
      row.price.min = Math.min(row.price.min, perGpu);
      row.price.max = Math.max(row.price.max, perGpu);
    }
  }
  return [...rows.values()].sort((a, b) =>
    Number(!a.availability.some(available)) - Number(!b.availability.some(available)) ||
    a.price.min - b.price.min || a.price.max - b.price.max ||
    (byBackend ? cmp(a.backend ?? '', b.backend ?? '') : 0) ||
    (byRegion ? cmp(a.region ?? '', b.region ?? '') : 0) ||
    (byCount ? a.count.min - b.count.min : 0) ||
    cmp(a.name, b.name) || a.memoryGB - b.memoryGB);
}
