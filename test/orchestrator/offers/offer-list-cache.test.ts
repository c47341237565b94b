// The Apply lens's offers cache: one listing per request at a time, reused until invalidated or too old, the last
// lists shown while listing again, failures reported as messages.
import { strict as assert } from 'node:assert';
import type { Requirements } from '../../../src/backends/backend';
import type { Offer } from '../../../src/backends/offer';
import { OfferListCache } from '../../../src/orchestrator/offers';
import { makeOffer, requirements } from './helpers';

/** A listing function whose calls are recorded and settled by the test. */
function controlledLister() {
  const calls: { req: Requirements; resolve: (lists: Offer[][]) => void; reject: (err: Error) => void }[] = [];
  const list = (req: Requirements) => new Promise<Offer[][]>((resolve, reject) => { calls.push({ req, resolve, reject }); });
  return { calls, list };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('OfferListCache', () => {
  const REQ = requirements();
  const A = [[makeOffer({ type: 'a', price: 1 })]];
  const B = [[makeOffer({ type: 'b', price: 2 })]];

  it('lists once per request key, answers from the settled lists, and tells when a listing settled', async () => {
    const { calls, list } = controlledLister();
    let settled = 0;
    const cache = new OfferListCache(list, { maxAgeMs: 60_000, onSettled: () => settled++ });
    assert.deepEqual(cache.lookup('k', REQ), { listing: true });
    assert.deepEqual(cache.lookup('k', REQ), { listing: true });
    assert.equal(calls.length, 1, 'a second lookup while listing does not list again');
    assert.equal(calls[0]!.req, REQ);
    calls[0]!.resolve(A);
    await flush();
    assert.equal(settled, 1);
    assert.deepEqual(cache.lookup('k', REQ), { lists: A, listing: false });
    assert.equal(calls.length, 1, 'fresh lists are reused');
    cache.lookup('other', REQ);
    assert.equal(calls.length, 2, 'another request lists on its own');
  });

  it('after invalidate: lists again on the next lookup, showing the last lists meanwhile', async () => {
    const { calls, list } = controlledLister();
    const cache = new OfferListCache(list, { maxAgeMs: 60_000 });
    cache.lookup('k', REQ);
    calls[0]!.resolve(A);
    await flush();
    cache.invalidate();
    assert.deepEqual(cache.lookup('k', REQ), { lists: A, listing: true });
    assert.equal(calls.length, 2);
    calls[1]!.resolve(B);
    await flush();
    assert.deepEqual(cache.lookup('k', REQ), { lists: B, listing: false });
    assert.equal(calls.length, 2);
  });

  it('an invalidation during a listing makes its result stale: listed again on the next lookup', async () => {
    const { calls, list } = controlledLister();
    const cache = new OfferListCache(list, { maxAgeMs: 60_000 });
    cache.lookup('k', REQ);
    cache.invalidate();
    calls[0]!.resolve(A);
    await flush();
    assert.deepEqual(cache.lookup('k', REQ), { lists: A, listing: true });
    assert.equal(calls.length, 2);
  });

  it('lists older than maxAgeMs are listed again', async () => {
    const { calls, list } = controlledLister();
    let now = 1_000;
    const cache = new OfferListCache(list, { maxAgeMs: 100, now: () => now });
    cache.lookup('k', REQ);
    calls[0]!.resolve(A);
    await flush();
    now += 99;
    cache.lookup('k', REQ);
    assert.equal(calls.length, 1);
    now += 1;
    assert.deepEqual(cache.lookup('k', REQ), { lists: A, listing: true });
    assert.equal(calls.length, 2);
  });

  it('a failed listing is reported by its message (thrown or rejected), and the next listing can succeed', async () => {
    const { calls, list } = controlledLister();
    const cache = new OfferListCache(list, { maxAgeMs: 60_000 });
    cache.lookup('k', REQ);
    calls[0]!.reject(new Error('aws: credentials expired'));
    await flush();
    assert.deepEqual(cache.lookup('k', REQ), { error: 'aws: credentials expired', listing: false });
    cache.invalidate();
    cache.lookup('k', REQ);
    calls[1]!.resolve(A);
    await flush();
    assert.deepEqual(cache.lookup('k', REQ), { lists: A, listing: false });
    const throwing = new OfferListCache(() => { throw new Error('no backends'); }, { maxAgeMs: 60_000 });
    throwing.lookup('k', REQ);
    await flush();
    assert.deepEqual(throwing.lookup('k', REQ), { error: 'no backends', listing: false });
  });

  it('keeps at most maxEntries requests, dropping the least recently looked up', async () => {
    const { calls, list } = controlledLister();
    const cache = new OfferListCache(list, { maxAgeMs: 60_000, maxEntries: 2 });
    for (const key of ['a', 'b']) cache.lookup(key, REQ);
    for (const c of calls) c.resolve(A);
    await flush();
    cache.lookup('a', REQ);
    cache.lookup('c', REQ);
    assert.equal(calls.length, 3);
    cache.lookup('a', REQ);
    assert.equal(calls.length, 3, 'a was kept');
    cache.lookup('b', REQ);
    assert.equal(calls.length, 4, 'b was dropped and is listed again');
  });
});
