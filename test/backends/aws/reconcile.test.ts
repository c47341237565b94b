// A crash between RunInstances and the store write, then a restart: the orchestrator built from the environment
// (DSTACK_VSC_AWS_REGIONS, the SDK's endpoint and credential variables) finds the instance by its tags in whichever
// configured region it is, records it as an orphan and terminates it; another installation's instance is left alone.

import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AwsBackend } from '../../../src/backends/aws';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { openEndpoint, TEST_KEYS, TEST_PUBLIC_KEY, type Ec2Endpoint } from './harness';

const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];

describe('AWS orphan sweep through the orchestrator (EC2 fake, real SDK)', function () {
  this.timeout(30_000);
  let endpoint: Ec2Endpoint;
  const saved = new Map<string, string | undefined>();

  beforeEach(async function () {
    endpoint = await openEndpoint({ shuttingDownMs: 0 });
    if (!endpoint.fake) this.skip();
    for (const k of CREDENTIAL_ENV) saved.set(k, process.env[k]);
    for (const k of CREDENTIAL_ENV) delete process.env[k];
    process.env['AWS_ACCESS_KEY_ID'] = TEST_KEYS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = TEST_KEYS.secretAccessKey;
  });
  afterEach(async () => {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await endpoint.close();
  });

  it('a restart terminates the instance a crash left untracked, in any configured region, and nothing else', async () => {
    const fake = endpoint.fake;
    assert.ok(fake);
    const state = mkdtempSync(path.join(tmpdir(), 'aws-sweep-'));
    const env = { DSTACK_VSC_STATE_DIR: state, HOME: state, DSTACK_VSC_AWS_REGIONS: 'us-east-1,eu-west-1', PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const first = openRuntime(env);
    const installation = (await first.store.read()).installation;
    await closeBackends(first.backends);
    // What the crashed process had launched (the store never heard of it), and another installation's instance.
    const direct = new AwsBackend({ regions: ['us-east-1', 'eu-west-1'], keys: TEST_KEYS });
    const offers = await direct.listOffers();
    const cpu = offers.find((o) => o.region === 'eu-west-1' && o.instanceType === 'm5.large' && !o.resources.spot);
    assert.ok(cpu);
    await direct.create(cpu, { installation, runName: 'lost-run', instanceId: 'lost-1' }, TEST_PUBLIC_KEY);
    await direct.create({ ...cpu, region: 'us-east-1' }, { installation: 'someone-else', runName: 'theirs', instanceId: 'theirs-1' }, TEST_PUBLIC_KEY);

    const rt = openRuntime(env);
    try {
      await rt.leader.step(true);
      let s = await rt.store.read();
      for (let i = 0; i < 10 && s.instances.some((x) => x.status !== 'terminated'); i++) {
        await rt.leader.step(true);
        s = await rt.store.read();
      }
      const lost = s.instances.find((x) => x.id === 'lost-1');
      assert.equal(lost?.backend, 'aws');
      assert.equal(lost?.terminationReason, 'orphan');
      assert.equal(lost?.status, 'terminated');
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
    assert.deepEqual(fake.live().map((i) => i.tags['dstack-vsc:installation']), ['someone-else'], 'ours is terminated, theirs lives');
    assert.deepEqual(fake.calls('TerminateInstances').map((r) => r.region), ['eu-west-1']);
  });
});
