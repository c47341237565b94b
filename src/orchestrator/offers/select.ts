// From the backends' offer lists to what a plan shows: size disks, match, merge by price, unavailable last.
import type { Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';
import { chooseDiskGB } from './disk';
import { compileRequirements, type OfferMatcher } from './match';
import { mergeByPrice, unavailableLast } from './order';

/** The offers for one request, in dstack's order. */
export interface OfferSelection {
  /** The first `limit` matching offers (all when no limit). */
  offers: Offer[];
  /** How many offers matched in total (the "Shown N of M" M). */
  total: number;
  /** The highest price among all matching offers (the "$Xmax"), null when none matched. */
  maxPrice: number | null;
}

/** The offer as it would be created for `req`: a configurable disk is sized to the request (same object otherwise). */
export function sizeForRequirements(offer: Offer, req: Requirements): Offer {
  if (!offer.configurableDiskGB) return offer;
  const diskGB = chooseDiskGB(req.resources.disk?.size ?? null, offer.configurableDiskGB);
  if (diskGB === null || diskGB === offer.resources.diskGB) return offer;
  return { ...offer, resources: { ...offer.resources, diskGB } };
}

/**
 * Matching offers of one list, sized for the request, in the list's order. The matching positions are collected in
 * a typed array and the result is allocated once at its size: growing it by push copies its backing store over and
 * over (about 3x the time for 100k matching offers).
 */
export function filterOffers(offers: readonly Offer[], matcher: OfferMatcher): Offer[] {
  const n = offers.length;
  const matched = new Uint32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (matcher.matches(offers[i] as Offer)) matched[count++] = i;
  const out = new Array<Offer>(count);
  for (let j = 0; j < count; j++) out[j] = sizeForRequirements(offers[matched[j] as number] as Offer, matcher.requirements);
  return out;
}

/**
 * dstack's offer pipeline over per-backend lists (each in its backend's order, normally by price): match every
 * constraint, heap-merge by price, stable-sort unavailable offers last, keep the first `limit`.
 */
export function selectOffers(lists: readonly (readonly Offer[])[], req: Requirements, limit?: number): OfferSelection {
  const matcher = compileRequirements(req);
  const ordered = unavailableLast(mergeByPrice(lists.map((list) => filterOffers(list, matcher))));
  let maxPrice: number | null = null;
  for (const offer of ordered) if (maxPrice === null || offer.pricePerHour > maxPrice) maxPrice = offer.pricePerHour;
  return {
    offers: limit === undefined ? ordered : ordered.slice(0, Math.max(0, limit)),
    total: ordered.length,
    maxPrice,
  };
}
