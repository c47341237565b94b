import * as assert from 'node:assert/strict';
import {
  AWS_CATALOG_DATE, AWS_INSTANCES, CatalogOffers, KNOWN_GPUS, catalogGpuNames, catalogGpus, catalogOffers, catalogRegions,
  computeCapabilityOf,
} from '../../../src/backends/catalog';
import { requirements, gpu } from '../../orchestrator/offers/helpers';

describe('offer catalog', () => {
  it('has the AWS families people use for ML, each with shape and on-demand prices in the main regions', () => {
    const families = new Set(AWS_INSTANCES.map((i) => i.instanceType.split('.')[0]));
    for (const f of ['g4dn', 'g5', 'g6', 'g6e', 'p3', 'p4d', 'p5', 'm5', 'm6i', 'm7i', 'c5', 'c6i', 'c7i', 'r5', 'r6i', 't3']) {
      assert.ok(families.has(f), `family ${f} missing`);
    }
    for (const i of AWS_INSTANCES) {
      assert.ok(i.cpus > 0 && i.memoryGB > 0, i.instanceType);
      assert.ok(i.onDemandUsd['us-east-1']! > 0 && i.onDemandUsd['us-west-2']! > 0, `${i.instanceType} lacks us prices`);
      if (i.gpu) {
        const known = KNOWN_GPUS.filter((k) => k.name === i.gpu!.name).map((k) => k.memoryGB);
        assert.ok(known.includes(i.gpu.memoryGB), `${i.instanceType}: ${i.gpu.name} ${i.gpu.memoryGB}GB is not a known accelerator`);
      }
    }
    assert.match(AWS_CATALOG_DATE, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(catalogRegions('aws'), ['eu-west-1', 'us-east-1', 'us-west-2']);
  });

  it('records well-known facts: g5.xlarge is 4 vCPU, 16GB, one 24GB A10G at $1.006/h in us-east-1', () => {
    const g5 = AWS_INSTANCES.find((i) => i.instanceType === 'g5.xlarge')!;
    assert.deepEqual([g5.cpus, g5.memoryGB, g5.gpu, g5.onDemandUsd['us-east-1']], [4, 16, { name: 'A10G', memoryGB: 24, count: 1 }, 1.006]);
    const p4d = AWS_INSTANCES.find((i) => i.instanceType === 'p4d.24xlarge')!;
    assert.deepEqual([p4d.cpus, p4d.memoryGB, p4d.gpu], [96, 1152, { name: 'A100', memoryGB: 40, count: 8 }]);
  });

  it('lists offers by price with a 100GB disk the backend may resize (100GB..16TB), on-demand only', () => {
    const offers = catalogOffers('aws');
    assert.equal(offers.length, AWS_INSTANCES.reduce((n, i) => n + Object.keys(i.onDemandUsd).length, 0));
    for (let i = 1; i < offers.length; i++) assert.ok(offers[i - 1]!.pricePerHour <= offers[i]!.pricePerHour);
    assert.ok(offers.every((o) => o.resources.diskGB === 100 && o.configurableDiskGB?.min === 100 && o.configurableDiskGB.max === 16384));
    assert.ok(offers.every((o) => !o.resources.spot && o.availability === 'unknown' && o.backend === 'aws'));
    assert.deepEqual(catalogOffers('kubernetes'), []);
  });

  it('restricts regions case-insensitively and adds spot offers when live spot prices are given', () => {
    const offers = catalogOffers('aws', { regions: ['EU-West-1'], spotPrices: new Map([['eu-west-1/g5.xlarge', 0.45]]), availability: (t) => (t === 'p3.2xlarge' ? 'no_quota' : 'available') });
    assert.ok(offers.every((o) => o.region === 'eu-west-1'));
    const g5 = offers.filter((o) => o.instanceType === 'g5.xlarge');
    assert.deepEqual(g5.map((o) => [o.resources.spot, o.pricePerHour]), [[true, 0.45], [false, 1.123]]);
    assert.equal(offers.find((o) => o.instanceType === 'p3.2xlarge')!.availability, 'no_quota');
  });

  it('CatalogOffers.listOffers matches a request and sizes the disk for it', async () => {
    const lister = new CatalogOffers('aws', { regions: ['us-east-1'] });
    const offers = await lister.listOffers(requirements({ gpu: gpu({ name: ['T4'] }), disk: { size: { min: 200, max: null } } }));
    assert.deepEqual(offers.map((o) => o.instanceType), ['g4dn.xlarge', 'g4dn.2xlarge', 'g4dn.4xlarge', 'g4dn.8xlarge', 'g4dn.12xlarge', 'g4dn.16xlarge', 'g4dn.metal']);
    assert.ok(offers.every((o) => o.resources.diskGB === 200));
    assert.equal((await lister.listOffers()).length, lister.all().length);
  });

  it('exports GPU names, vendors and memory sizes for completion, and NVIDIA compute capabilities', () => {
    assert.deepEqual(catalogGpuNames(), ['A100', 'A10G', 'H100', 'L4', 'L40S', 'T4', 'V100']);
    assert.deepEqual(catalogGpus().find((g) => g.name === 'L40S'), { name: 'L40S', vendor: 'nvidia', memoryGB: [48] });
    assert.deepEqual(computeCapabilityOf('h100'), [9, 0]);
    assert.deepEqual(computeCapabilityOf('T4'), [7, 5]);
    assert.equal(computeCapabilityOf('MI300X'), null);
    assert.equal(computeCapabilityOf('nope'), null);
  });
});
