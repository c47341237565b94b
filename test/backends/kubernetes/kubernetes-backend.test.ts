// The Kubernetes backend through the real @kubernetes/client-node over HTTP, against the project's fake API
// server on 127.0.0.1, or against a real cluster (DSTACK_VSC_KUBE_E2E=1 with KUBECONFIG: see harness.ts): offers,
// the pod and its Secret as created (read back from the API server), idempotency, the access review, start
// failures (no capacity, images), terminate, reconcile by labels after a restart, and SSH into the pod through the
// port-forward listener. The pod spec holds no secret: the sshd keys are in a labelled Secret it references, the
// run's env is not there. Only tests that script faults into the fake are skipped on a real cluster.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { Client } from 'ssh2';
import { BackendError, type InstanceJob, type ResourceTags } from '../../../src/backends/backend';
import { KubernetesBackend } from '../../../src/backends/kubernetes/kubernetes-backend';
import { ENV_AUTHORIZED_KEY, ENV_HOST_KEY } from '../../../src/backends/kubernetes/bootstrap';
import { podName } from '../../../src/backends/kubernetes/labels';
import { DEFAULT_KUBE_IMAGE } from '../../../src/backends/kubernetes/options';
import { SECRET_AUTHORIZED_KEY, SECRET_HOST_KEY } from '../../../src/backends/kubernetes/pod-secret';
import { PodAgents } from '../../../src/backends/kubernetes/pod-agents';
import { parseQuantity } from '../../../src/backends/kubernetes/quantity';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { generateKeyPair, publicKeyBlob } from '../../../src/backends/ssh/keys';
import type { Offer } from '../../../src/backends/offer';
import type { ResourcesSpec } from '../../../src/schema/model';
import { addStandardNodes, openCluster, REAL_CLUSTER, testTags, writeKubeconfig, type Cluster } from './harness';
import type { Obj } from './fake-kube/server';

const RUN_KEY = generateKeyPair('kube-test-run');
/** Bound of waiting for a pod to do something: the fake is instant, a real cluster pulls images. */
const WAIT_MS = REAL_CLUSTER ? 300_000 : 10_000;

function resources(over: Partial<ResourcesSpec> = {}): ResourcesSpec {
  return { cpu: { arch: null, count: { min: 2, max: null } }, memory: { min: 8, max: null }, shm_size: null, gpu: null, disk: null, ...over };
}

const SMALL: Partial<ResourcesSpec> = { cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null } };

function job(config: Record<string, unknown>, env: Record<string, string> = {}): InstanceJob {
  const j = { runId: 'run-id', runName: 'r', init: [], env, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/nonexistent' } as InstanceJob;
  (j as InstanceJob & { configuration: Record<string, unknown> }).configuration = config;
  return j;
}

/** Polls `fn` until it returns something (a functional deadline). */
async function until<T>(fn: () => Promise<T | undefined>, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resource quantities as numbers (a real API server writes them back in canonical form: 16384Mi as 16Gi). */
function quantities(r: Record<string, string> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, parseQuantity(v)]));
}

const GiB = 1024 ** 3;

