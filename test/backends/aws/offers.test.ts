// AWS offers through the real @aws-sdk/client-ec2 over HTTP: built from DescribeInstanceTypes' facts (a type the
// catalog does not know included), priced from the catalog (on-demand) and DescribeSpotPriceHistory (spot),
// `not_available` where no zone offers a type, `no_quota` after a launch hit the family's vCPU quota. The shape
// tests also run against an external endpoint (AWS_ENDPOINT_URL_EC2), comparing with what its API answers.

import { strict as assert } from 'node:assert';
import { DescribeInstanceTypeOfferingsCommand, DescribeInstanceTypesCommand, DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AwsBackend, type AwsBackendOptions } from '../../../src/backends/aws';
import { gpuFromApi } from '../../../src/backends/aws/instance-types';
import { onDemandPrice } from '../../../src/backends/aws/offers';
import { BackendError } from '../../../src/backends/backend';
import type { Offer } from '../../../src/backends/offer';
import { gpu, requirements } from '../../orchestrator/offers/helpers';
import { E2E_REGIONS, EXTERNAL_ENDPOINT, keysFor, openEndpoint, TEST_PUBLIC_KEY, testTags, type Ec2Endpoint } from './harness';
import type { FakeEc2, FakeEc2Options } from './fake-ec2/server';

function find(offers: Offer[], instanceType: string, spot: boolean, region = 'us-east-1'): Offer | undefined {
  return offers.find((x) => x.instanceType === instanceType && x.resources.spot === spot && x.region === region);
}
function offerOf(offers: Offer[], instanceType: string, spot: boolean, region = 'us-east-1'): Offer {
  const o = find(offers, instanceType, spot, region);
  assert.ok(o, `no ${instanceType} spot=${spot} offer in ${region}`);
  return o;
}

