// The scheduler driving the real Kubernetes backend against the fake API server: a pod the scheduler finds no
// node for only after create's wait (a busy scheduler, a full node) is reported as no capacity by refresh, and
// the run fails over to the next node, the scheduler's reason recorded as an attempt and the first pod deleted.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Backend } from '../../../src/backends/backend';
import { KubernetesBackend } from '../../../src/backends/kubernetes/kubernetes-backend';
import type { BackendId } from '../../../src/backends/offer';
import { systemClock } from '../../../src/orchestrator/clock';
import { submitRun } from '../../../src/orchestrator/orchestrator';
import { Scheduler } from '../../../src/orchestrator/scheduler/scheduler';
import { Store } from '../../../src/orchestrator/store/store';
import { spec, tempDir } from '../../orchestrator/helpers';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import { openCluster, type Cluster } from './harness';

describe('Kubernetes: failover when a pod turns out unschedulable after create (scheduler + backend)', function () {
  this.timeout(30_000);
  let cluster: Cluster;
  let backend: KubernetesBackend | undefined;

  afterEach(async () => {
    await backend?.close();
    await cluster?.close();
  });

  it('the run moves on to the next node, with the scheduler\'s reason as the refused attempt', async function () {
    cluster = await openCluster({ scheduleDelayMs: 300 });
    const fake = cluster.fake;
    if (!fake) { console.log('    (skipped against a real cluster: it scripts the fake)'); this.skip(); }
    fake.addNode({ name: 'node-a', cpu: '4', memory: '16Gi' });
    fake.addNode({ name: 'node-b', cpu: '4', memory: '16Gi' });
    backend = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace }, { scheduleWaitMs: 50 });
    const offers = (await backend.listOffers()).sort((x, y) => x.instanceType.localeCompare(y.instanceType));
    assert.deepEqual(offers.map((o) => o.instanceType), ['node-a', 'node-b']);
    // node-a fills up after the offers were listed: the pod created there cannot be placed.
    fake.addForeignPod('other', 'hog', 'node-a', { cpu: '4' });

    const dir = tempDir();
    const store = new Store(path.join(dir, 'state'));
    await store.acquireLease('test-owner', Date.now(), 3_600_000);
    const scheduler = new Scheduler({ store, backends: new Map<BackendId, Backend>([['kubernetes', backend]]), clock: systemClock, owner: 'test-owner', sshPublicKey: generateKeyPair('failover').publicKey });
    await submitRun(store, systemClock, spec(offers), 'kube-failover');
    let state = await scheduler.tick();
    assert.deepEqual(state.runs[0]?.attempts.map((a) => [a.instanceType, a.outcome]), [['node-a', 'created']], 'the scheduler had not decided within create\'s wait');
    const deadline = Date.now() + 15_000;
    while ((state.runs[0]?.attempts.length ?? 0) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = await scheduler.tick();
    }
    const run = state.runs[0];
    assert.deepEqual(run?.attempts.map((a) => [a.instanceType, a.outcome]), [['node-a', 'created'], ['node-a', 'no_capacity'], ['node-b', 'created']]);
    assert.match(run?.attempts[1]?.error ?? '', /cannot be scheduled on node node-a \(context fake\): 0\/2 nodes are available: .*Insufficient cpu/);
    assert.equal(run?.status, 'provisioning');
    // The refused pod is deleted by the terminate the scheduler calls; the run's pod lands on node-b.
    const ours = (): unknown[] => [...fake.pods.values()].filter((p) => p['metadata']['namespace'] === cluster.namespace).map((p) => p['spec']['nodeName']);
    for (let i = 0; i < 50 && JSON.stringify(ours()) !== '["node-b"]'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await scheduler.tick();
    }
    assert.deepEqual(ours(), ['node-b']);
  });
});