describe(REAL_CLUSTER ? `Kubernetes backend (client-node against the real cluster of ${REAL_CLUSTER.kubeconfig})` : 'Kubernetes backend (client-node over HTTP against the fake API server)', function () {
  this.timeout(REAL_CLUSTER ? 600_000 : 30_000);
  let cluster: Cluster;
  let backend: KubernetesBackend;
  /** Every instance a test created, terminated after it (a real cluster keeps what it is not told to delete). */
  const created: ResourceTags[] = [];
  const fakeOnly = function (this: Mocha.Context): void {
    if (!cluster.fake) { console.log('    (skipped against the real cluster: it scripts the fake)'); this.skip(); }
  };
  const tagsFor = (installation?: string): ResourceTags => {
    const t = testTags(installation);
    created.push(t);
    return t;
  };
  const contextOption = (): { context?: string } => (cluster.context ? { context: cluster.context } : {});

  beforeEach(async () => {
    cluster = await openCluster();
    if (cluster.fake) addStandardNodes(cluster.fake);
    backend = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...contextOption(), namespace: cluster.namespace }, { scheduleWaitMs: 2_000, pollMs: 50 });
  });
  afterEach(async () => {
    if (!cluster.fake) for (const t of created) await backend.terminate(t.instanceId).catch(() => undefined);
    created.length = 0;
    await backend.close();
    await cluster.close();
  });

  /** The fake's node by name; on a real cluster, the first node with room. */
  async function offerOf(node: string): Promise<Offer> {
    const o = (await backend.listOffers()).find((x) => (cluster.fake ? x.instanceType === node : x.availability === 'available'));
    assert.ok(o, `an offer for ${node}`);
    return o;
  }

  /** The pod and its Secret as the API server holds them (plain JSON). */
  async function readBack(tags: ResourceTags): Promise<{ pod: Obj; secret: Obj }> {
    const { core } = backend.client();
    const name = podName(tags.instanceId);
    const plain = (x: unknown): Obj => JSON.parse(JSON.stringify(x)) as Obj;
    return { pod: plain(await core.readNamespacedPod({ name, namespace: cluster.namespace })), secret: plain(await core.readNamespacedSecret({ name, namespace: cluster.namespace })) };
  }

  /** The env the pod's container starts with, its secretKeyRefs resolved from the Secret read back. */
  function containerEnv(pod: Obj, secret: Obj): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of (pod['spec']['containers'][0]['env'] ?? []) as Obj[]) {
      const ref = e['valueFrom']?.['secretKeyRef'] as Obj | undefined;
      if (!ref) { out[e['name'] as string] = String(e['value'] ?? ''); continue; }
      assert.equal(ref['name'], secret['metadata']['name'], 'the env comes from the pod\'s own Secret');
      const data = secret['data']?.[ref['key'] as string] as string | undefined;
      if (data !== undefined) out[e['name'] as string] = Buffer.from(data, 'base64').toString('utf8');
    }
    return out;
  }

  it('offers each schedulable node with allocatable minus running pods, GPUs from the node labels', async function () {
    cluster.fake?.addForeignPod('other', 'training', 'gpu-node', { cpu: '6', memory: '32Gi', 'nvidia.com/gpu': '1', 'ephemeral-storage': '100Gi' });
    const offers = await backend.listOffers();
    assert.ok(offers.length > 0, 'the cluster offers its nodes');
    const context = backend.client().ref.context;
    for (const o of offers) {
      assert.equal(o.backend, 'kubernetes');
      assert.equal(o.region, context, 'the region is the context');
      assert.equal(o.backendData?.['node'], o.instanceType, 'one offer per node, named by it');
      assert.ok(o.resources.cpus >= 0 && o.resources.memoryGB >= 0 && o.resources.diskGB >= 0 && !o.resources.spot);
      assert.ok(['available', 'busy'].includes(o.availability));
      assert.equal(o.pricePerHour, 0);
      for (const g of o.resources.gpus) assert.ok(['nvidia', 'amd'].includes(g.vendor) && typeof o.backendData?.['gpuResource'] === 'string');
    }
    const priced = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...contextOption(), namespace: cluster.namespace, pricePerHour: 1.25 });
    assert.ok((await priced.listOffers()).every((o) => o.pricePerHour === 1.25));
    if (!cluster.fake) return;
    assert.deepEqual(offers.map((o) => o.instanceType).sort(), ['cpu-node', 'gpu-node'], 'the node with an untolerated taint offers nothing');
    const gpu = offers.find((o) => o.instanceType === 'gpu-node');
    assert.ok(gpu);
    assert.equal(gpu.region, 'fake');
    assert.equal(gpu.resources.cpus, 10);
    assert.equal(gpu.resources.memoryGB, 96);
    assert.equal(gpu.resources.diskGB, 400);
    assert.equal(gpu.resources.gpus.length, 3);
    assert.deepEqual(gpu.resources.gpus[0], { name: 'H100', vendor: 'nvidia', memoryGB: 80 });
    assert.equal(gpu.availability, 'available');
    assert.deepEqual(gpu.backendData, { node: 'gpu-node', gpuResource: 'nvidia.com/gpu', gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuProductLabel: 'nvidia.com/gpu.product' });
    const cpu = offers.find((o) => o.instanceType === 'cpu-node');
    assert.equal(cpu?.resources.gpus.length, 0);
    assert.equal(cpu?.resources.cpus, 4);
  });

  it('creates one pod per run with every field the run needs (read back from the API server), its keys in a Secret', async function () {
    const tags = tagsFor('My Install/1');
    const offer = await offerOf('gpu-node');
    const gpus = Math.min(2, offer.resources.gpus.length);
    const gpuResource = String(offer.backendData?.['gpuResource'] ?? '');
    const image = REAL_CLUSTER?.image ?? 'nvcr.io/nvidia/pytorch:24.05-py3';
    const config = { image, resources: resources({
      cpu: { arch: null, count: { min: 1, max: 2 } }, memory: { min: 1, max: 4 }, shm_size: 1, disk: { size: { min: 1, max: null } },
      gpu: gpus > 0 ? { vendor: null, name: null, count: { min: gpus, max: gpus }, memory: null, total_memory: null, compute_capability: null } : null,
    }) };
    const view = await backend.create(offer, tags, RUN_KEY.publicKey, job(config, { HF_TOKEN: 'secret-value', FOO: 'bar' }));
    assert.equal(view.instanceId, tags.instanceId);
    assert.equal(view.startFailure, undefined);
    const { pod, secret } = await readBack(tags);
    assert.equal(pod['metadata']['name'], `dstack-vsc-${tags.instanceId.toLowerCase()}`);
    assert.deepEqual(pod['metadata']['labels'], { 'dstack-vsc/installation': 'My-Install-1', 'dstack-vsc/run': tags.runName, 'dstack-vsc/instance': tags.instanceId });
    assert.deepEqual(JSON.parse(pod['metadata']['annotations']['dstack-vsc/tags'] as string), tags);
    const c = pod['spec']['containers'][0] as Obj;
    assert.equal(c['image'], image);
    assert.deepEqual(quantities(c['resources']['requests']), { cpu: 1, memory: GiB, 'ephemeral-storage': GiB, ...(gpus > 0 ? { [gpuResource]: gpus } : {}) });
    assert.deepEqual(quantities(c['resources']['limits']), { cpu: 2, memory: 4 * GiB, ...(gpus > 0 ? { [gpuResource]: gpus } : {}) });
    const product = offer.backendData?.['gpuProduct'];
    assert.deepEqual(pod['spec']['affinity'], { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
      { key: 'kubernetes.io/hostname', operator: 'In', values: [offer.instanceType] },
      ...(gpus > 0 && typeof product === 'string' && product !== '' ? [{ key: String(offer.backendData?.['gpuProductLabel']), operator: 'In', values: [product] }] : []),
    ] }] } } });
    assert.ok((pod['spec']['tolerations'] as Obj[]).some((t) => t['key'] === 'nvidia.com/gpu' && t['effect'] === 'NoSchedule' && t['operator'] === 'Exists'));
    assert.ok((pod['spec']['tolerations'] as Obj[]).some((t) => t['key'] === 'amd.com/gpu' && t['effect'] === 'NoExecute' && t['operator'] === 'Exists'));
    const shm = (pod['spec']['volumes'] as Obj[]).find((v) => v['name'] === 'dshm');
    assert.equal(shm?.['emptyDir']?.['medium'], 'Memory');
    assert.equal(parseQuantity(shm?.['emptyDir']?.['sizeLimit'] as string), GiB);
    assert.ok((c['volumeMounts'] as Obj[]).some((m) => m['name'] === 'dshm' && m['mountPath'] === '/dev/shm'));
    assert.equal(pod['spec']['restartPolicy'], 'Never');
    assert.equal(c['securityContext']?.['runAsUser'], 0);
    // Nothing secret in the pod (anyone who may `get pods` reads it): no run env, no private key.
    const podText = JSON.stringify(pod);
    assert.ok(!podText.includes('secret-value'), 'the run\'s env values are not in the pod spec');
    assert.ok(!podText.includes('PRIVATE KEY'), 'the host private key is not in the pod spec');
    assert.ok(!podText.includes(RUN_KEY.publicKey.split(' ')[1] ?? '?'), 'the authorized key is in the Secret only');
    const secretName = pod['metadata']['name'] as string;
    assert.deepEqual((c['env'] as Obj[]).filter((e) => e['valueFrom']), [
      { name: ENV_AUTHORIZED_KEY, valueFrom: { secretKeyRef: { name: secretName, key: SECRET_AUTHORIZED_KEY } } },
      { name: ENV_HOST_KEY, valueFrom: { secretKeyRef: { name: secretName, key: SECRET_HOST_KEY } } },
    ]);
    assert.equal((c['env'] as Obj[]).some((e) => e['name'] === 'NVIDIA_VISIBLE_DEVICES'), gpus === 0, 'GPUs hidden only from a pod without any');
    assert.deepEqual(c['command']?.slice(0, 2), ['/bin/sh', '-c']);
    assert.match(c['command'][2] as string, /exec "\$SSHD" -D -e -p 10022 -h \/etc\/dstack-vsc\/host_key/);
    assert.deepEqual(c['ports'], [{ name: 'ssh', containerPort: 10022, protocol: 'TCP' }]);
    // The Secret: Opaque, the pod's labels, the keys as base64 data, nothing of the run's env.
    assert.equal(secret['type'], 'Opaque');
    assert.equal(secret['metadata']['name'], secretName);
    assert.deepEqual(secret['metadata']['labels'], pod['metadata']['labels']);
    assert.ok(!JSON.stringify(secret).includes(Buffer.from('secret-value').toString('base64')) && !JSON.stringify(secret).includes('secret-value'), 'the run\'s env is not in the Secret either (the agent delivers it)');
    assert.deepEqual(Object.keys(secret['data'] as Obj).sort(), [SECRET_AUTHORIZED_KEY, SECRET_HOST_KEY]);
    const env = containerEnv(pod, secret);
    assert.equal(env[ENV_AUTHORIZED_KEY], RUN_KEY.publicKey, 'the container gets the key from the Secret');
    assert.match(env[ENV_HOST_KEY] ?? '', /BEGIN OPENSSH PRIVATE KEY/);
    assert.equal(env['HF_TOKEN'], undefined);
    assert.equal(publicKeyBlob(pod['metadata']['annotations']['dstack-vsc/host-public-key'] as string).equals(publicKeyBlob(env[ENV_HOST_KEY] ?? '')), true, 'the annotation is the public half of the pod\'s host key');
    if (!cluster.fake) return;
    // What only the fake can show: what was sent, in which order, with which credentials.
    assert.equal(cluster.fake.createdPods().length, 1);
    assert.equal(cluster.fake.createdSecrets().length, 1);
    assert.deepEqual(cluster.fake.createdPods()[0]?.['spec']['containers'][0]['resources'], { requests: { cpu: '1', memory: '1024Mi', 'ephemeral-storage': '1024Mi', 'nvidia.com/gpu': '2' }, limits: { cpu: '2', memory: '4096Mi', 'nvidia.com/gpu': '2' } });
    assert.deepEqual(cluster.fake.containerEnv(cluster.fake.createdPods()[0] as Obj)[ENV_AUTHORIZED_KEY], RUN_KEY.publicKey, 'the fake\'s kubelet resolves the same env');
    const paths = cluster.fake.received.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.indexOf('POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews') < paths.indexOf(`POST /api/v1/namespaces/${cluster.namespace}/secrets`));
    assert.ok(paths.indexOf(`POST /api/v1/namespaces/${cluster.namespace}/secrets`) < paths.indexOf(`POST /api/v1/namespaces/${cluster.namespace}/pods`), 'the Secret exists before the pod');
    assert.ok(cluster.fake.received.every((r) => r.auth === 'Bearer dstack-vsc-test-token'), 'every request carries the kubeconfig\'s token');
  });

  it('a CPU-only run gets default requests, no GPU limits, NVIDIA_VISIBLE_DEVICES=void and the default image', async function () {
    const tags = tagsFor();
    const offer = await offerOf('cpu-node');
    await backend.create(offer, tags, RUN_KEY.publicKey, job({ resources: resources() }));
    const { pod } = await readBack(tags);
    const c = pod['spec']['containers'][0] as Obj;
    assert.equal(c['image'], DEFAULT_KUBE_IMAGE);
    assert.deepEqual(quantities(c['resources']['requests']), { cpu: Math.min(2, offer.resources.cpus), memory: Math.min(8, offer.resources.memoryGB) * GiB }, 'the defaults (2 CPUs, 8 GB), at most what the node has');
    assert.deepEqual(c['resources']['limits'] ?? {}, {});
    assert.deepEqual((c['env'] as Obj[]).find((e) => e['name'] === 'NVIDIA_VISIBLE_DEVICES'), { name: 'NVIDIA_VISIBLE_DEVICES', value: 'void' });
    assert.ok(!((pod['spec']['volumes'] ?? []) as Obj[]).some((v) => v['name'] === 'dshm'), 'no /dev/shm volume without shm_size');
  });

  it('create is idempotent on the instance id', async function () {
    const tags = tagsFor();
    const offer = await offerOf('cpu-node');
    const a = await backend.create(offer, tags, RUN_KEY.publicKey, job({ resources: resources(SMALL) }));
    const b = await backend.create(offer, tags, RUN_KEY.publicKey);
    assert.equal(a.providerId, b.providerId);
    if (cluster.fake) assert.equal(cluster.fake.createdPods().length, 1, 'one pod, however often create is called');
    if (cluster.fake) assert.equal(cluster.fake.createdSecrets().length, 1, 'one Secret, however often create is called');
    assert.deepEqual((await backend.client().core.listNamespacedPod({ namespace: cluster.namespace, labelSelector: `dstack-vsc/instance=${tags.instanceId}` })).items.length, 1);
  });

  it('a pod the scheduler finds no node for after create returned is a start failure: no capacity, with the scheduler\'s reason', async function () {
    fakeOnly.call(this);
    await cluster.close();
    cluster = await openCluster({ scheduleDelayMs: 300 });
    if (cluster.fake) addStandardNodes(cluster.fake);
    const b = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace }, { scheduleWaitMs: 50 });
    const tags = testTags();
    const offer = await b.listOffers().then((o) => o.find((x) => x.instanceType === 'gpu-node') ?? assert.fail('no offer'));
    cluster.fake?.addForeignPod('other', 'hog', 'gpu-node', { 'nvidia.com/gpu': '4' });
    const v = await b.create(offer, tags, RUN_KEY.publicKey, job({ resources: resources({ gpu: { vendor: 'nvidia', name: null, count: { min: 1, max: 1 }, memory: null, total_memory: null, compute_capability: null } }) }));
    assert.deepEqual([v.state, v.startFailure], ['pending', undefined], 'the scheduler had not decided within the wait');
    const failed = await until(async () => (await b.refresh([tags.instanceId]))[0]?.startFailure);
    assert.equal(failed.code, 'no_capacity');
    assert.match(failed.message, /^kubernetes: pod dstack-vsc-\S+ cannot be scheduled on node gpu-node \(context fake\): 0\/3 nodes are available: .*Insufficient nvidia\.com\/gpu/);
    await b.close();
  });

  it('a pod no node can take is no capacity, with the scheduler\'s reason, and is removed', async function () {
    fakeOnly.call(this);
    const tags = testTags();
    const offer = await offerOf('gpu-node');
    cluster.fake?.addForeignPod('other', 'hog', 'gpu-node', { 'nvidia.com/gpu': '4' });
    await assert.rejects(backend.create(offer, tags, RUN_KEY.publicKey, job({ resources: resources({ gpu: { vendor: 'nvidia', name: null, count: { min: 2, max: 2 }, memory: null, total_memory: null, compute_capability: null } }) })),
      (err: unknown) => err instanceof BackendError && err.code === 'no_capacity' && /cannot be scheduled on node gpu-node/.test(err.message) && /Insufficient nvidia\.com\/gpu/.test(err.message));
    assert.deepEqual(await backend.refresh([tags.instanceId]).then((v) => v.map((x) => x.state)), ['gone'], 'the unschedulable pod was deleted');
  });

  it('an image that cannot be pulled during create\'s wait is a start failure naming the image and the kubelet\'s reason', async function () {
    fakeOnly.call(this);
    cluster.fake?.unpullable.add('registry.example/no-such:1');
    const tags = testTags();
    const v = await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ image: 'registry.example/no-such:1', resources: resources() }));
    assert.equal(v.state, 'pending');
    assert.equal(v.startFailure?.code, 'container_error');
    assert.match(v.startFailure?.message ?? '', /^kubernetes: cannot pull image registry\.example\/no-such:1 for pod dstack-vsc-\S+ \(context fake\): ErrImagePull: .*not found\. Check `image` in the configuration/);
    assert.equal(v.report, undefined, 'not an init exit code: the environment never started');
  });

  it('an image pull failing after create returned is a start failure at the next refresh, and in the run\'s log once', async function () {
    fakeOnly.call(this);
    await cluster.close();
    cluster = await openCluster({ startDelayMs: 300 });
    if (cluster.fake) addStandardNodes(cluster.fake);
    const agents = new PodAgents({ stateDir: cluster.dir });
    const slow = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace }, { agents, scheduleWaitMs: 50 });
    cluster.fake?.unpullable.add('registry.example/late:1');
    const tags = testTags();
    const v = await slow.create(await slow.listOffers().then((o) => o.find((x) => x.instanceType === 'cpu-node') ?? assert.fail('no offer')), tags, RUN_KEY.publicKey, job({ image: 'registry.example/late:1', resources: resources() }));
    assert.deepEqual([v.state, v.startFailure], ['pending', undefined], 'create returned before the pull');
    const failed = await until(async () => (await slow.refresh([tags.instanceId]))[0]?.startFailure);
    assert.equal(failed.code, 'container_error');
    assert.match(failed.message, /cannot pull image registry\.example\/late:1 for pod .*: (ErrImagePull|ImagePullBackOff): /);
    await slow.refresh([tags.instanceId]);
    assert.equal(readFileSync(agents.logFile(tags.instanceId), 'utf8'), `${failed.message}\n`, '`logs` shows it, once');
    assert.equal(cluster.fake?.pods.size, 1, 'the orchestrator terminates it (refresh only reports)');
    await slow.close();
    await agents.forget(tags.instanceId);
  });

  it('an image name the kubelet cannot parse is a start failure naming the image and InvalidImageName', async function () {
    // No registry is contacted: the kubelet rejects the reference itself, so this runs on a real cluster as well.
    const tags = tagsFor();
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ image: 'dstack-vsc/Not-Lowercase:1', resources: resources(SMALL) }));
    const failed = await until(async () => (await backend.refresh([tags.instanceId]))[0]?.startFailure);
    assert.equal(failed.code, 'container_error');
    assert.match(failed.message, /^kubernetes: cannot pull image dstack-vsc\/Not-Lowercase:1 for pod dstack-vsc-\S+ \(context [^)]+\): InvalidImageName: /);
    assert.match(failed.message, /Check `image` in the configuration/);
  });

  it('the access review passes for these credentials before anything is created, covering every verb the backend uses', async function () {
    await backend.checkAccess();
    if (!cluster.fake) return;
    const reviewed = cluster.fake.received.filter((r) => r.path.endsWith('/selfsubjectaccessreviews')).map((r) => {
      const a = r.body?.['spec']['resourceAttributes'] as Obj;
      return `${a['verb']} ${a['resource']}${a['subresource'] ? `/${a['subresource']}` : ''} ${a['namespace']}`;
    });
    assert.deepEqual(reviewed.sort(), ['create pods', 'create pods/portforward', 'create secrets', 'delete pods', 'delete secrets', 'get pods', 'list pods', 'list secrets'].map((v) => `${v} ${cluster.namespace}`).sort());
  });

  it('a verb RBAC denies is refused before anything is created', async function () {
    fakeOnly.call(this);
    cluster.fake?.denied.add(`create pods ${cluster.namespace}`);
    await assert.rejects(backend.create(await offerOf('cpu-node'), testTags(), RUN_KEY.publicKey),
      (err: unknown) => err instanceof BackendError && err.code === 'auth' && err.message.startsWith(`kubernetes: not allowed to create pods in namespace ${cluster.namespace} (context fake)`) && /Role/.test(err.message));
    assert.equal(cluster.fake?.createdPods().length, 0, 'no pod was posted');
  });

  it('a denied `create secrets` is refused before anything is created', async function () {
    fakeOnly.call(this);
    cluster.fake?.denied.add(`create secrets ${cluster.namespace}`);
    await assert.rejects(backend.create(await offerOf('cpu-node'), testTags(), RUN_KEY.publicKey),
      (err: unknown) => err instanceof BackendError && err.code === 'auth' && err.message.startsWith(`kubernetes: not allowed to create secrets in namespace ${cluster.namespace} (context fake)`) && /Role granting create secrets/.test(err.message));
    assert.equal(cluster.fake?.createdSecrets().length, 0, 'no Secret was posted');
    assert.equal(cluster.fake?.createdPods().length, 0, 'no pod was posted');
  });

  it('a stale Secret of the same name (an earlier attempt whose pod never came) is replaced: the pod gets the keys pinned now', async function () {
    const tags = tagsFor();
    const stale = generateKeyPair('stale');
    const name = podName(tags.instanceId);
    await backend.client().core.createNamespacedSecret({ namespace: cluster.namespace, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name, labels: {} }, data: { [SECRET_HOST_KEY]: Buffer.from(stale.privateKey).toString('base64'), [SECRET_AUTHORIZED_KEY]: '' } } });
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ resources: resources(SMALL) }));
    const { pod, secret } = await readBack(tags);
    const env = containerEnv(pod, secret);
    assert.equal(publicKeyBlob(pod['metadata']['annotations']['dstack-vsc/host-public-key'] as string).equals(publicKeyBlob(env[ENV_HOST_KEY] ?? '')), true, 'the host key in the Secret is the pinned one');
    assert.equal(env[ENV_AUTHORIZED_KEY], RUN_KEY.publicKey);
  });

  it('a pod whose Secret is missing waits in CreateContainerConfigError, like the kubelet', async function () {
    fakeOnly.call(this);
    await cluster.close();
    cluster = await openCluster({ startDelayMs: 300 });
    if (cluster.fake) addStandardNodes(cluster.fake);
    const b = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace }, { scheduleWaitMs: 0 });
    const tags = testTags();
    await b.create(await b.listOffers().then((o) => o.find((x) => x.instanceType === 'cpu-node') ?? assert.fail('no offer')), tags, RUN_KEY.publicKey, job({ resources: resources() }));
    cluster.fake?.secrets.clear();
    await new Promise((r) => setTimeout(r, 400));
    const [v] = await b.refresh([tags.instanceId]);
    assert.equal(v?.state, 'pending');
    const pod = cluster.fake?.pods.get(`${cluster.namespace}/dstack-vsc-${tags.instanceId.toLowerCase()}`) as Obj;
    assert.equal(pod['status']['containerStatuses'][0]['state']['waiting']['reason'], 'CreateContainerConfigError');
    assert.match(pod['status']['containerStatuses'][0]['state']['waiting']['message'] as string, /secret "dstack-vsc-.*" not found/);
    await b.close();
  });

  it('a 403 from the API server is an auth error naming the namespace', async function () {
    fakeOnly.call(this);
    if (cluster.fake) cluster.fake.forbidCreate = true;
    await assert.rejects(backend.create(await offerOf('cpu-node'), testTags(), RUN_KEY.publicKey),
      (err: unknown) => err instanceof BackendError && err.code === 'auth' && /not allowed to create pods in namespace dvs-test \(context fake\): pods is forbidden/.test(err.message));
    assert.equal(cluster.fake?.secrets.size, 0, 'the Secret made for the refused pod is deleted');
  });

  it('an unreachable cluster is an error naming the server and the context', async function () {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const file = writeKubeconfig(cluster.dir, `http://127.0.0.1:${port}`, 'gone-cluster');
    const b = new KubernetesBackend({ kubeconfig: file });
    await assert.rejects(b.listOffers(), (err: unknown) => err instanceof BackendError && err.message.includes(`cannot reach the cluster at http://127.0.0.1:${port} (context gone-cluster)`));
    const bad = new KubernetesBackend({ kubeconfig: file, context: 'nope' });
    await assert.rejects(bad.listOffers(), (err: unknown) => err instanceof BackendError && err.code === 'invalid' && /context nope .* is not in the kubeconfig; it has: gone-cluster/.test(err.message));
  });

  it('terminate deletes the pod and is idempotent', async function () {
    const tags = tagsFor();
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ resources: resources(SMALL) }));
    await backend.terminate(tags.instanceId);
    await backend.terminate(tags.instanceId);
    await until(async () => ((await backend.refresh([tags.instanceId]))[0]?.state === 'gone' ? true : undefined));
    await assert.rejects(backend.client().core.readNamespacedSecret({ name: podName(tags.instanceId), namespace: cluster.namespace }), (err: unknown) => (err as { code?: unknown }).code === 404, 'the Secret is deleted');
    if (cluster.fake) {
      assert.deepEqual(cluster.fake.received.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/')[5]), ['pods', 'secrets', 'pods', 'secrets']);
      assert.equal(cluster.fake.pods.size, 0, 'the pod is deleted');
      assert.equal(cluster.fake.secrets.size, 0, 'the Secret is deleted');
    }
  });

  it('a Secret left without its pod is found by labels and deleted by terminate (the orphan sweep)', async function () {
    const tags = tagsFor('install-orphan');
    const small = job({ resources: resources(SMALL) });
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, small);
    // The pod goes (deleted by hand, or the create stopped between the two); the Secret stays.
    await backend.client().core.deleteNamespacedPod({ name: `dstack-vsc-${tags.instanceId.toLowerCase()}`, namespace: cluster.namespace });
    const restarted = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...contextOption(), namespace: cluster.namespace });
    const found = await restarted.listTagged('install-orphan');
    assert.deepEqual(found.map((f) => [f.instanceId, f.state]), [[tags.instanceId, 'stopping']], 'reported, and not as gone: the sweep terminates it');
    assert.deepEqual(found[0]?.tags, tags);
    await restarted.terminate(tags.instanceId);
    if (cluster.fake) {
      assert.deepEqual(await restarted.listTagged('install-orphan'), []);
      assert.equal(cluster.fake.secrets.size, 0);
    }
    await restarted.close();
  });

  it('a restarted orchestrator finds its pods by labels (and not another installation\'s)', async function () {
    const mine = tagsFor('install-a');
    const theirs = tagsFor('install-b');
    const offer = await offerOf('cpu-node');
    const small = job({ resources: resources(SMALL) });
    await backend.create(offer, mine, RUN_KEY.publicKey, small);
    await backend.create(offer, theirs, RUN_KEY.publicKey, small);
    const restarted = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...contextOption(), namespace: cluster.namespace });
    const found = await restarted.listTagged('install-a');
    assert.deepEqual(found.map((f) => f.tags), [mine]);
    assert.equal(found[0]?.instanceId, mine.instanceId);
    if (cluster.fake) assert.ok(cluster.fake.received.some((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${cluster.namespace}/pods` && r.query.get('labelSelector') === 'dstack-vsc/installation=install-a'), 'listed by the installation\'s label');
    await restarted.terminate(mine.instanceId);
    await restarted.terminate(theirs.instanceId);
    await restarted.close();
  });

  it('ssh reaches the pod\'s sshd through the port-forward listener, with the pinned host key', async function () {
    const tags = tagsFor();
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ ...(REAL_CLUSTER ? { image: REAL_CLUSTER.image } : {}), resources: resources(SMALL) }));
    // On the fake, the pod's sshd is a real SSH server configured from exactly what the pod received; on a real
    // cluster it is the pod's own OpenSSH, started by the bootstrap.
    let sshd: LocalSshServer | undefined;
    if (cluster.fake) {
      const { pod, secret } = await readBack(tags);
      const env = containerEnv(pod, secret);
      sshd = new LocalSshServer({ hostKey: env[ENV_HOST_KEY] ?? '', authorizedKey: env[ENV_AUTHORIZED_KEY] ?? '', user: 'root', workingDir: cluster.dir, env: {} });
      cluster.fake.portTargets.set(10022, await sshd.start());
    }
    try {
      const view = await until(async () => { const [v] = await backend.refresh([tags.instanceId]); return v?.state === 'running' && v.ssh ? v : undefined; });
      const ssh = view.ssh;
      assert.ok(ssh && ssh.host === '127.0.0.1' && ssh.port > 0 && ssh.user === 'root');
      const exec = (): Promise<string> => new Promise<string>((resolve, reject) => {
        const c = new Client();
        c.on('ready', () => c.exec('echo through-the-api-server', (err, ch) => {
          if (err) return reject(err);
          let text = '';
          ch.on('data', (d: Buffer) => { text += d.toString(); }).on('close', () => { c.end(); resolve(text); });
        })).on('error', reject).connect({
          host: ssh.host, port: ssh.port, username: 'root', privateKey: RUN_KEY.privateKey, readyTimeout: 10_000,
          hostVerifier: (key: Buffer) => key.equals(publicKeyBlob(ssh.hostPublicKey ?? '')),
        });
      });
      // A real pod's sshd may still be starting (or installing) when the pod runs: tried until it answers.
      const out = await until(() => exec().catch(() => undefined));
      assert.equal(out.trim(), 'through-the-api-server');
      if (cluster.fake) assert.ok(cluster.fake.received.some((r) => r.method === 'UPGRADE' && r.path.endsWith('/portforward') && r.query.get('ports') === '10022'));
      // A second refresh reuses the same listener.
      const [again] = await backend.refresh([tags.instanceId]);
      assert.equal(again?.ssh?.port, ssh.port);
    } finally {
      await sshd?.stop();
    }
  });
});
