// dstack's offer order: backends' lists heap-merged by price (each backend's own order kept), then a stable sort
// that puts unavailable offers (no quota, not available, busy) last.
import { UNAVAILABLE, type Offer } from '../../backends/offer';

/** Merges per-backend lists by price like Python's `heapq.merge(key=price)`: ties go to the earlier list. */
export function mergeByPrice(lists: readonly (readonly Offer[])[]): Offer[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return [...(nonEmpty[0] as readonly Offer[])];
  const heads = nonEmpty.map(() => 0);
  const out: Offer[] = [];
  for (;;) {
    let best = -1;
    let bestPrice = Infinity;
    for (let i = 0; i < nonEmpty.length; i++) {
      const offer = (nonEmpty[i] as readonly Offer[])[heads[i] as number];
      if (offer !== undefined && (best < 0 || offer.pricePerHour < bestPrice)) {
        best = i;
        bestPrice = offer.pricePerHour;
      }
    }
    if (best < 0) return out;
    out.push((nonEmpty[best] as readonly Offer[])[heads[best] as number] as Offer);
    heads[best] = (heads[best] as number) + 1;
  }
}

/** A stable sort by price (what gpuhunt's catalog query returns); a new array. */
export function sortByPrice(offers: readonly Offer[]): Offer[] {
  const n = offers.length;
  const prices = new Float64Array(n);
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    prices[i] = (offers[i] as Offer).pricePerHour;
    index[i] = i;
  }
  index.sort((a, b) => (prices[a] as number) - (prices[b] as number) || a - b);
  const out = new Array<Offer>(n);
  for (let i = 0; i < n; i++) out[i] = offers[index[i] as number] as Offer;
  return out;
}

/** Whether dstack would provision this offer (`unknown`, `available` and `idle` count as available). */
export function isAvailable(offer: Offer): boolean {
  return !UNAVAILABLE.has(offer.availability);
}

/** A stable partition: available offers first, unavailable ones after, each group in its order. */
export function unavailableLast(offers: readonly Offer[]): Offer[] {
  const available: Offer[] = [];
  const unavailable: Offer[] = [];
  for (const offer of offers) (UNAVAILABLE.has(offer.availability) ? unavailable : available).push(offer);
  return unavailable.length === 0 ? available : available.concat(unavailable);
}
