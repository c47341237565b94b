// The AWS backend through the real @aws-sdk/client-ec2 over HTTP to the project's fake EC2, or to the endpoint
// AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL / DSTACK_VSC_AWS_E2E_ENDPOINT names: create with its parameters read back
// through the API (DescribeInstances, DescribeInstanceAttribute, DescribeVolumes, DescribeSecurityGroups), states,
// terminate, tags and the crash sweep run against either; capacity, throttling, quotas, eventual consistency, a spot
// interruption and the request parameters only the fake can script or see are fake-only.

import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DescribeImagesCommand, DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, DescribeVolumesCommand, EC2Client, type Instance,
} from '@aws-sdk/client-ec2';
import { BackendError, type ProviderInstance } from '../../../src/backends/backend';
import { requirements } from '../../orchestrator/offers/helpers';
import type { Offer } from '../../../src/backends/offer';
import { AwsBackend, CPU_IMAGE, type AwsBackendOptions } from '../../../src/backends/aws';
import { E2E_REGIONS, EXTERNAL_ENDPOINT, keysFor, openEndpoint, TEST_KEYS, TEST_PUBLIC_KEY, testTags, until, type Ec2Endpoint } from './harness';
import type { FakeEc2 } from './fake-ec2/server';

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

describe('AWS backend (real SDK over HTTP: the EC2 fake, or the endpoint AWS_ENDPOINT_URL_EC2 names)', function () {
  this.timeout(EXTERNAL_ENDPOINT ? 900_000 : 20_000);
  let endpoint: Ec2Endpoint;
  let fake: FakeEc2;
  /** Instances a test created, terminated after it whatever happened (an external endpoint bills them). */
  const created: { aws: AwsBackend; instanceId: string }[] = [];

  function backend(extra: Partial<AwsBackendOptions> = {}): AwsBackend {
    return new AwsBackend({ regions: E2E_REGIONS, retry: { attempts: 4, baseMs: 1 }, ...keysFor(endpoint), ...extra });
  }
  function offerOf(offers: Offer[], instanceType: string, spot: boolean, region = 'us-east-1'): Offer {
    const o = offers.find((x) => x.instanceType === instanceType && x.resources.spot === spot && x.region === region);
    assert.ok(o, `no ${instanceType} spot=${spot} offer in ${region}`);
    return o;
  }
  /** The cheapest available CPU offer (on-demand or spot) in the first region: what a test can afford to launch anywhere. */
  async function cheapCpu(aws: AwsBackend, spot: boolean): Promise<Offer> {
    const offers = await aws.listOffers(requirements({}, { spot, regions: [E2E_REGIONS[0] as string] }));
    const o = offers.find((x) => x.resources.gpus.length === 0 && x.availability === 'available');
    assert.ok(o, `a ${spot ? 'spot' : 'on-demand'} CPU offer in ${E2E_REGIONS[0] ?? ''}`);
    return o;
  }
  async function launch(aws: AwsBackend, offer: Offer, tags = testTags()): Promise<ProviderInstance> {
    created.push({ aws, instanceId: tags.instanceId });
    return aws.create(offer, tags, TEST_PUBLIC_KEY);
  }
  function client(region: string): EC2Client {
    const keys = keysFor(endpoint).keys;
    return new EC2Client({ region, maxAttempts: 3, ...(keys ? { credentials: keys } : {}) });
  }
  async function describeInstance(region: string, providerId: string): Promise<Instance> {
    const c = client(region);
    try {
      const out = await c.send(new DescribeInstancesCommand({ InstanceIds: [providerId] }));
      const inst = out.Reservations?.[0]?.Instances?.[0];
      assert.ok(inst, `DescribeInstances knows ${providerId}`);
      return inst;
    } finally {
      c.destroy();
    }
  }
  /** Skips where the suite runs against an external endpoint: the test scripts the fake or reads its request log. */
  function fakeOnly(ctx: Mocha.Context): void {
    if (!endpoint.fake) ctx.skip();
  }

  beforeEach(async () => {
    endpoint = await openEndpoint();
    fake = endpoint.fake as FakeEc2;
  });
  afterEach(async () => {
    for (const { aws, instanceId } of created.splice(0)) await aws.terminate(instanceId).catch(() => undefined);
    await endpoint.close();
  });

  it('creates with its parameters, as the API reads them back: AMI, type, spot market, SSH-only group, cloud-init key, disk, tags on instance and volume, shutdown ends it', async () => {
    const aws = backend({ sshCidr: '203.0.113.0/24' });
    const region = E2E_REGIONS[0] as string;
    const base = await cheapCpu(aws, true);
    const offer = { ...base, resources: { ...base.resources, diskGB: 120 } };
    const tags = testTags(`inst-params-${process.pid}`);
    const view = await launch(aws, offer, tags);
    assert.ok(['pending', 'running'].includes(view.state), view.state);
    assert.equal(view.instanceId, tags.instanceId);
    assert.match(view.providerId ?? '', /^i-/);
    const providerId = view.providerId ?? '';

    const inst = await describeInstance(region, providerId);
    assert.equal(inst.InstanceType, offer.instanceType);
    assert.equal(inst.InstanceLifecycle, 'spot');
    assert.equal(inst.KeyName, undefined, 'no EC2 key pair');
    const c = client(region);
    try {
      // The newest image matching the CPU query (Canonical's Ubuntu).
      const images = await c.send(new DescribeImagesCommand({ Owners: CPU_IMAGE.owners, Filters: [{ Name: 'name', Values: [CPU_IMAGE.namePattern] }, { Name: 'architecture', Values: ['x86_64'] }, { Name: 'state', Values: ['available'] }] }));
      const newest = [...(images.Images ?? [])].sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
      assert.equal(inst.ImageId, newest?.ImageId);
      const expectedTags = { Name: `dstack-vsc-${tags.runName}`, 'dstack-vsc:installation': tags.installation, 'dstack-vsc:run-name': tags.runName, 'dstack-vsc:instance-id': tags.instanceId };
      const tagMap = (list: { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> => Object.fromEntries((list ?? []).filter((t) => t.Key?.startsWith('dstack-vsc') || t.Key === 'Name').map((t) => [t.Key ?? '', t.Value ?? '']));
      assert.deepEqual(tagMap(inst.Tags), expectedTags);
      const volumes = await c.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [providerId] }] }));
      const root = volumes.Volumes?.find((v) => v.Attachments?.some((a) => a.Device === inst.RootDeviceName));
      assert.ok(root, `the root volume ${inst.RootDeviceName ?? ''}`);
      assert.equal(root.Size, 120);
      assert.equal(root.VolumeType, 'gp3');
      assert.equal(root.Attachments?.[0]?.DeleteOnTermination, true);
      assert.deepEqual(tagMap(root.Tags), expectedTags);
      const userData = await c.send(new DescribeInstanceAttributeCommand({ InstanceId: providerId, Attribute: 'userData' }));
      const doc = Buffer.from(userData.UserData?.Value ?? '', 'base64').toString('utf8');
      assert.ok(doc.startsWith('#cloud-config\n') && doc.includes(`"${TEST_PUBLIC_KEY}"`), doc);
      const shutdown = await c.send(new DescribeInstanceAttributeCommand({ InstanceId: providerId, Attribute: 'instanceInitiatedShutdownBehavior' }));
      assert.equal(shutdown.InstanceInitiatedShutdownBehavior?.Value, 'terminate', 'a power-off by the agent ends the billing');
      const groupIds = (inst.SecurityGroups ?? []).map((g) => g.GroupId ?? '');
      const groups = await c.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
      const ours = groups.SecurityGroups?.find((g) => g.GroupName === `dstack-vsc-${tags.installation}`);
      assert.ok(ours, 'our group is attached');
      assert.deepEqual((ours.IpPermissions ?? []).map((p) => [p.IpProtocol, p.FromPort, p.ToPort, (p.IpRanges ?? []).map((r) => r.CidrIp)]), [['tcp', 22, 22, ['203.0.113.0/24']]], 'SSH only, from the configured CIDR');
    } finally {
      c.destroy();
    }
    // A second (on-demand) launch reuses the group, and is no spot instance.
    const second = await launch(aws, await cheapCpu(aws, false), testTags(tags.installation));
    const again = await describeInstance(region, second.providerId ?? '');
    assert.equal(again.InstanceLifecycle, undefined);
    assert.deepEqual(again.SecurityGroups?.map((g) => g.GroupId), inst.SecurityGroups?.map((g) => g.GroupId));
  });

  it('on the fake, the request itself: a GPU offer gets the deep-learning AMI, spot options one-time/terminate, a ClientToken, MinCount=MaxCount=1', async function () {
    fakeOnly(this);
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

  it('is idempotent on the instance id: a repeated create (another backend object) returns the same instance', async () => {
    const tags = testTags(`inst-idem-${process.pid}`);
    const offer = await cheapCpu(backend(), false);
    const first = await launch(backend(), offer, tags);
    const again = await backend().create(offer, tags, TEST_PUBLIC_KEY);
    assert.equal(again.providerId, first.providerId);
    const tagged = await backend().listTagged(tags.installation);
    assert.deepEqual(tagged.map((v) => v.providerId), [first.providerId], 'one instance carries the id');
    if (endpoint.fake) assert.equal(fake.calls('RunInstances').length, 1, 'the repeat found the instance by its tag');
  });

  it('a retried create that cannot see the new instance yet (eventual consistency) gets the same one through its ClientToken', async function () {
    fakeOnly(this);
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

  it('moves pending → running (with the SSH endpoint the API reports) → stopping → gone, and terminate is idempotent', async () => {
    const aws = backend();
    const tags = testTags(`inst-states-${process.pid}`);
    const region = E2E_REGIONS[0] as string;
    await launch(aws, await cheapCpu(aws, false), tags);
    const running = await until(endpoint, async () => (await aws.refresh([tags.instanceId]))[0], (v) => v?.state === 'running', 'waiting for running');
    const described = await describeInstance(region, running?.providerId ?? '');
    assert.equal(described.State?.Name, 'running');
    assert.ok(described.PublicIpAddress, 'a public address');
    assert.deepEqual(running?.ssh, { host: described.PublicIpAddress, port: 22, user: 'ubuntu' });
    assert.deepEqual(running?.tags, tags);
    await aws.terminate(tags.instanceId);
    const stopping = (await aws.refresh([tags.instanceId]))[0];
    assert.ok(stopping && ['stopping', 'gone'].includes(stopping.state), stopping?.state);
    await aws.terminate(tags.instanceId);
    await until(endpoint, async () => (await aws.refresh([tags.instanceId]))[0], (v) => v?.state === 'gone', 'waiting for terminated');
    assert.equal((await describeInstance(region, running?.providerId ?? '')).State?.Name, 'terminated');
    await aws.terminate(tags.instanceId);
    assert.deepEqual(await aws.listTagged(tags.installation), [], 'nothing of ours is live');
    if (endpoint.fake) assert.equal(fake.calls('TerminateInstances').length, 1, 'a terminating or terminated instance is not terminated again');
    const unknown = await aws.refresh([`never-created-${process.pid}`]);
    assert.deepEqual(unknown.map((v) => v.state), ['gone']);
  });

  for (const [code, status, spot] of [['InsufficientInstanceCapacity', 500, false], ['Unsupported', 400, false], ['InsufficientInstanceCapacity', 500, true], ['SpotMaxPriceTooLow', 400, true]] as const) {
    it(`maps ${code}${spot ? ' (spot)' : ''} to no_capacity and leaves nothing behind`, async function () {
      fakeOnly(this);
      const aws = backend();
      fake.fail({ action: 'RunInstances', code, status, message: `There is no ${spot ? 'Spot ' : ''}capacity (scripted)` });
      await expectBackendError(aws.create(offerOf(await aws.listOffers(), 'p3.2xlarge', spot), testTags(), TEST_PUBLIC_KEY), 'no_capacity', /p3\.2xlarge.*us-east-1/);
      assert.equal(fake.live().length, 0);
    });
  }

  it('retries throttling with backoff inside the call, then succeeds; gives up as throttled after the bounded tries', async function () {
    fakeOnly(this);
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

  it('names the quota on VcpuLimitExceeded', async function () {
    fakeOnly(this);
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
    const mine = `inst-crash-${process.pid}-${Date.now().toString(36)}`;
    const tags = testTags(mine);
    const other = testTags(`${mine}-other`);
    const last = E2E_REGIONS[E2E_REGIONS.length - 1] as string;
    const offer = await cheapCpu(before, false);
    await launch(before, { ...offer, region: last }, tags);
    await launch(before, offer, other);
    const after = backend();
    const found = await after.listTagged(mine);
    assert.deepEqual(found.map((v) => v.tags), [tags]);
    if (endpoint.fake) assert.deepEqual(fake.calls('DescribeInstances').slice(-2).map((r) => r.region).sort(), ['eu-west-1', 'us-east-1'], 'every configured region is asked');
    for (const v of found) await after.terminate(v.instanceId);
    await until(endpoint, () => after.listTagged(mine), (live) => live.length === 0, 'waiting for the sweep to finish');
    assert.deepEqual((await after.listTagged(`${mine}-other`)).map((v) => v.tags), [other], 'only the other installation\'s instance lives');
  });

  it('detects a spot interruption on refresh', async function () {
    fakeOnly(this);
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

  it('rejected credentials give a clear auth error before any RunInstances', async function () {
    // Needs an endpoint known to check keys (some EC2-compatible endpoints accept any).
    fakeOnly(this);
    const aws = backend({ keys: { accessKeyId: 'AKIDWRONG', secretAccessKey: 'nope' } });
    const offer = offerOf(await backend().listOffers(), 'g4dn.xlarge', false);
    await expectBackendError(aws.create(offer, testTags(), TEST_PUBLIC_KEY), 'auth', /rejected the credentials.*AuthFailure.*AWS_ACCESS_KEY_ID/);
    assert.equal(fake.calls('RunInstances').length, 0);
  });

  it('missing credentials (default chain, empty profile files, no IMDS) give a clear auth error before any request', async () => {
    const offer = await cheapCpu(backend(), false);
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-empty-'));
    writeFileSync(path.join(dir, 'config'), '');
    writeFileSync(path.join(dir, 'credentials'), '');
    const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
    process.env['AWS_CONFIG_FILE'] = path.join(dir, 'config');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = path.join(dir, 'credentials');
    try {
      const before = fake?.requests.length;
      const aws = new AwsBackend({ regions: E2E_REGIONS, retry: { attempts: 2, baseMs: 1 } });
      await expectBackendError(aws.create(offer, testTags(), TEST_PUBLIC_KEY), 'auth', /no credentials were found.*aws sso login/);
      if (endpoint.fake) assert.equal(fake.requests.length, before, 'nothing reached EC2');
    } finally {
      for (const k of keys) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    }
  });

  it('takes credentials from the SDK default chain (a shared-credentials profile)', async function () {
    // The profile holds the fake's test keys.
    fakeOnly(this);
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-profile-'));
    writeFileSync(path.join(dir, 'credentials'), `[dev]\naws_access_key_id = ${TEST_KEYS.accessKeyId}\naws_secret_access_key = ${TEST_KEYS.secretAccessKey}\n`);
    writeFileSync(path.join(dir, 'config'), '');
    const saved = { c: process.env['AWS_SHARED_CREDENTIALS_FILE'], f: process.env['AWS_CONFIG_FILE'] };
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = path.join(dir, 'credentials');
    process.env['AWS_CONFIG_FILE'] = path.join(dir, 'config');
    try {
      const aws = new AwsBackend({ regions: E2E_REGIONS, profile: 'dev' });
      await aws.verifyAccess('us-east-1');
      assert.equal(fake.calls('DescribeAvailabilityZones').at(-1)?.accessKeyId, TEST_KEYS.accessKeyId);
    } finally {
      if (saved.c === undefined) delete process.env['AWS_SHARED_CREDENTIALS_FILE']; else process.env['AWS_SHARED_CREDENTIALS_FILE'] = saved.c;
      if (saved.f === undefined) delete process.env['AWS_CONFIG_FILE']; else process.env['AWS_CONFIG_FILE'] = saved.f;
    }
  });
});