describe('AWS offers from the EC2 API (real SDK over HTTP: the EC2 fake, or the endpoint AWS_ENDPOINT_URL_EC2 names)', function () {
  this.timeout(EXTERNAL_ENDPOINT ? 300_000 : 20_000);
  let endpoint: Ec2Endpoint;

  function backend(extra: Partial<AwsBackendOptions> = {}): AwsBackend {
    return new AwsBackend({ regions: E2E_REGIONS, retry: { attempts: 4, baseMs: 1 }, ...keysFor(endpoint), ...extra });
  }
  /** The fake, or a skip where the suite runs against an external endpoint. */
  function fakeOr(ctx: Mocha.Context): FakeEc2 {
    if (!endpoint.fake) ctx.skip();
    return endpoint.fake;
  }
  async function reopen(options: FakeEc2Options): Promise<FakeEc2> {
    await endpoint.close();
    endpoint = await openEndpoint(options);
    return endpoint.fake as FakeEc2;
  }

  beforeEach(async () => { endpoint = await openEndpoint(); });
  afterEach(async () => { await endpoint.close(); });

  it('every offer carries the API\'s facts: vCPUs, memory and GPUs from DescribeInstanceTypes, the lowest zone spot price, a known on-demand price', async () => {
    const offers = await backend().listOffers();
    assert.ok(offers.length > 0, 'offers');
    assert.deepEqual([...new Set(offers.map((o) => o.region))].sort(), [...E2E_REGIONS].sort());
    for (const o of offers) {
      assert.equal(o.backend, 'aws');
      assert.ok(o.pricePerHour > 0, `${o.instanceType}: a real price`);
      assert.equal(o.resources.cpuArch, 'x86', `${o.instanceType}: the x86_64 images only`);
      assert.deepEqual(o.configurableDiskGB, { min: 100, max: 16384 });
      if (!o.resources.spot) assert.equal(o.pricePerHour, onDemandPrice(o.region, o.instanceType), `${o.instanceType}: on-demand only at the catalog's price`);
    }
    // Compare a CPU type, a GPU type and a spot-only type (the catalog has no price for it) with what the API says.
    const region = E2E_REGIONS[0] as string;
    const inRegion = offers.filter((o) => o.region === region);
    const picks = [
      inRegion.find((o) => o.resources.gpus.length === 0), inRegion.find((o) => o.resources.gpus.length > 0),
      inRegion.find((o) => onDemandPrice(region, o.instanceType) === undefined),
    ].filter((o): o is Offer => o !== undefined);
    assert.ok(picks.length >= 2, 'a CPU and a GPU offer at least');
    const keys = keysFor(endpoint).keys;
    const client = new EC2Client({ region, maxAttempts: 3, ...(keys ? { credentials: keys } : {}) });
    try {
      const described = await client.send(new DescribeInstanceTypesCommand({ InstanceTypes: picks.map((o) => o.instanceType as never) }));
      for (const o of picks) {
        const info = described.InstanceTypes?.find((t) => t.InstanceType === o.instanceType);
        assert.ok(info, `DescribeInstanceTypes knows ${o.instanceType}`);
        assert.equal(o.resources.cpus, info.VCpuInfo?.DefaultVCpus);
        assert.equal(o.resources.memoryGB, (info.MemoryInfo?.SizeInMiB ?? 0) / 1024);
        assert.equal(o.resources.gpus.length, (info.GpuInfo?.Gpus ?? []).reduce((n, g) => n + (g.Count ?? 0), 0));
        const g = info.GpuInfo?.Gpus?.[0];
        if (g) assert.deepEqual(o.resources.gpus[0], gpuFromApi(g.Name ?? '', g.Manufacturer, g.MemoryInfo?.SizeInMiB ?? 0));
        const spot = find(inRegion, o.instanceType, true);
        if (spot) {
          const history = await client.send(new DescribeSpotPriceHistoryCommand({ StartTime: new Date(), ProductDescriptions: ['Linux/UNIX'], InstanceTypes: [o.instanceType as never] }));
          assert.equal(spot.pricePerHour, Math.min(...(history.SpotPriceHistory ?? []).map((h) => Number(h.SpotPrice))), `${o.instanceType}: the cheapest zone's spot price`);
        }
        if (onDemandPrice(region, o.instanceType) === undefined) assert.equal(find(inRegion, o.instanceType, false), undefined, `${o.instanceType}: no on-demand offer without a known price`);
      }
      // Availability: a type no zone offers is not_available, one that some zone offers is available.
      const zoned = await client.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: picks.map((o) => o.instanceType) }] }));
      for (const o of picks) {
        const zones = (zoned.InstanceTypeOfferings ?? []).filter((z) => z.InstanceType === o.instanceType);
        assert.equal(o.availability, zones.length > 0 ? 'available' : 'not_available', o.instanceType);
      }
    } finally {
      client.destroy();
    }
  });

  it('on the fake: catalog prices, 30% spot prices, the types EC2 lists per region, one paged listing per region then the cache', async function () {
    const fake = fakeOr(this);
    const aws = backend();
    const offers = await aws.listOffers();
    const onDemand = offerOf(offers, 'g4dn.xlarge', false);
    assert.equal(onDemand.pricePerHour, 0.526);
    assert.deepEqual(onDemand.resources.gpus, [{ name: 'T4', vendor: 'nvidia', memoryGB: 16 }]);
    assert.equal(offerOf(offers, 'g4dn.xlarge', true).pricePerHour, 0.1578);
    assert.equal(offerOf(offers, 'p3.2xlarge', false).resources.memoryGB, 61);
    assert.ok(!offers.some((o) => o.instanceType === 'p5.48xlarge' && o.region === 'eu-west-1'), 'types EC2 does not list in a region are not offered there');
    const a10g = await aws.listOffers(requirements({ gpu: gpu({ name: ['A10G'], count: { min: 1, max: 1 } }) }, { spot: true }));
    assert.ok(a10g.length > 0 && a10g.every((o) => o.resources.spot && o.resources.gpus[0]?.name === 'A10G'), JSON.stringify(a10g.map((o) => o.instanceType)));
    const pages = fake.calls('DescribeInstanceTypes');
    assert.ok(pages.length > 2, 'us-east-1 has more types than one page holds');
    assert.deepEqual([...new Set(pages.map((r) => r.region))].sort(), ['eu-west-1', 'us-east-1']);
    assert.deepEqual(pages.filter((r) => r.region === 'us-east-1').map((r) => r.params.get('NextToken') ?? null), [null, '100'], 'the second page asked with the first page\'s token');
    assert.deepEqual(fake.calls('DescribeInstanceTypeOfferings').map((r) => r.params.get('LocationType')), ['availability-zone', 'availability-zone']);
    assert.equal(fake.calls('DescribeSpotPriceHistory').length, 2);
  });

  it('a type the catalog does not know is offered with the API\'s facts, as spot only; an arm64 type is not offered', async function () {
    fakeOr(this);
    const offers = await backend().listOffers();
    const gr6 = offerOf(offers, 'gr6.4xlarge', true);
    assert.deepEqual(gr6.resources, {
      cpuArch: 'x86', cpus: 16, memoryGB: 128, diskGB: 100, spot: true,
      // EC2 reports 22888 MiB for an L4: shown as the model's nominal 24GB, as configurations name it.
      gpus: [{ name: 'L4', vendor: 'nvidia', memoryGB: 24 }],
    });
    assert.equal(gr6.pricePerHour, 0.4618);
    assert.equal(gr6.availability, 'available');
    assert.equal(find(offers, 'gr6.4xlarge', false), undefined, 'no on-demand offer without a known on-demand price');
    assert.deepEqual(offerOf(offers, 'c7a.large', true, 'eu-west-1').resources, { cpuArch: 'x86', cpus: 2, memoryGB: 4, diskGB: 100, gpus: [], spot: true });
    assert.ok(!offers.some((o) => o.instanceType === 'm7g.large'), 'arm64 types cannot boot the x86_64 images');
    // A request for an L4 finds it next to the catalog's g6 offers, and the scheduler could launch it.
    const l4 = await backend().listOffers(requirements({ gpu: gpu({ name: ['L4'], memory: { min: 24, max: 24 } }) }, { spot: true }));
    assert.ok(l4.some((o) => o.instanceType === 'gr6.4xlarge') && l4.some((o) => o.instanceType.startsWith('g6.')), JSON.stringify(l4.map((o) => o.instanceType)));
    const view = await backend().create(gr6, testTags(), TEST_PUBLIC_KEY);
    assert.equal(view.state, 'pending');
  });

  it('GPU names and memory: EC2\'s figures mapped to the known models, unknown models kept as EC2 names them', () => {
    assert.deepEqual(gpuFromApi('L40S', 'NVIDIA', 45776), { name: 'L40S', vendor: 'nvidia', memoryGB: 48 });
    assert.deepEqual(gpuFromApi('A100', 'NVIDIA', 81920), { name: 'A100', vendor: 'nvidia', memoryGB: 80 });
    assert.deepEqual(gpuFromApi('A100', 'NVIDIA', 40960), { name: 'A100', vendor: 'nvidia', memoryGB: 40 });
    assert.deepEqual(gpuFromApi('NVIDIA H100', 'NVIDIA', 81559), { name: 'H100', vendor: 'nvidia', memoryGB: 80 });
    assert.deepEqual(gpuFromApi('Radeon Pro V520', 'AMD', 8192), { name: 'Radeon Pro V520', vendor: 'amd', memoryGB: 8 });
    assert.deepEqual(gpuFromApi('T4g', 'NVIDIA', 15360), { name: 'T4g', vendor: 'nvidia', memoryGB: 15 });
  });

  it('not_available where no availability zone offers the type now; available where one zone still does; the cache expires after its TTL', async function () {
    fakeOr(this);
    const fake = await reopen({ notOffered: new Set(['us-east-1/g5.xlarge', 'us-east-1a/g4dn.xlarge', 'eu-west-1a/m5.large', 'eu-west-1b/m5.large']) });
    const aws = backend({ offersTtlMs: 50 });
    const offers = await aws.listOffers();
    assert.deepEqual([...new Set(offers.filter((o) => o.instanceType === 'g5.xlarge').map((o) => `${o.region}:${o.availability}`))].sort(), ['eu-west-1:available', 'us-east-1:not_available']);
    assert.equal(offerOf(offers, 'g4dn.xlarge', false).availability, 'available', 'us-east-1b still offers it');
    assert.equal(offerOf(offers, 'm5.large', false, 'eu-west-1').availability, 'not_available', 'no zone of eu-west-1 offers it');
    assert.equal(offerOf(offers, 'm5.large', false).availability, 'available');
    const picked = await aws.listOffers(requirements({ gpu: gpu({ name: ['A10G'], count: { min: 1, max: 1 } }) }, { spot: false }));
    assert.equal(picked.at(-1)?.availability, 'not_available', 'unavailable offers sort last');
    // The launch of the type in the zone that offers it: EC2 places it there.
    const view = await aws.create(offerOf(offers, 'g4dn.xlarge', false), testTags(), TEST_PUBLIC_KEY);
    assert.equal(fake.instances.get(view.providerId ?? '')?.zone, 'us-east-1b');
    assert.equal(fake.calls('DescribeSpotPriceHistory').length, 2, 'cached within the TTL');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await aws.listOffers();
    await aws.listOffers();
    assert.equal(fake.calls('DescribeSpotPriceHistory').length, 4, 'read again once the TTL passed');
    assert.equal(fake.calls('DescribeInstanceTypeOfferings').length, 4);
  });

  it('a launch refused by the vCPU quota marks the offers under that quota (region, family group, market) no_quota until the cache expires', async function () {
    const fake = fakeOr(this);
    const aws = backend({ offersTtlMs: 300 });
    const before = await aws.listOffers();
    fake.fail({ action: 'RunInstances', code: 'VcpuLimitExceeded', message: 'You have requested more vCPU capacity than your current vCPU limit of 0 allows' });
    await assert.rejects(aws.create(offerOf(before, 'g5.xlarge', false), testTags(), TEST_PUBLIC_KEY), (e: unknown) => e instanceof BackendError && e.code === 'quota');
    fake.fail({ action: 'RunInstances', code: 'MaxSpotInstanceCountExceeded' });
    await assert.rejects(aws.create(offerOf(before, 'p3.2xlarge', true, 'eu-west-1'), testTags(), TEST_PUBLIC_KEY), (e: unknown) => e instanceof BackendError && e.code === 'quota');
    const offers = await aws.listOffers();
    const state = (type: string, spot: boolean, region = 'us-east-1'): string => offerOf(offers, type, spot, region).availability;
    // "Running On-Demand G and VT instances" in us-east-1: every G type on-demand there.
    assert.equal(state('g5.xlarge', false), 'no_quota');
    assert.equal(state('g4dn.xlarge', false), 'no_quota');
    assert.equal(state('g6e.xlarge', false), 'no_quota');
    assert.equal(state('g5.xlarge', true), 'available', 'spot has its own quota');
    assert.equal(state('g5.xlarge', false, 'eu-west-1'), 'available', 'quotas are per region');
    assert.equal(state('p3.2xlarge', false), 'available', 'P is another family group');
    // "All P Spot Instance Requests" in eu-west-1.
    assert.equal(state('p3.2xlarge', true, 'eu-west-1'), 'no_quota');
    assert.equal(state('p3.8xlarge', true, 'eu-west-1'), 'no_quota');
    assert.equal(state('p3.2xlarge', false, 'eu-west-1'), 'available');
    // A plan skips them (the offers engine sorts them last and never provisions them).
    const g = await aws.listOffers(requirements({ gpu: gpu({ name: ['A10G'], count: { min: 1, max: 1 } }) }, { spot: false, regions: ['us-east-1'] }));
    assert.ok(g.length > 0 && g.every((o) => o.availability === 'no_quota'), JSON.stringify(g.map((o) => o.availability)));
    // Other failures are not quota: capacity leaves the offers available.
    fake.fail({ action: 'RunInstances', code: 'InsufficientInstanceCapacity', status: 500 });
    await assert.rejects(aws.create(offerOf(offers, 'm5.large', false), testTags(), TEST_PUBLIC_KEY));
    assert.equal(offerOf(await aws.listOffers(), 'm5.large', false).availability, 'available');
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal(offerOf(await aws.listOffers(), 'g5.xlarge', false).availability, 'available', 'forgotten with the cache');
  });
});
