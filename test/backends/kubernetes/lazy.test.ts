// The registry's Kubernetes entry: configuration from the environment, client-node loaded only on the first call.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LazyKubernetesBackend } from '../../../src/backends/kubernetes/lazy';
import * as kubeModule from '../../../src/backends/kubernetes/kubernetes-backend';
import { kubernetesOptionsFromEnv } from '../../../src/backends/kubernetes/options';
import { createBackends } from '../../../src/orchestrator/backends-registry';
import { addStandardNodes, openCluster, type Cluster } from './harness';

describe('Kubernetes backend, lazily loaded and registered', () => {
  let cluster: Cluster;
  beforeEach(async () => { cluster = await openCluster(); if (cluster.fake) addStandardNodes(cluster.fake); });
  afterEach(async () => { await cluster.close(); });

  it('is configured only when DSTACK_VSC_KUBERNETES=1 or a context is named', () => {
    assert.equal(kubernetesOptionsFromEnv({}), null);
    assert.equal(kubernetesOptionsFromEnv({ DSTACK_VSC_KUBERNETES: '0', KUBECONFIG: '/x' }), null);
    assert.deepEqual(kubernetesOptionsFromEnv({ DSTACK_VSC_KUBERNETES: '1' }), {});
    assert.deepEqual(kubernetesOptionsFromEnv({ DSTACK_VSC_KUBE_CONTEXT: 'gpu', DSTACK_VSC_KUBE_NAMESPACE: 'ml', DSTACK_VSC_KUBE_PRICE: '2.5', DSTACK_VSC_KUBE_IMAGE: 'img:1', KUBECONFIG: '/k' }),
      { kubeconfig: '/k', context: 'gpu', namespace: 'ml', pricePerHour: 2.5, image: 'img:1' });
    assert.throws(() => kubernetesOptionsFromEnv({ DSTACK_VSC_KUBERNETES: '1', DSTACK_VSC_KUBE_PRICE: 'cheap' }), /DSTACK_VSC_KUBE_PRICE="cheap" is not a price/);
  });

  it('loads the module on the first call, once; closing an unloaded backend loads nothing', async () => {
    let loads = 0;
    const lazy = new LazyKubernetesBackend({ kubeconfig: cluster.kubeconfig, ...(cluster.context ? { context: cluster.context } : {}), namespace: cluster.namespace }, {}, () => { loads += 1; return kubeModule; });
    assert.equal(lazy.capabilities.containerNative, true);
    await lazy.close();
    assert.equal(loads, 0, 'constructing and closing do not load client-node');
    const offers = await lazy.listOffers();
    assert.ok(offers.length > 0 && offers.every((o) => o.backend === 'kubernetes'));
    assert.deepEqual(await lazy.refresh(['none']), [{ instanceId: 'none', state: 'gone', tags: { installation: '', runName: '', instanceId: 'none' } }]);
    assert.equal(loads, 1);
    await lazy.close();
  });

  it('the registry builds it from the environment, and the default loader finds the source module', async () => {
    const state = mkdtempSync(path.join(tmpdir(), 'dvs-kube-state-'));
    try {
      assert.equal(createBackends(state, {}).has('kubernetes'), false);
      const backends = createBackends(state, { DSTACK_VSC_KUBERNETES: '1', KUBECONFIG: cluster.kubeconfig, ...(cluster.context ? { DSTACK_VSC_KUBE_CONTEXT: cluster.context } : {}), DSTACK_VSC_KUBE_NAMESPACE: cluster.namespace, DSTACK_VSC_KUBE_PRICE: '0.5' });
      const kube = backends.get('kubernetes');
      assert.ok(kube instanceof LazyKubernetesBackend);
      const offers = await kube.listOffers();
      assert.ok(offers.length > 0 && offers.every((o) => o.pricePerHour === 0.5));
      await kube.close();
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
