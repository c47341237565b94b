// What the EC2 API says about one region, read in three paged listings: the instance types with their facts
// (DescribeInstanceTypes), the availability zones that offer each type now (DescribeInstanceTypeOfferings by
// availability-zone) and the current Linux spot price of each type (DescribeSpotPriceHistory, cheapest zone).

import {
  DescribeInstanceTypeOfferingsCommand, DescribeInstanceTypesCommand, DescribeSpotPriceHistoryCommand, type EC2Client,
} from '@aws-sdk/client-ec2';
import { apiInstanceType, type ApiInstanceType } from './instance-types';

/** One region's facts, as cached by the backend. */
export interface RegionFacts {
  /** When they were read (ms). */
  at: number;
  /** Instance types by name. */
  types: Map<string, ApiInstanceType>;
  /** The zones offering each type now; a type with no zone is not available in the region. */
  zones: Map<string, string[]>;
  /** The lowest current spot price of each type over the region's zones ($/hour). */
  spotPrices: Map<string, number>;
}

/** Runs one EC2 call (the backend's retry and error mapping around it). */
export type Ec2Call = <T>(what: string, fn: (c: EC2Client) => Promise<T>) => Promise<T>;

/** Follows NextToken until the listing ends. */
async function allPages<P extends { NextToken?: string | undefined }>(page: (token: string | undefined) => Promise<P>, each: (p: P) => void): Promise<void> {
  let token: string | undefined;
  do {
    const p = await page(token);
    each(p);
    token = p.NextToken || undefined;
  } while (token);
}

/** Reads the region's instance types, zone offerings and spot prices. */
export async function readRegionFacts(call: Ec2Call, now: number): Promise<RegionFacts> {
  const types = new Map<string, ApiInstanceType>();
  await allPages((token) => call('listing instance types', (c) => c.send(new DescribeInstanceTypesCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }))), (p) => {
    for (const info of p.InstanceTypes ?? []) {
      const t = apiInstanceType(info);
      if (t) types.set(t.instanceType, t);
    }
  });
  const zones = new Map<string, string[]>();
  await allPages((token) => call('listing instance type offerings by zone', (c) => c.send(new DescribeInstanceTypeOfferingsCommand({
    LocationType: 'availability-zone', MaxResults: 1000, ...(token ? { NextToken: token } : {}),
  }))), (p) => {
    for (const o of p.InstanceTypeOfferings ?? []) {
      if (!o.InstanceType || !o.Location) continue;
      const list = zones.get(o.InstanceType) ?? [];
      if (!list.includes(o.Location)) list.push(o.Location);
      zones.set(o.InstanceType, list);
    }
  });
  for (const list of zones.values()) list.sort();
  const spotPrices = new Map<string, number>();
  await allPages((token) => call('reading spot prices', (c) => c.send(new DescribeSpotPriceHistoryCommand({
    StartTime: new Date(now), ProductDescriptions: ['Linux/UNIX'], MaxResults: 1000, ...(token ? { NextToken: token } : {}),
  }))), (p) => {
    for (const s of p.SpotPriceHistory ?? []) {
      const price = Number(s.SpotPrice);
      if (!s.InstanceType || !Number.isFinite(price) || price <= 0) continue;
      const prior = spotPrices.get(s.InstanceType);
      if (prior === undefined || price < prior) spotPrices.set(s.InstanceType, price);
    }
  });
  return { at: now, types, zones, spotPrices };
}
