// Launches refused for an account limit, remembered per region and quota (the instance family's group and the
// market: EC2's vCPU quotas are per "Running On-Demand G and VT instances", "All P Spot Instance Requests", ...)
// for as long as the offer cache lives, so the offers limited by that quota show `no_quota` meanwhile.

import { quotaFor } from './errors';

/** Quota refusals seen recently. */
export class QuotaMemory {
  private readonly hits = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  private key(region: string, instanceType: string, spot: boolean): string {
    return `${region}\n${quotaFor(instanceType, spot).name}`;
  }

  /** Records that launching `instanceType` (spot or on-demand) in `region` hit its quota. */
  record(region: string, instanceType: string, spot: boolean): void {
    this.hits.set(this.key(region, instanceType, spot), this.now());
  }

  /** Whether a launch of `instanceType` in `region` recently hit the quota it falls under. */
  exhausted(region: string, instanceType: string, spot: boolean): boolean {
    const key = this.key(region, instanceType, spot);
    const at = this.hits.get(key);
    if (at === undefined) return false;
    if (this.now() - at < this.ttlMs) return true;
    this.hits.delete(key);
    return false;
  }
}
