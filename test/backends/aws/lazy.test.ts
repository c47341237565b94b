// The registry's AWS entry: configuration from the environment, and the SDK loaded only on the first call.

import { strict as assert } from 'node:assert';
import { awsOptionsFromEnv, LazyAwsBackend } from '../../../src/backends/aws/lazy';
import * as awsModule from '../../../src/backends/aws/aws-backend';
import { openEndpoint, TEST_KEYS, type Ec2Endpoint } from './harness';

describe('AWS backend, lazily loaded', () => {
  let endpoint: Ec2Endpoint;
  beforeEach(async () => { endpoint = await openEndpoint(); });
  afterEach(async () => { await endpoint.close(); });

  it('is configured only when DSTACK_VSC_AWS_REGIONS names regions', () => {
    assert.equal(awsOptionsFromEnv({}), null);
    assert.equal(awsOptionsFromEnv({ DSTACK_VSC_AWS_REGIONS: ' , ' }), null);
    assert.deepEqual(awsOptionsFromEnv({ DSTACK_VSC_AWS_REGIONS: 'us-east-1, eu-west-1', DSTACK_VSC_AWS_PROFILE: 'dev', DSTACK_VSC_AWS_SSH_CIDR: '198.51.100.7/32' }),
      { regions: ['us-east-1', 'eu-west-1'], profile: 'dev', sshCidr: '198.51.100.7/32' });
  });

  it('loads the module on the first call, once, and then behaves as the AWS backend', async () => {
    let loads = 0;
    const lazy = new LazyAwsBackend({ regions: ['us-east-1'], ...(endpoint.fake ? { keys: TEST_KEYS } : {}) }, () => { loads += 1; return awsModule; });
    assert.equal(lazy.capabilities.billable, true);
    assert.equal(loads, 0, 'constructing does not load the SDK');
    const offers = await lazy.listOffers();
    assert.ok(offers.length > 0 && offers.every((o) => o.backend === 'aws' && o.region === 'us-east-1'));
    assert.deepEqual(await lazy.refresh(['none']), [{ instanceId: 'none', state: 'gone', tags: { installation: '', runName: '', instanceId: 'none' } }]);
    assert.equal(loads, 1);
  });

  it('the default loader finds the source module when no built chunk sits beside it', async () => {
    const lazy = new LazyAwsBackend({ regions: ['us-east-1'], ...(endpoint.fake ? { keys: TEST_KEYS } : {}) });
    assert.equal(lazy.loaded().id, 'aws');
    assert.ok((await lazy.listOffers()).length > 0);
  });

  it('a load failure rejects the call instead of throwing synchronously', async () => {
    const lazy = new LazyAwsBackend({ regions: ['us-east-1'] }, () => { throw new Error('chunk missing'); });
    await assert.rejects(lazy.listTagged('x'), /chunk missing/);
  });
});
