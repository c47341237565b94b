import * as assert from 'node:assert/strict';
import { catalogOffers } from '../../../src/backends/catalog';
import { groupGpus, mergeByPrice, orderOffers, selectOffers, sortByPrice, unavailableLast } from '../../../src/orchestrator/offers';
import { gpu, makeOffer, requirements } from './helpers';

describe('offer ordering and selection (dstack order)', () => {
  it('heap-merges backend lists by price, keeping each list in its own order and earlier lists first on ties', () => {
    const a = [makeOffer({ type: 'a1', price: 1 }), makeOffer({ type: 'a2', price: 3 }), makeOffer({ type: 'a3', price: 2 })];
    const b = [makeOffer({ type: 'b1', price: 1 }), makeOffer({ type: 'b2', price: 2.5 })];
    assert.deepEqual(mergeByPrice([a, b]).map((o) => o.instanceType), ['a1', 'b1', 'b2', 'a2', 'a3']);
    assert.deepEqual(mergeByPrice([[], b, []]).map((o) => o.instanceType), ['b1', 'b2']);
  });

  it('puts no-quota, not-available and busy offers last, stably; unknown and idle count as available', () => {
    const offers = [
      makeOffer({ type: 'q', price: 0.1, availability: 'no_quota' }), makeOffer({ type: 'u', price: 0.2, availability: 'unknown' }),
      makeOffer({ type: 'n', price: 0.3, availability: 'not_available' }), makeOffer({ type: 'i', price: 0.4, availability: 'idle' }),
      makeOffer({ type: 'b', price: 0.5, availability: 'busy' }), makeOffer({ type: 'a', price: 0.6, availability: 'available' }),
    ];
    assert.deepEqual(unavailableLast(offers).map((o) => o.instanceType), ['u', 'i', 'a', 'q', 'n', 'b']);
  });

  it('orders large lists like a stable comparator sort, with and without whole micro-dollar prices', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const states = ['unknown', 'no_quota', 'available', 'busy', 'idle', 'not_available'] as const;
    for (const odd of [false, true]) {
      const offers = Array.from({ length: 5000 }, (_, i) => makeOffer({
        type: `t${i}`, price: odd && i === 17 ? 0.1234567891 : Math.floor(random() * 300) / 100, availability: states[Math.floor(random() * 6)]!,
      }));
      const expected = offers.map((o, i) => ({ o, i }))
        .sort((a, b) => Number(['no_quota', 'not_available', 'busy'].includes(a.o.availability)) - Number(['no_quota', 'not_available', 'busy'].includes(b.o.availability)) ||
          a.o.pricePerHour - b.o.pricePerHour || a.i - b.i)
        .map((x) => x.o.instanceType);
      assert.deepEqual(orderOffers(offers).map((o) => o.instanceType), expected);
      assert.deepEqual(orderOffers(offers).map((o) => o.instanceType), unavailableLast(sortByPrice(offers)).map((o) => o.instanceType));
    }
  });

  it('sorts by price stably', () => {
    const offers = [makeOffer({ type: 'x', price: 2 }), makeOffer({ type: 'y', price: 1 }), makeOffer({ type: 'z', price: 2 }), makeOffer({ type: 'w', price: 1 })];
    assert.deepEqual(sortByPrice(offers).map((o) => o.instanceType), ['y', 'w', 'x', 'z']);
  });

  it('selects: match, merge by price, unavailable last, limit; reports the total and the max price of all matches', () => {
    const aws = catalogOffers('aws', { availability: (t) => (t === 'g4dn.xlarge' ? 'no_quota' : 'unknown') });
    const local = [makeOffer({ backend: 'local', region: 'local', type: 'laptop', price: 0 })];
    const sel = selectOffers([aws, local], requirements({ gpu: gpu({ name: ['T4'] }) }), 4);
    assert.deepEqual(sel.offers.map((o) => `${o.instanceType} ${o.region}`), ['g4dn.2xlarge us-east-1', 'g4dn.2xlarge us-west-2', 'g4dn.2xlarge eu-west-1', 'g4dn.4xlarge us-east-1']);
    assert.equal(sel.total, 21);
    assert.equal(sel.maxPrice, 8.7313); // g4dn.metal in eu-west-1
    const all = selectOffers([aws, local], requirements({ gpu: gpu({ name: ['T4'] }) })).offers;
    assert.deepEqual(all.slice(-3).map((o) => o.instanceType), ['g4dn.xlarge', 'g4dn.xlarge', 'g4dn.xlarge']);
    const cheapest = selectOffers([aws, local], requirements(), 2).offers;
    assert.deepEqual(cheapest.map((o) => o.instanceType), ['laptop', 't3.nano']);
    assert.deepEqual(selectOffers([aws], requirements({ gpu: gpu({ name: ['B200'] }) })), { offers: [], total: 0, maxPrice: null });
  });

  it('groups the catalog by GPU with per-GPU price ranges', () => {
    const groups = groupGpus(selectOffers([catalogOffers('aws')], requirements({ gpu: gpu({ name: ['A10G', 'H100'] }) })).offers);
    assert.deepEqual(groups.map((g) => [g.name, g.count, g.price.min]), [['A10G', { min: 1, max: 8 }, 1.006], ['H100', { min: 8, max: 8 }, 6.88]]);
    assert.deepEqual(groups[0]!.backends, ['aws']);
  });
});
