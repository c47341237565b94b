// The registry's AWS entry: configuration from the environment, and the SDK loaded only on the first call.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { awsOptionsFromEnv, LazyAwsBackend } from '../../../src/backends/aws/lazy';
import * as awsModule from '../../../src/backends/aws/aws-backend';
import type { AwsKeys } from '../../../src/backends/aws/client';
import { InstanceAgents } from '../../../src/backends/aws/instance-agent';
import { BackendError } from '../../../src/backends/backend';
import { E2E_REGIONS, openEndpoint, TEST_KEYS, TEST_PUBLIC_KEY, testTags, type Ec2Endpoint } from './harness';

const REGION = E2E_REGIONS[0] as string;

describe('AWS backend, lazily loaded', () => {
  let endpoint: Ec2Endpoint;
  beforeEach(async () => { endpoint = await openEndpoint(); });
  afterEach(async () => { await endpoint.close(); });

  it('is configured only when DSTACK_VSC_AWS_REGIONS names regions', () => {
    assert.equal(awsOptionsFromEnv({}), null);
    assert.equal(awsOptionsFromEnv({ DSTACK_VSC_AWS_REGIONS: ' , ' }), null);
    assert.deepEqual(awsOptionsFromEnv({ DSTACK_VSC_AWS_REGIONS: 'us-east-1, eu-west-1', DSTACK_VSC_AWS_PROFILE: 'dev', DSTACK_VSC_AWS_SSH_CIDR: '198.51.100.7/32' }),
      { regions: ['us-east-1', 'eu-west-1'], profile: 'dev', sshCidr: '198.51.100.7/32' });
    assert.equal(awsOptionsFromEnv({ DSTACK_VSC_AWS_REGIONS: 'us-east-1', DSTACK_VSC_AWS_SSH_USER: 'ec2-user' })?.sshUser, 'ec2-user');
  });

  it('a backend without regions names the settings that give it some', () => {
    assert.throws(() => new awsModule.AwsBackend({ regions: [] }), (e: unknown) => e instanceof BackendError && e.code === 'invalid'
      && e.message.includes('DSTACK_VSC_AWS_REGIONS') && e.message.includes('`dstack.aws.regions`') && !e.message.includes('backend config'));
  });

  it('loads the module on the first call, once, and then behaves as the AWS backend', async () => {
    let loads = 0;
    const lazy = new LazyAwsBackend({ regions: [REGION], ...(endpoint.fake ? { keys: TEST_KEYS } : {}) }, () => { loads += 1; return awsModule; });
    assert.equal(lazy.capabilities.billable, true);
    assert.equal(loads, 0, 'constructing does not load the SDK');
    const offers = await lazy.listOffers();
    assert.ok(offers.length > 0 && offers.every((o) => o.backend === 'aws' && o.region === REGION));
    assert.deepEqual(await lazy.refresh(['none']), [{ instanceId: 'none', state: 'gone', tags: { installation: '', runName: '', instanceId: 'none' } }]);
    assert.equal(loads, 1);
  });

  it('the default loader finds the source module when no built chunk sits beside it', async () => {
    const lazy = new LazyAwsBackend({ regions: [REGION], ...(endpoint.fake ? { keys: TEST_KEYS } : {}) });
    assert.equal(lazy.loaded().id, 'aws');
    assert.ok((await lazy.listOffers()).length > 0);
  });

  it('a load failure rejects the call instead of throwing synchronously', async () => {
    const lazy = new LazyAwsBackend({ regions: ['us-east-1'] }, () => { throw new Error('chunk missing'); });
    await assert.rejects(lazy.listTagged('x'), /chunk missing/);
  });

  it('entered keys are read on every call: rejected keys fail with auth, new keys apply without a rebuild by hand', async function () {
    if (!endpoint.fake) this.skip();
    const fake = endpoint.fake;
    let keys: AwsKeys | undefined = { accessKeyId: 'AKIDWRONG', secretAccessKey: 'nope' };
    const lazy = new LazyAwsBackend({ regions: ['us-east-1'], retry: { attempts: 1, baseMs: 1 } }, () => awsModule, { keys: () => Promise.resolve(keys) });
    await assert.rejects(lazy.listOffers(), (e: unknown) => e instanceof BackendError && e.code === 'auth' && /AuthFailure/.test(e.message) && !e.message.includes('nope'));
    keys = { ...TEST_KEYS };
    assert.ok((await lazy.listOffers()).length > 0);
    assert.equal(fake.requests.at(-1)?.accessKeyId, TEST_KEYS.accessKeyId);
  });

  it('with the instance agents: the job is kept before RunInstances, an instance not reachable over SSH yet is running without a report, terminate forgets it', async function () {
    if (!endpoint.fake) this.skip();
    await endpoint.close();
    // A closed port on 127.0.0.1 stands for an instance whose sshd is not up yet.
    const port = await new Promise<number>((resolve) => { const srv = net.createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); }); });
    endpoint = await openEndpoint({ pendingMs: 0, publicIp: () => '127.0.0.1' });
    const state = mkdtempSync(path.join(tmpdir(), 'aws-agents-'));
    const agents = new InstanceAgents({ stateDir: state, callTimeoutMs: 2_000 });
    const lazy = new LazyAwsBackend({ regions: ['us-east-1'], keys: TEST_KEYS }, () => awsModule, { agents });
    const offer = (await lazy.listOffers()).find((o) => o.instanceType === 'm5.large' && !o.resources.spot);
    assert.ok(offer);
    const tags = testTags();
    const job = { runId: 'run-id', runName: tags.runName, init: ['echo hi'], env: { TOKEN: 'secret-value' }, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/dev/null' };
    await lazy.create(offer, tags, TEST_PUBLIC_KEY, job);
    const record = path.join(state, 'aws', 'jobs', `${tags.instanceId}.json`);
    assert.ok(existsSync(record), 'the job was kept before the instance was created');
    assert.equal(statSync(record).mode & 0o777, 0o600);
    assert.equal((JSON.parse(readFileSync(record, 'utf8')) as { startedAt: number | null }).startedAt, null);
    // Point the fake's instance at the closed port: EC2 says running, SSH cannot log in yet.
    const view = (await (lazy.loaded() as awsModule.AwsBackend).refresh([tags.instanceId]))[0];
    assert.equal(view?.state, 'running');
    assert.ok(view?.ssh);
    const [attached] = await agents.attach([{ ...view, ssh: { ...view.ssh, port } }]);
    assert.equal(attached?.state, 'running');
    assert.equal(attached?.report, undefined, 'no report before the agent runs');
    assert.equal(attached?.ssh, undefined, 'no endpoint to publish before the agent runs');
    await lazy.terminate(tags.instanceId);
    assert.ok(!existsSync(record), 'terminate forgets the job');
    assert.equal(endpoint.fake?.calls('TerminateInstances').length, 1);
    await lazy.close();
  });

  it('the instance agents keep a reused instance\'s job apart: a new host key and env, the earlier run cleared first, a log file per run', async () => {
    const state = mkdtempSync(path.join(tmpdir(), 'aws-reuse-'));
    const agents = new InstanceAgents({ stateDir: state });
    const offer = (await new LazyAwsBackend({ regions: [REGION], ...(endpoint.fake ? { keys: TEST_KEYS } : {}) }, () => awsModule).listOffers()).find((o) => !o.resources.spot);
    assert.ok(offer);
    const tags = { installation: 'inst', runName: 'first', instanceId: 'run1-s1-o0' };
    const job = (runId: string, token: string) => ({ runId, runName: runId, init: [`echo ${token}`], env: { TOKEN: token }, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/dev/null' });
    await agents.prepare(offer, tags, TEST_PUBLIC_KEY, job('run1', 'one'));
    const record = path.join(state, 'aws', 'jobs', 'run1-s1-o0.json');
    const first = JSON.parse(readFileSync(record, 'utf8')) as { hostPublicKey: string; clearFirst?: boolean };
    assert.equal(first.clearFirst, undefined);
    assert.equal(await agents.released('run1-s1-o0'), false, 'a job is on it');
    assert.equal(await agents.released('never-prepared'), true, 'nothing of ours to stop');
    await agents.reuse(offer, { ...tags, runName: 'second' }, TEST_PUBLIC_KEY, job('run2', 'two'));
    const second = JSON.parse(readFileSync(record, 'utf8')) as { hostPublicKey: string; clearFirst?: boolean; runId: string; env: Record<string, string>; tags: { runName: string }; startedAt: null };
    assert.equal(second.clearFirst, true);
    assert.equal(second.runId, 'run2');
    assert.deepEqual(second.env, { TOKEN: 'two' });
    assert.equal(second.tags.runName, 'second', 'the code and DSTACK_RUN_NAME come from the new run');
    assert.notEqual(second.hostPublicKey, first.hostPublicKey, 'a new host key');
    await agents.reuse(offer, { ...tags, runName: 'second' }, TEST_PUBLIC_KEY, job('run2', 'two'));
    assert.equal((JSON.parse(readFileSync(record, 'utf8')) as { hostPublicKey: string }).hostPublicKey, second.hostPublicKey, 'idempotent for the same run');
    assert.equal(agents.logFile('run1-s1-o0', 'run1'), path.join(state, 'aws', 'logs', 'run1-s1-o0.log'), 'the run it was created for');
    assert.equal(agents.logFile('run1-s1-o0', 'run2'), path.join(state, 'aws', 'logs', 'run1-s1-o0.run2.log'), 'a run that reused it');
    assert.equal(agents.logFile('run1-s1-o0'), path.join(state, 'aws', 'logs', 'run1-s1-o0.log'));
  });
});
