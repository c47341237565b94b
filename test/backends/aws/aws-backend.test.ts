// The AWS backend through the real @aws-sdk/client-ec2 over HTTP to the project's fake EC2 (or the endpoint named by
// AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL or DSTACK_VSC_AWS_E2E_ENDPOINT): offers, create parameters, states, capacity, throttling, quotas, credentials,
// a crash-and-restart sweep and a spot interruption.

import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BackendError } from '../../../src/backends/backend';
import { gpu, requirements } from '../../orchestrator/offers/helpers';
import type { Offer } from '../../../src/backends/offer';
import { AwsBackend, type AwsBackendOptions } from '../../../src/backends/aws';
import { EXTERNAL_ENDPOINT, openEndpoint, TEST_KEYS, TEST_PUBLIC_KEY, testTags, type Ec2Endpoint } from './harness';
import type { FakeEc2 } from './fake-ec2/server';

const REGIONS = ['us-east-1', 'eu-west-1'];

async function expectBackendError(p: Promise<unknown>, code: BackendError['code'], text?: RegExp): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected BackendError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (text) assert.match(e.message, text);
    return e;
  }
  assert.fail(`expected BackendError(${code})`);
}

describe('AWS backend (real SDK over HTTP to the EC2 fake)', function () {
  let endpoint: Ec2Endpoint;
  let fake: FakeEc2;

  function backend(extra: Partial<AwsBackendOptions> = {}): AwsBackend {
    return new AwsBackend({ regions: REGIONS, retry: { attempts: 4, baseMs: 1 }, ...(endpoint.fake ? { keys: TEST_KEYS } : {}), ...extra });
  }
  function offerOf(offers: Offer[], instanceType: string, spot: boolean, region = 'us-east-1'): Offer {
    const o = offers.find((x) => x.instanceType === instanceType && x.resources.spot === spot && x.region === region);
    assert.ok(o, `no ${instanceType} spot=${spot} offer in ${region}`);
    return o;
  }

  beforeEach(async function () {
    endpoint = await openEndpoint();
    if (!endpoint.fake) this.skip();
    fake = endpoint.fake;
  });
  afterEach(async () => { await endpoint.close(); });

  it('offers the catalog\'s on-demand prices and the API\'s spot prices for the configured regions, cached', async () => {
    const aws = backend();
    const offers = await aws.listOffers();
    assert.deepEqual([...new Set(offers.map((o) => o.region))].sort(), ['eu-west-1', 'us-east-1']);
    const onDemand = offerOf(offers, 'g4dn.xlarge', false);
    assert.equal(onDemand.pricePerHour, 0.526);
    assert.deepEqual(onDemand.resources.gpus.map((g) => g.name), ['T4']);
    const spot = offerOf(offers, 'g4dn.xlarge', true);
    assert.equal(spot.pricePerHour, 0.1578);
    assert.deepEqual(spot.configurableDiskGB, { min: 100, max: 16384 });
    assert.ok(!offers.some((o) => o.instanceType === 'p5.48xlarge' && o.region === 'eu-west-1'), 'types EC2 does not list in a region are not offered there');
    const gpuOnly = await aws.listOffers(requirements({ gpu: gpu({ name: ['A10G'], count: { min: 1, max: 1 } }) }, { spot: true }));
    assert.ok(gpuOnly.length > 0 && gpuOnly.every((o) => o.resources.spot && o.resources.gpus[0]?.name === 'A10G'), JSON.stringify(gpuOnly.map((o) => o.instanceType)));
    assert.equal(fake.calls('DescribeInstanceTypes').length, 2, 'one listing per region, then the cache');
    assert.equal(fake.calls('DescribeInstanceTypeOfferings').length, 2);
    assert.equal(fake.calls('DescribeSpotPriceHistory').length, 2);
    assert.deepEqual(fake.calls('DescribeInstanceTypes').map((r) => r.region).sort(), ['eu-west-1', 'us-east-1']);
  });

  it('marks types the region does not offer now (DescribeInstanceTypeOfferings) not_available; the cache expires after its TTL', async () => {
    await endpoint.close();
    endpoint = await openEndpoint({ notOffered: new Set(['us-east-1/g5.xlarge']) });
    fake = endpoint.fake as FakeEc2;
    const aws = backend({ offersTtlMs: 50 });
    const offers = await aws.listOffers();
    assert.deepEqual([...new Set(offers.filter((o) => o.instanceType === 'g5.xlarge').map((o) => `${o.region}:${o.availability}`))].sort(), ['eu-west-1:available', 'us-east-1:not_available']);
    assert.equal(offerOf(offers, 'g4dn.xlarge', false).availability, 'available');
    const picked = await aws.listOffers(requirements({ gpu: gpu({ name: ['A10G'], count: { min: 1, max: 1 } }) }, { spot: false }));
    assert.equal(picked.at(-1)?.availability, 'not_available', 'unavailable offers sort last');
    assert.equal(fake.calls('DescribeSpotPriceHistory').length, 2, 'cached within the TTL');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await aws.listOffers();
    await aws.listOffers();
    assert.equal(fake.calls('DescribeSpotPriceHistory').length, 4, 'read again once the TTL passed');
  });

  it('creates with every parameter: AMI by filters, SSH-only group, cloud-init key, disk, spot options, tags on instance and volume, ClientToken', async () => {
    const aws = backend({ sshCidr: '203.0.113.0/24' });
    const offer = { ...offerOf(await aws.listOffers(), 'g5.xlarge', true), resources: { ...offerOf(await aws.listOffers(), 'g5.xlarge', true).resources, diskGB: 250 } };
    const tags = testTags();
    const view = await aws.create(offer, tags, TEST_PUBLIC_KEY);
    assert.equal(view.state, 'pending');
    assert.equal(view.instanceId, tags.instanceId);
    assert.match(view.providerId ?? '', /^i-/);

    const images = fake.calls('DescribeImages')[0]?.params;
    assert.equal(images?.get('Owner.1'), 'amazon');
    assert.match(images?.get('Filter.1.Value.1') ?? '', /^Deep Learning Base OSS Nvidia Driver GPU AMI/);
    const [run, ...more] = fake.calls('RunInstances');
    assert.equal(more.length, 0);
    const p = run?.params;
    assert.ok(p);
    assert.equal(run.region, 'us-east-1');
    assert.equal(p.get('ImageId'), 'ami-0dl0000000000new', 'the newest matching image');
    assert.equal(p.get('InstanceType'), 'g5.xlarge');
    assert.equal(p.get('MinCount'), '1');
    assert.equal(p.get('MaxCount'), '1');
    assert.match(p.get('ClientToken') ?? '', /^dstack-vsc-[0-9a-f]{48}$/);
    assert.equal(p.get('InstanceMarketOptions.MarketType'), 'spot');
    assert.equal(p.get('InstanceMarketOptions.SpotOptions.SpotInstanceType'), 'one-time');
    assert.equal(p.get('InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior'), 'terminate');
    assert.equal(p.get('BlockDeviceMapping.1.DeviceName'), '/dev/sda1');
    assert.equal(p.get('BlockDeviceMapping.1.Ebs.VolumeSize'), '250');
    assert.equal(p.get('BlockDeviceMapping.1.Ebs.VolumeType'), 'gp3');
    assert.equal(p.get('BlockDeviceMapping.1.Ebs.DeleteOnTermination'), 'true');
    assert.equal(p.get('KeyName'), undefined, 'no EC2 key pair');
    assert.equal(p.get('InstanceInitiatedShutdownBehavior'), 'terminate', 'a power-off by the agent ends the billing');

    const inst = fake.instances.get(view.providerId ?? '');
    assert.ok(inst);
    const expectedTags = { Name: `dstack-vsc-${tags.runName}`, 'dstack-vsc:installation': tags.installation, 'dstack-vsc:run-name': tags.runName, 'dstack-vsc:instance-id': tags.instanceId };
    assert.deepEqual(inst.tags, expectedTags);
    assert.deepEqual(inst.volumeTags, expectedTags);
    assert.ok(inst.userData.startsWith('#cloud-config\n'), inst.userData);
    assert.ok(inst.userData.includes(`"${TEST_PUBLIC_KEY}"`), inst.userData);
    const group = fake.securityGroups.get(inst.securityGroupIds[0] ?? '');
    assert.ok(group);
    assert.equal(group.groupName, `dstack-vsc-${tags.installation}`);
    assert.deepEqual(group.ingress, [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }]);

    // A CPU offer on-demand: Canonical's Ubuntu, no market options, the same group reused.
    const cpu = await aws.create(offerOf(await aws.listOffers(), 'm5.large', false), testTags(), TEST_PUBLIC_KEY);
    const cpuRun = fake.calls('RunInstances')[1]?.params;
    assert.equal(cpuRun?.get('ImageId'), 'ami-0ubuntu00000noble');
    assert.equal(cpuRun?.get('InstanceMarketOptions.MarketType'), undefined);
    assert.equal(cpuRun?.get('BlockDeviceMapping.1.Ebs.VolumeSize'), '100');
    assert.equal(fake.calls('CreateSecurityGroup').length, 1);
    assert.equal(fake.instances.get(cpu.providerId ?? '')?.securityGroupIds[0], group.groupId);
  });

  it('is idempotent on the instance id: a repeated create returns the same instance', async () => {
    const tags = testTags();
    const offer = offerOf(await backend().listOffers(), 'g4dn.xlarge', false);
    const first = await backend().create(offer, tags, TEST_PUBLIC_KEY);
    const again = await backend().create(offer, tags, TEST_PUBLIC_KEY);
    assert.equal(again.providerId, first.providerId);
    assert.equal(fake.calls('RunInstances').length, 1, 'the repeat found the instance by its tag');
    assert.equal(fake.live().length, 1);
  });

  it('a retried create that cannot see the new instance yet (eventual consistency) gets the same one through its ClientToken', async () => {
    await endpoint.close();
    endpoint = await openEndpoint({ describeLagMs: 60_000 });
    fake = endpoint.fake as FakeEc2;
    const tags = testTags();
    const offer = offerOf(await backend().listOffers(), 'g4dn.xlarge', false);
    const first = await backend().create(offer, tags, TEST_PUBLIC_KEY);
    const retried = await backend().create(offer, tags, TEST_PUBLIC_KEY);
    const runs = fake.calls('RunInstances');
    assert.equal(runs.length, 2, 'the retry could not find the instance by tag and launched again');
    assert.equal(runs[0]?.params.get('ClientToken'), runs[1]?.params.get('ClientToken'));
    assert.equal(retried.providerId, first.providerId);
    assert.equal(fake.instances.size, 1, 'EC2 returned the first instance instead of creating a second');
  });

  it('moves pending → running (with the SSH endpoint) → stopping → gone, and terminate is idempotent', async () => {
    const aws = backend();
    const tags = testTags();
    await aws.create(offerOf(await aws.listOffers(), 'g4dn.xlarge', false), tags, TEST_PUBLIC_KEY);
    assert.equal((await aws.refresh([tags.instanceId]))[0]?.state, 'pending');
    fake.advance(60_000);
    const running = (await aws.refresh([tags.instanceId]))[0];
    assert.equal(running?.state, 'running');
    const ip = fake.instances.get(running?.providerId ?? '')?.publicIp;
    assert.deepEqual(running?.ssh, { host: ip, port: 22, user: 'ubuntu' });
    assert.deepEqual(running?.tags, tags);
    await aws.terminate(tags.instanceId);
    assert.equal((await aws.refresh([tags.instanceId]))[0]?.state, 'stopping');
    await aws.terminate(tags.instanceId);
    fake.advance(60_000);
    assert.equal((await aws.refresh([tags.instanceId]))[0]?.state, 'gone');
    await aws.terminate(tags.instanceId);
    assert.equal(fake.calls('TerminateInstances').length, 1, 'a terminating or terminated instance is not terminated again');
    const unknown = await aws.refresh(['never-created']);
    assert.deepEqual(unknown.map((v) => v.state), ['gone']);
  });

  for (const [code, status, spot] of [['InsufficientInstanceCapacity', 500, false], ['Unsupported', 400, false], ['InsufficientInstanceCapacity', 500, true], ['SpotMaxPriceTooLow', 400, true]] as const) {
    it(`maps ${code}${spot ? ' (spot)' : ''} to no_capacity and leaves nothing behind`, async () => {
      const aws = backend();
      fake.fail({ action: 'RunInstances', code, status, message: `There is no ${spot ? 'Spot ' : ''}capacity (scripted)` });
      await expectBackendError(aws.create(offerOf(await aws.listOffers(), 'p3.2xlarge', spot), testTags(), TEST_PUBLIC_KEY), 'no_capacity', /p3\.2xlarge.*us-east-1/);
      assert.equal(fake.live().length, 0);
    });
  }

  it('retries throttling with backoff inside the call, then succeeds; gives up as throttled after the bounded tries', async () => {
    const aws = backend();
    const offer = offerOf(await aws.listOffers(), 'g4dn.xlarge', false);
    fake.fail({ action: 'RunInstances', code: 'RequestLimitExceeded', status: 503, times: 2 });
    const view = await aws.create(offer, testTags(), TEST_PUBLIC_KEY);
    assert.equal(view.state, 'pending');
    assert.equal(fake.calls('RunInstances').length, 3);
    fake.fail({ action: 'RunInstances', code: 'RequestLimitExceeded', status: 503, times: Infinity });
    await expectBackendError(aws.create(offer, testTags(), TEST_PUBLIC_KEY), 'throttled');
    assert.equal(fake.calls('RunInstances').length, 3 + 4);
    assert.equal(fake.live().length, 1);
  });

  it('names the quota on VcpuLimitExceeded', async () => {
    const aws = backend();
    fake.fail({ action: 'RunInstances', code: 'VcpuLimitExceeded', message: 'You have requested more vCPU capacity than your current vCPU limit of 0 allows' });
    await expectBackendError(aws.create(offerOf(await aws.listOffers(), 'g5.xlarge', false), testTags(), TEST_PUBLIC_KEY), 'quota', /"Running On-Demand G and VT instances" \(L-DB2E81BA\).*Service Quotas.*us-east-1/);
    fake.fail({ action: 'RunInstances', code: 'MaxSpotInstanceCountExceeded' });
    await expectBackendError(aws.create(offerOf(await aws.listOffers(), 'p3.2xlarge', true), testTags(), TEST_PUBLIC_KEY), 'quota', /"All P Spot Instance Requests" \(L-7212CCBC\)/);
    fake.fail({ action: 'RunInstances', code: 'VcpuLimitExceeded' });
    await expectBackendError(aws.create(offerOf(await aws.listOffers(), 'm5.large', false), testTags(), TEST_PUBLIC_KEY), 'quota', /"Running On-Demand Standard \(A, C, D, H, I, M, R, T, Z\) instances" \(L-1216C47A\)/);
    assert.equal(fake.live().length, 0);
  });

  it('reconciles after a crash: a new backend finds the instance by tags across regions and terminates it (no leak)', async () => {
    const before = backend();
    const tags = testTags('inst-crash');
    const other = testTags('inst-other');
    await before.create(offerOf(await before.listOffers(), 'g4dn.xlarge', false, 'eu-west-1'), tags, TEST_PUBLIC_KEY);
    await before.create(offerOf(await before.listOffers(), 'm5.large', false), other, TEST_PUBLIC_KEY);
    const after = backend();
    const found = await after.listTagged('inst-crash');
    assert.deepEqual(found.map((v) => v.tags), [tags]);
    assert.deepEqual(fake.calls('DescribeInstances').slice(-2).map((r) => r.region).sort(), ['eu-west-1', 'us-east-1']);
    for (const v of found) await after.terminate(v.instanceId);
    fake.advance(60_000);
    assert.deepEqual(await after.listTagged('inst-crash'), []);
    assert.deepEqual(fake.live().map((i) => i.tags['dstack-vsc:installation']), ['inst-other'], 'only the other installation\'s instance lives');
  });

  it('detects a spot interruption on refresh', async () => {
    const aws = backend();
    const tags = testTags();
    const view = await aws.create(offerOf(await aws.listOffers(), 'g4dn.xlarge', true), tags, TEST_PUBLIC_KEY);
    fake.advance(60_000);
    assert.equal((await aws.refresh([tags.instanceId]))[0]?.interrupted, undefined);
    fake.interruptSpot(view.providerId ?? '');
    const during = (await aws.refresh([tags.instanceId]))[0];
    assert.equal(during?.state, 'stopping');
    assert.equal(during?.interrupted, true);
    fake.advance(60_000);
    const after = (await aws.refresh([tags.instanceId]))[0];
    assert.equal(after?.state, 'gone');
    assert.equal(after?.interrupted, true);
  });

  it('rejected credentials give a clear auth error before any RunInstances', async () => {
    const aws = backend({ keys: { accessKeyId: 'AKIDWRONG', secretAccessKey: 'nope' } });
    const offer = offerOf(await backend().listOffers(), 'g4dn.xlarge', false);
    await expectBackendError(aws.create(offer, testTags(), TEST_PUBLIC_KEY), 'auth', /rejected the credentials.*AuthFailure.*AWS_ACCESS_KEY_ID/);
    assert.equal(fake.calls('RunInstances').length, 0);
  });

  it('missing credentials (default chain, empty profile files, no IMDS) give a clear auth error before any request', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-empty-'));
    writeFileSync(path.join(dir, 'config'), '');
    writeFileSync(path.join(dir, 'credentials'), '');
    const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
    process.env['AWS_CONFIG_FILE'] = path.join(dir, 'config');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = path.join(dir, 'credentials');
    try {
      const offer = offerOf(await backend().listOffers(), 'g4dn.xlarge', false);
      const before = fake.requests.length;
      const aws = new AwsBackend({ regions: REGIONS, retry: { attempts: 2, baseMs: 1 } });
      await expectBackendError(aws.create(offer, testTags(), TEST_PUBLIC_KEY), 'auth', /no credentials were found.*aws sso login/);
      assert.equal(fake.requests.length, before, 'nothing reached EC2');
    } finally {
      for (const k of keys) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    }
  });

  it('takes credentials from the SDK default chain (a shared-credentials profile)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-profile-'));
    writeFileSync(path.join(dir, 'credentials'), `[dev]\naws_access_key_id = ${TEST_KEYS.accessKeyId}\naws_secret_access_key = ${TEST_KEYS.secretAccessKey}\n`);
    writeFileSync(path.join(dir, 'config'), '');
    const saved = { c: process.env['AWS_SHARED_CREDENTIALS_FILE'], f: process.env['AWS_CONFIG_FILE'] };
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = path.join(dir, 'credentials');
    process.env['AWS_CONFIG_FILE'] = path.join(dir, 'config');
    try {
      const aws = new AwsBackend({ regions: ['us-east-1'], profile: 'dev' });
      await aws.verifyAccess('us-east-1');
      assert.equal(fake.calls('DescribeAvailabilityZones').at(-1)?.accessKeyId, TEST_KEYS.accessKeyId);
    } finally {
      if (saved.c === undefined) delete process.env['AWS_SHARED_CREDENTIALS_FILE']; else process.env['AWS_SHARED_CREDENTIALS_FILE'] = saved.c;
      if (saved.f === undefined) delete process.env['AWS_CONFIG_FILE']; else process.env['AWS_CONFIG_FILE'] = saved.f;
    }
  });
});

