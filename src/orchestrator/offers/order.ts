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

const MAX_MICRO_PRICE = 2 ** 31;

/** UNAVAILABLE as comparisons (this runs per offer on the hot path; a Set lookup costs more). */
function unavailable(a: Offer['availability']): boolean {
  return a === 'no_quota' || a === 'not_available' || a === 'busy';
}
const UNAVAILABLE_BIT = 2 ** 31;

/**
 * 32-bit sort keys: (unavailable?) · 2^31 + price in micro-dollars. Null when a price is not a whole number of
 * micro-dollars or is $2147/h or more; the caller then falls back to a comparator sort.
 */
function priceKeys(offers: readonly Offer[], unavailableLastToo: boolean): Uint32Array | null {
  const n = offers.length;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const offer = offers[i] as Offer;
    const micro = Math.round(offer.pricePerHour * 1e6);
    if (micro / 1e6 !== offer.pricePerHour || micro < 0 || micro >= MAX_MICRO_PRICE) return null;
    keys[i] = (unavailableLastToo && unavailable(offer.availability) ? UNAVAILABLE_BIT : 0) + micro;
  }
  return keys;
}

/** An LSD radix sort of indices by 32-bit keys, two 16-bit passes: stable, O(n). */
function radixOrder(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let from = new Uint32Array(n);
  let to = new Uint32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  for (const shift of [0, 16]) {
    const counts = new Uint32Array(65537);
    for (let i = 0; i < n; i++) {
      const slot = (((keys[i] as number) >>> shift) & 0xffff) + 1;
      counts[slot] = (counts[slot] as number) + 1;
    }
    for (let d = 0; d < 65536; d++) counts[d + 1] = (counts[d + 1] as number) + (counts[d] as number);
    for (let i = 0; i < n; i++) {
      const index = from[i] as number;
      const digit = ((keys[index] as number) >>> shift) & 0xffff;
      to[counts[digit] as number] = index;
      counts[digit] = (counts[digit] as number) + 1;
    }
    [from, to] = [to, from];
  }
  return from;
}

function stableOrder(offers: readonly Offer[], unavailableLastToo: boolean): Offer[] {
  const n = offers.length;
  const out = new Array<Offer>(n);
  const keys = priceKeys(offers, unavailableLastToo);
  if (keys !== null) {
    const order = radixOrder(keys);
    for (let i = 0; i < n; i++) out[i] = offers[order[i] as number] as Offer;
    return out;
  }
  const rank = (o: Offer) => (unavailableLastToo && unavailable(o.availability) ? 1 : 0);
  const index = Array.from({ length: n }, (_, i) => i);
  index.sort((a, b) => {
    const x = offers[a] as Offer;
    const y = offers[b] as Offer;
    return rank(x) - rank(y) || x.pricePerHour - y.pricePerHour || a - b;
  });
  for (let i = 0; i < n; i++) out[i] = offers[index[i] as number] as Offer;
  return out;
}

/** A stable sort by price (what gpuhunt's catalog query returns); a new array. */
export function sortByPrice(offers: readonly Offer[]): Offer[] {
  return stableOrder(offers, false);
}

/** One list in dstack's final order: by price, unavailable offers last, ties in list order (sortByPrice + unavailableLast). */
export function orderOffers(offers: readonly Offer[]): Offer[] {
  return stableOrder(offers, true);
}

/** Whether dstack would provision this offer (`unknown`, `available` and `idle` count as available). */
export function isAvailable(offer: Offer): boolean {
  return !UNAVAILABLE.has(offer.availability);
}

/** A stable partition: available offers first, unavailable ones after, each group in its order (a new array). */
export function unavailableLast(offers: readonly Offer[]): Offer[] {
  const n = offers.length;
  let unavailableCount = 0;
  for (let i = 0; i < n; i++) if (unavailable((offers[i] as Offer).availability)) unavailableCount++;
  if (unavailableCount === 0) return offers.slice();
  // Two write positions in one preallocated array instead of two growing arrays and a concat.
  const out = new Array<Offer>(n);
  let nextAvailable = 0;
  let nextUnavailable = n - unavailableCount;
  for (let i = 0; i < n; i++) {
    const offer = offers[i] as Offer;
    if (unavailable(offer.availability)) out[nextUnavailable++] = offer;
    else out[nextAvailable++] = offer;
  }
  return out;
}
