// One region's offers built from the API's facts: shape (vCPUs, memory, GPUs) from DescribeInstanceTypes, the
// on-demand price from the catalog (EC2 has no price API; the Pricing API is another service and account
// permission), the spot price from DescribeSpotPriceHistory, availability from the zone offerings and the
// quota failures remembered by the backend.

import type { Availability, Offer } from '../offer';
import { AWS_DISK_RANGE_GB, AWS_INSTANCES } from '../catalog';
import { chooseDiskGB } from '../../orchestrator/offers/disk';
import { sortByPrice } from '../../orchestrator/offers/order';
import type { RegionFacts } from './region-facts';

/** The catalog's on-demand list price by `region/instanceType`. */
const ON_DEMAND = new Map<string, number>(AWS_INSTANCES.flatMap((f) => Object.entries(f.onDemandUsd).map(([region, usd]) => [`${region}/${f.instanceType}`, usd] as [string, number])));

/** The catalog's on-demand list price of `instanceType` in `region`, or undefined when the catalog has none. */
export function onDemandPrice(region: string, instanceType: string): number | undefined {
  return ON_DEMAND.get(`${region}/${instanceType}`);
}

/** Whether a type can run the images the backend launches (x86_64 AMIs; mac types need dedicated hosts). */
function launchable(instanceType: string, cpuArch: string | null): boolean {
  return cpuArch === 'x86' && !instanceType.startsWith('mac');
}

/**
 * Every offer of one region, cheapest first. A type gets an on-demand offer only when the catalog knows its
 * on-demand price, and a spot offer only when EC2 reports a spot price: an offer must carry a real price, since
 * dstack's users rank offers by it and `max_price` filters on it (a type shown at $0 or "unknown" would sort
 * first and pass every price limit). A type the catalog does not know (new families) is still offered as spot.
 */
export function regionOffers(region: string, facts: RegionFacts, noQuota: (instanceType: string, spot: boolean) => boolean): Offer[] {
  const diskGB = chooseDiskGB(null, AWS_DISK_RANGE_GB) ?? AWS_DISK_RANGE_GB.min ?? 0;
  const offers: Offer[] = [];
  for (const t of facts.types.values()) {
    if (!launchable(t.instanceType, t.cpuArch)) continue;
    const prices: [boolean, number | undefined][] = [[false, t.onDemand ? onDemandPrice(region, t.instanceType) : undefined], [true, t.spot ? facts.spotPrices.get(t.instanceType) : undefined]];
    const offered = (facts.zones.get(t.instanceType) ?? []).length > 0;
    for (const [spot, price] of prices) {
      if (price === undefined) continue;
      const availability: Availability = !offered ? 'not_available' : noQuota(t.instanceType, spot) ? 'no_quota' : 'available';
      const gpu = t.gpu;
      offers.push({
        backend: 'aws', region, instanceType: t.instanceType,
        resources: {
          cpuArch: 'x86', cpus: t.cpus, memoryGB: t.memoryGB, diskGB,
          gpus: gpu ? Array.from({ length: gpu.count }, () => ({ name: gpu.name, vendor: gpu.vendor, memoryGB: gpu.memoryGB })) : [],
          spot,
        },
        pricePerHour: price, availability, configurableDiskGB: AWS_DISK_RANGE_GB,
      });
    }
  }
  return sortByPrice(offers);
}