describe('AWS backend lifecycle on any EC2-compatible endpoint (the fake, or the endpoint AWS_ENDPOINT_URL_EC2 names)', function () {
  this.timeout(EXTERNAL_ENDPOINT ? 600_000 : 20_000);
  let endpoint: Ec2Endpoint;
  beforeEach(async () => { endpoint = await openEndpoint(); });
  afterEach(async () => { await endpoint.close(); });

  it('creates the cheapest CPU offer, finds it by tags, terminates it and leaves nothing live', async () => {
    const regions = (process.env['DSTACK_VSC_AWS_E2E_REGIONS'] ?? 'us-east-1').split(',');
    const aws = new AwsBackend({ regions, ...(endpoint.fake ? { keys: TEST_KEYS } : {}) });
    const offer = (await aws.listOffers(requirements({}, { spot: false }))).find((o) => o.resources.gpus.length === 0);
    assert.ok(offer, 'a CPU offer');
    const tags = testTags(`e2e-${process.pid}`);
    const created = await aws.create(offer, tags, TEST_PUBLIC_KEY);
    try {
      assert.ok(['pending', 'running'].includes(created.state));
      assert.equal((await aws.create(offer, tags, TEST_PUBLIC_KEY)).providerId, created.providerId);
      const tagged = await aws.listTagged(tags.installation);
      assert.deepEqual(tagged.map((v) => v.instanceId), [tags.instanceId]);
    } finally {
      await aws.terminate(tags.instanceId);
    }
    const after = (await aws.refresh([tags.instanceId]))[0];
    assert.ok(after && ['stopping', 'gone'].includes(after.state), after?.state);
    if (endpoint.fake) assert.equal(endpoint.fake.live().filter((i) => i.state !== 'shutting-down').length, 0);
  });
});
