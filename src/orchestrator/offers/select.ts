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

/** Matching offers of one list, sized for the request, in the list's order. */
export function filterOffers(offers: readonly Offer[], matcher: OfferMatcher): Offer[] {
  const out: Offer[] = [];
  for (const offer of offers) if (matcher.matches(offer)) out.push(sizeForRequirements(offer, matcher.requirements));
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
