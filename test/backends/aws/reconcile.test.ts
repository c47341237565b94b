// A crash between RunInstances and the store write, then a restart: the orchestrator built from the environment
// (DSTACK_VSC_AWS_REGIONS, the SDK's endpoint and credential variables) finds the instance by its tags in whichever
// configured region it is, records it as an orphan and terminates it; another installation's instance is left alone.
// Runs against the fake or, through AWS_ENDPOINT_URL_EC2, an external endpoint (credentials from its default chain).

import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AwsBackend } from '../../../src/backends/aws';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { E2E_REGIONS, EXTERNAL_ENDPOINT, keysFor, openEndpoint, TEST_KEYS, TEST_PUBLIC_KEY, until, type Ec2Endpoint } from './harness';

const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];

describe('AWS orphan sweep through the orchestrator (real SDK: the EC2 fake, or the endpoint AWS_ENDPOINT_URL_EC2 names)', function () {
  this.timeout(EXTERNAL_ENDPOINT ? 900_000 : 30_000);
  let endpoint: Ec2Endpoint;
  const saved = new Map<string, string | undefined>();

  beforeEach(async () => {
    endpoint = await openEndpoint({ shuttingDownMs: 0 });
    if (!endpoint.fake) return;
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
    const state = mkdtempSync(path.join(tmpdir(), 'aws-sweep-'));
    const env: NodeJS.ProcessEnv = { ...(fake ? {} : process.env), DSTACK_VSC_STATE_DIR: state, HOME: state, DSTACK_VSC_AWS_REGIONS: E2E_REGIONS.join(','), PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const first = openRuntime(env);
    const installation = (await first.store.read()).installation;
    await closeBackends(first.backends);
    // What the crashed process had launched (the store never heard of it), and another installation's instance.
    const direct = new AwsBackend({ regions: E2E_REGIONS, ...keysFor(endpoint) });
    const last = E2E_REGIONS[E2E_REGIONS.length - 1] as string;
    const offers = await direct.listOffers();
    const cpu = offers.find((o) => o.region === last && o.resources.gpus.length === 0 && !o.resources.spot && o.availability === 'available');
    assert.ok(cpu);
    const theirs = { installation: `someone-else-${installation}`, runName: 'theirs', instanceId: `theirs-${process.pid}` };
    const lost = { installation, runName: 'lost-run', instanceId: `lost-${process.pid}` };
    await direct.create(cpu, lost, TEST_PUBLIC_KEY);
    try {
      await direct.create({ ...cpu, region: E2E_REGIONS[0] as string }, theirs, TEST_PUBLIC_KEY);

      const rt = openRuntime(env);
      try {
        const s = await until(endpoint, async () => { await rt.leader.step(true); return rt.store.read(); },
          (st) => st.instances.length > 0 && st.instances.every((x) => x.status === 'terminated'), 'waiting for the sweep');
        const record = s.instances.find((x) => x.id === lost.instanceId);
        assert.equal(record?.backend, 'aws');
        assert.equal(record?.terminationReason, 'orphan');
        assert.equal(record?.status, 'terminated');
      } finally {
        await rt.leader.stop();
        await closeBackends(rt.backends);
      }
      assert.deepEqual(await direct.listTagged(installation), [], 'ours is terminated');
      assert.deepEqual((await direct.listTagged(theirs.installation)).map((v) => v.tags), [theirs], 'theirs lives');
      if (fake) assert.deepEqual(fake.calls('TerminateInstances').map((r) => r.region), ['eu-west-1']);
    } finally {
      await direct.terminate(theirs.instanceId);
      await direct.terminate(lost.instanceId);
    }
  });
});
