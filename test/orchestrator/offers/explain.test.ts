import * as assert from 'node:assert/strict';
import { catalogOffers } from '../../../src/backends/catalog';
import { explainNoMatch } from '../../../src/orchestrator/offers';
import { gpu, makeOffer, requirements } from './helpers';

const CATALOG = catalogOffers('aws');

describe('no-match explanation', () => {
  it('names the price when the requested GPU exists but costs more, with the cheapest such offer', () => {
    const e = explainNoMatch(CATALOG, requirements({ gpu: gpu({ name: ['A100'] }) }, { maxPrice: 2 }));
    assert.equal(e.blocking, 'max_price');
    assert.equal(e.consideredLabel, 'A100 offers');
    assert.equal(e.considered, 2);
    assert.deepEqual(e.nearestMisses.map((o) => `${o.instanceType} ${o.region} ${o.pricePerHour}`), ['p4d.24xlarge us-east-1 21.96', 'p4d.24xlarge us-west-2 21.96']);
    assert.equal(e.text.split('\n')[0], 'no A100 under $2/h; the cheapest A100 is $21.96/h (p4d.24xlarge, aws us-east-1).');
    assert.equal(e.impacts[0]!.removed, 2);
    assert.deepEqual(e.alsoFailed, []);
  });

  it('counts, per constraint, the offers it removes and those it alone removes', () => {
    const offers = [
      makeOffer({ type: 'small', cpus: 2, memoryGB: 4, price: 0.1 }),
      makeOffer({ type: 'mid', cpus: 8, memoryGB: 32, price: 0.5 }),
      makeOffer({ type: 'big', cpus: 64, memoryGB: 256, price: 3 }),
    ];
    const e = explainNoMatch(offers, requirements({ cpu: { arch: null, count: { min: 16, max: null } }, memory: { min: 64, max: null } }, { maxPrice: 1 }));
    assert.deepEqual(e.impacts.map((i) => [i.constraint, i.removed, i.removedAlone]), [['cpu_count', 2, 0], ['memory', 2, 0], ['max_price', 1, 1]]);
    assert.equal(e.blocking, 'cpu_count');
    // Nothing fails only the cpu count: the nearest misses fail it and the fewest others, closest cpu count first.
    assert.deepEqual(e.nearestMisses.map((o) => o.instanceType), ['mid', 'small']);
    assert.deepEqual(e.alsoFailed, ['memory']);
    assert.equal(e.text, 'no offer with cpu=16..; the closest offer is $0.5/h (mid, aws us-east-1: cpu=8 mem=32GB disk=100GB), which also fails resources.memory.\n' +
      'resources.cpu removed the most: 2 of 3 offers (then resources.memory 2, max_price 1).');
  });

  it('shows the closest miss for a quantity and the cheapest offer otherwise matching for an unknown GPU name', () => {
    const cpu = explainNoMatch(CATALOG, requirements({ cpu: { arch: null, count: { min: 500, max: null } } }));
    assert.equal(cpu.blocking, 'cpu_count');
    assert.match(cpu.text, /^no offer with cpu=500\.\.; the closest offer is \$8\.568\/h \(c7i\.48xlarge, aws us-east-1: cpu=192 mem=384GB disk=100GB\)\./);
    const name = explainNoMatch(CATALOG, requirements({ gpu: gpu({ name: ['B200'] }) }));
    assert.equal(name.blocking, 'gpu_name');
    assert.match(name.text, /^no offer with GPU B200; the cheapest offer otherwise matching is \$0\.526\/h \(g4dn\.xlarge, aws us-east-1: .*gpu=T4:16GB:1\)\./);
  });

  it('explains spot, regions and an empty universe', () => {
    const spot = explainNoMatch(CATALOG, requirements({ gpu: gpu({ name: ['H100'] }) }, { spot: true }));
    assert.match(spot.text, /^no H100 as spot; the cheapest H100 is \$55\.04\/h on-demand \(p5\.48xlarge, aws us-east-1\)\./);
    const region = explainNoMatch(CATALOG, requirements({ gpu: gpu({ name: ['L40S'] }) }, { regions: ['eu-west-1'] }));
    assert.match(region.text, /^no L40S in eu-west-1; the cheapest L40S is \$1\.861\/h \(g6e\.xlarge, aws us-east-1\)\./);
    const none = explainNoMatch([], requirements());
    assert.equal(none.blocking, null);
    assert.match(none.text, /No backend returned any offer/);
  });
});
