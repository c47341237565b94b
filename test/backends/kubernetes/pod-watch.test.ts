// The backend learns its pods' status from ONE watch (client-node's Watch over HTTP, against the fake API
// server's `?watch=true` stream), not by polling: a change reaches refresh without a list or get, create's wait is
// woken by events, a dropped watch resumes from its resourceVersion (re-listing after 410 Gone), a cluster that
// forbids watching still works through lists, and the watch closes once no pod is tracked. Fault scripting: fake only.

import { strict as assert } from 'node:assert';
import { BackendError, type InstanceJob } from '../../../src/backends/backend';
import { KubernetesBackend, type KubernetesBackendDeps } from '../../../src/backends/kubernetes/kubernetes-backend';
import { podName } from '../../../src/backends/kubernetes/labels';
import { generateKeyPair } from '../../../src/backends/ssh/keys';
import type { Offer } from '../../../src/backends/offer';
import { addStandardNodes, openCluster, testTags, type Cluster } from './harness';
import type { FakeKube, FakeKubeOptions, Obj } from './fake-kube/server';

const RUN_KEY = generateKeyPair('kube-watch-test');
const SMALL = { runId: 'r', runName: 'r', init: [], env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/nonexistent', configuration: { resources: { cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null }, shm_size: null, gpu: null, disk: null } } } as InstanceJob;

/** Polls `fn` until it returns something (a functional deadline, not a speed target). */
async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pod Running, as the kubelet would report it (a scripted change). */
function running(pod: Obj): void {
  pod['status'] = { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'environment', ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }] };
}

