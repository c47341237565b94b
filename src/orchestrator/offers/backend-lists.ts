// The offers of the configured backends for one request: what `apply` plans over, and what the Apply lens sums up.
import type { Backend, Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';

/** Each backend's offers for `requirements`, one list per backend in its own order; backends the request's `backends` leaves out are skipped. */
export async function backendOfferLists(backends: Iterable<Backend>, requirements: Requirements): Promise<Offer[][]> {
  const lists: Offer[][] = [];
  for (const backend of backends) {
    if (requirements.backends && !requirements.backends.includes(backend.id)) continue;
    lists.push(await backend.listOffers(requirements));
  }
  return lists;
}
