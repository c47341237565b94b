// A spot instance reclaimed by AWS while the run is on it: the orchestrator (built from the environment, real SDK
// over HTTP to the EC2 fake) sees the interruption, ends the attempt as interrupted_by_no_capacity and, with
// `retry: on_events: [interruption]`, schedules the run again instead of failing it.

import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DevEnvironmentConfiguration } from '../../../src/schema/model';
import { validateText } from '../../../src/schema/validate';
import { closeBackends } from '../../../src/orchestrator/backends-registry';
import { submitRun } from '../../../src/orchestrator/orchestrator';
import { planDevEnvironment } from '../../../src/orchestrator/plan';
import { openRuntime } from '../../../src/orchestrator/runtime';
import { openEndpoint, TEST_KEYS, type Ec2Endpoint } from './harness';

const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];

describe('AWS spot interruption through the orchestrator (EC2 fake, real SDK)', function () {
  this.timeout(30_000);
  let endpoint: Ec2Endpoint;
  const saved = new Map<string, string | undefined>();

  beforeEach(async function () {
    endpoint = await openEndpoint({ pendingMs: 0, shuttingDownMs: 0 });
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

  it('an interrupted spot instance ends the attempt with interrupted_by_no_capacity and the retry policy resubmits the run', async () => {
    const fake = endpoint.fake;
    assert.ok(fake);
    const state = mkdtempSync(path.join(tmpdir(), 'aws-spot-'));
    const env = { DSTACK_VSC_STATE_DIR: state, HOME: state, DSTACK_VSC_AWS_REGIONS: 'us-east-1', PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const text = ['type: dev-environment', 'name: spot-run', 'ide: vscode', 'backends: [aws]', 'spot_policy: spot',
      'retry:', '  on_events: [interruption]', '  duration: 1h', 'resources:', '  gpu: T4', ''].join('\n');
    const validated = validateText(text);
    assert.equal(validated.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(validated.diagnostics));
    const rt = openRuntime(env);
    try {
      const plan = await planDevEnvironment(validated.configuration as DevEnvironmentConfiguration, {
        configurationPath: path.join(state, 'spot.dstack.yml'), envOverrides: {}, processEnv: env, secrets: {}, backends: rt.backends.values(),
      });
      assert.ok(plan.spec.offers.length > 0 && plan.spec.offers.every((o) => o.backend === 'aws' && o.resources.spot), 'spot offers only');
      const run = await submitRun(rt.store, rt.clock, { ...plan.spec, configurationPath: path.join(state, 'spot.dstack.yml') }, 'spot-run');
      await rt.leader.step(true);
      const [launched] = fake.live();
      assert.ok(launched?.spot, 'a spot instance was launched');
      await rt.leader.step(true);
      fake.interruptSpot(launched.instanceId);
      let r = (await rt.store.read()).runs.find((x) => x.id === run.id);
      for (let i = 0; i < 10 && r?.jobTerminationReason !== 'interrupted_by_no_capacity'; i++) {
        await rt.leader.step(true);
        r = (await rt.store.read()).runs.find((x) => x.id === run.id);
      }
      assert.equal(r?.jobTerminationReason, 'interrupted_by_no_capacity');
      for (let i = 0; i < 10 && r?.status !== 'pending'; i++) {
        await rt.leader.step(true);
        r = (await rt.store.read()).runs.find((x) => x.id === run.id);
      }
      assert.equal(r?.status, 'pending', 'the retry policy resubmits instead of failing the run');
      assert.ok(r.retryAt !== null && r.retryAt > Date.now() - 1000, 'with a backoff');
      const inst = (await rt.store.read()).instances.find((i) => i.providerId === launched.instanceId);
      assert.equal(inst?.terminationReason, 'interrupted');
      assert.equal(fake.calls('TerminateInstances').length <= 1, true, 'the reclaimed instance needs no more than the one clean-up call');
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
  });
});