describe('Kubernetes pod watch (client-node Watch against the fake API server)', function () {
  this.timeout(30_000);
  let cluster: Cluster;
  let fake: FakeKube;
  const backends: KubernetesBackend[] = [];

  async function open(options: FakeKubeOptions, ctx: Mocha.Context): Promise<void> {
    cluster = await openCluster(options);
    if (!cluster.fake) { console.log('    (skipped against a real cluster: it scripts the fake)'); ctx.skip(); }
    fake = cluster.fake;
    addStandardNodes(fake);
  }

  function backend(deps: KubernetesBackendDeps = {}): KubernetesBackend {
    const b = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace }, { scheduleWaitMs: 0, pollMs: 50, watch: { retryDelaysMs: [50] }, ...deps });
    backends.push(b);
    return b;
  }

  async function offer(b: KubernetesBackend, node = 'cpu-node'): Promise<Offer> {
    return (await b.listOffers()).find((o) => o.instanceType === node) ?? assert.fail(`no offer for ${node}`);
  }

  afterEach(async () => {
    for (const b of backends.splice(0)) await b.close();
    await cluster?.close();
  });

  it('a status change reaches refresh through the watch, without a list or get', async function () {
    await open({ startDelayMs: 2000 }, this);
    const b = backend();
    const tags = testTags();
    assert.equal((await b.create(await offer(b), tags, RUN_KEY.publicKey, SMALL)).state, 'pending');
    assert.equal((await b.refresh([tags.instanceId]))[0]?.state, 'pending', 'the first refresh lists once and opens the watch');
    assert.equal(fake.watchCount, 1);
    const reads = fake.podReads().length;
    const view = await until('running', async () => { const [v] = await b.refresh([tags.instanceId]); return v?.state === 'running' ? v : undefined; });
    assert.ok(view.ssh, 'the running pod gets its port-forward listener');
    assert.equal(fake.podReads().length, reads, 'no pod list or get after the watch opened');
    assert.equal(fake.podWatches().length, 1, 'one watch, kept open');
    const w = fake.podWatches()[0];
    assert.equal(w?.path, `/api/v1/namespaces/${cluster.namespace}/pods`);
    assert.equal(w?.query.get('labelSelector'), 'dstack-vsc/instance', 'the watch selects our pods only');
    assert.ok(w?.query.get('resourceVersion'), 'the watch starts from the list\'s resourceVersion');
  });

  it('create\'s wait for the scheduler is woken by the watch, not by polling', async function () {
    await open({ scheduleDelayMs: 300 }, this);
    const b = backend({ scheduleWaitMs: 5_000 });
    const gpu = await offer(b, 'gpu-node');
    fake.addForeignPod('other', 'hog', 'gpu-node', { 'nvidia.com/gpu': '4' });
    const before = fake.podReads().length;
    const job = { ...SMALL, configuration: { resources: { ...(SMALL.configuration?.['resources'] as object), gpu: { vendor: 'nvidia', name: null, count: { min: 1, max: 1 }, memory: null, total_memory: null, compute_capability: null } } } } as InstanceJob;
    await assert.rejects(b.create(gpu, testTags(), RUN_KEY.publicKey, job),
      (err: unknown) => err instanceof BackendError && err.code === 'no_capacity' && /Insufficient nvidia\.com\/gpu/.test(err.message));
    // The existence check before creating, and the list that seeds the watch; a 50 ms poll would have read ~6 times.
    assert.equal(fake.podReads().length - before, 2, fake.podReads().map((r) => `${r.path}?${r.query.toString()}`).join('\n'));
  });

  it('a dropped watch resumes from its resourceVersion and the cache stays current', async function () {
    await open({ startDelayMs: 60_000 }, this);
    const b = backend();
    const tags = testTags();
    await b.create(await offer(b), tags, RUN_KEY.publicKey, SMALL);
    assert.equal((await b.refresh([tags.instanceId]))[0]?.state, 'pending');
    const reads = fake.podReads().length;
    assert.equal(fake.dropWatches(), 1);
    await until('the watch to reconnect', () => (fake.watchCount === 1 && fake.podWatches().length === 2 ? true : undefined));
    const [first, resumed] = fake.podWatches();
    assert.ok(Number(resumed?.query.get('resourceVersion')) >= Number(first?.query.get('resourceVersion')), 'resumed from the last version seen, not restarted');
    fake.updatePod(cluster.namespace, podName(tags.instanceId), running);
    await until('running', async () => ((await b.refresh([tags.instanceId]))[0]?.state === 'running' ? true : undefined));
    assert.equal(fake.podReads().length, reads, 'no list: the resumed watch replayed what it missed');
  });

  it('a watch resuming from a compacted version gets 410 Gone and re-lists', async function () {
    await open({ startDelayMs: 60_000 }, this);
    const b = backend();
    const tags = testTags();
    await b.create(await offer(b), tags, RUN_KEY.publicKey, SMALL);
    await b.refresh([tags.instanceId]);
    const reads = fake.podReads().length;
    fake.updatePod(cluster.namespace, podName(tags.instanceId), running);
    await until('the change to arrive', async () => ((await b.refresh([tags.instanceId]))[0]?.state === 'running' ? true : undefined));
    fake.compact();
    fake.dropWatches();
    await until('a watch after a new list', () => (fake.watchCount === 1 && fake.podReads().length === reads + 1 ? true : undefined));
    const [, resumed, relisted] = fake.podWatches();
    assert.equal(fake.podWatches().length, 3, 'the first, the resumed one (410 Gone), the one after the new list');
    assert.ok(Number(relisted?.query.get('resourceVersion')) > Number(resumed?.query.get('resourceVersion')), 'the new watch starts from the new list\'s version');
    fake.updatePod(cluster.namespace, podName(tags.instanceId), (p) => { p['metadata']['deletionTimestamp'] = new Date().toISOString(); });
    await until('stopping', async () => ((await b.refresh([tags.instanceId]))[0]?.state === 'stopping' ? true : undefined));
  });

  it('a cluster that forbids watching still works through lists, retrying the watch with a growing delay', async function () {
    await open({ startDelayMs: 300 }, this);
    fake.forbidWatch = true;
    const b = backend({ watch: { retryDelaysMs: [400, 5000] } });
    const tags = testTags();
    await b.create(await offer(b), tags, RUN_KEY.publicKey, SMALL);
    let refreshes = 0;
    await until('running', async () => { refreshes += 1; return (await b.refresh([tags.instanceId]))[0]?.state === 'running' ? true : undefined; });
    const start = Date.now();
    while (Date.now() - start < 600) { refreshes += 1; await b.refresh([tags.instanceId]); }
    assert.ok(refreshes > 10, `${refreshes} refreshes`);
    assert.ok(fake.podWatches().length >= 1 && fake.podWatches().length <= 3, `${fake.podWatches().length} watch attempts for ${refreshes} refreshes`);
    assert.ok(fake.podReads().length >= refreshes, 'each refresh listed');
  });

  it('the watch closes once no pod is tracked: after the last pod is gone, and on close', async function () {
    await open({}, this);
    const b = backend();
    const tags = testTags();
    await b.create(await offer(b), tags, RUN_KEY.publicKey, SMALL);
    await b.refresh([tags.instanceId]);
    assert.equal(fake.watchCount, 1);
    await b.terminate(tags.instanceId);
    await until('gone', async () => ((await b.refresh([tags.instanceId]))[0]?.state === 'gone' ? true : undefined));
    await until('the watch to close', () => (fake.watchCount === 0 ? true : undefined));
    const again = testTags();
    await b.create(await offer(b), again, RUN_KEY.publicKey, SMALL);
    await b.refresh([again.instanceId]);
    assert.equal(fake.watchCount, 1, 'a new pod opens it again');
    await b.close();
    await until('the watch to close on close()', () => (fake.watchCount === 0 ? true : undefined));
  });
});
