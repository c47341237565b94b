// The Kubernetes backend through the real @kubernetes/client-node over HTTP, against the project's fake API
// server on 127.0.0.1 (or a real cluster: see harness.ts): offers, the pod as the server received it,
// idempotency, scheduling and image failures, RBAC refusal before anything is created, an unreachable server,
// terminate, reconcile by labels after a restart, and SSH into the pod through the port-forward listener. The
// pod spec holds no secret: the sshd keys are in a labelled Secret it references, the run's env is not there.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { Client } from 'ssh2';
import { BackendError, type InstanceJob } from '../../../src/backends/backend';
import { KubernetesBackend } from '../../../src/backends/kubernetes/kubernetes-backend';
import { ENV_AUTHORIZED_KEY, ENV_HOST_KEY } from '../../../src/backends/kubernetes/bootstrap';
import { SECRET_AUTHORIZED_KEY, SECRET_HOST_KEY } from '../../../src/backends/kubernetes/pod-secret';
import { PodAgents } from '../../../src/backends/kubernetes/pod-agents';
import { LocalSshServer } from '../../../src/backends/local/ssh-server';
import { generateKeyPair, publicKeyBlob } from '../../../src/backends/ssh/keys';
import type { Offer } from '../../../src/backends/offer';
import type { ResourcesSpec } from '../../../src/schema/model';
import { addStandardNodes, openCluster, REAL_KUBECONFIG, testTags, writeKubeconfig, type Cluster } from './harness';
import type { Obj } from './fake-kube/server';

const RUN_KEY = generateKeyPair('kube-test-run');

function resources(over: Partial<ResourcesSpec> = {}): ResourcesSpec {
  return { cpu: { arch: null, count: { min: 2, max: null } }, memory: { min: 8, max: null }, shm_size: null, gpu: null, disk: null, ...over };
}

function job(config: Record<string, unknown>, env: Record<string, string> = {}): InstanceJob {
  const j = { runId: 'run-id', runName: 'r', init: [], env, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/nonexistent' } as InstanceJob;
  (j as InstanceJob & { configuration: Record<string, unknown> }).configuration = config;
  return j;
}

/** Polls `fn` until it returns something (a functional deadline of 10 s). */
async function until<T>(fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function envOf(pod: Obj): Record<string, string> {
  return Object.fromEntries(((pod['spec']['containers'][0]['env'] ?? []) as { name: string; value: string }[]).map((e) => [e.name, e.value]));
}

describe('Kubernetes backend (client-node over HTTP against the fake API server)', function () {
  this.timeout(30_000);
  let cluster: Cluster;
  let backend: KubernetesBackend;
  const fakeOnly = function (this: Mocha.Context): void {
    if (!cluster.fake) { console.log(`    (skipped against the real cluster ${REAL_KUBECONFIG}: it scripts the fake)`); this.skip(); }
  };

  beforeEach(async () => {
    cluster = await openCluster();
    if (cluster.fake) addStandardNodes(cluster.fake);
    backend = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...(cluster.context ? { context: cluster.context } : {}), namespace: cluster.namespace }, { scheduleWaitMs: 2_000, pollMs: 50 });
  });
  afterEach(async () => {
    await backend.close();
    await cluster.close();
  });

  /** The fake's node by name; on a real cluster, the first node with room. */
  async function offerOf(node: string): Promise<Offer> {
    const o = (await backend.listOffers()).find((x) => (cluster.fake ? x.instanceType === node : x.availability === 'available'));
    assert.ok(o, `an offer for ${node}`);
    return o;
  }

  it('offers each schedulable node with allocatable minus running pods, GPUs from the node labels', async function () {
    fakeOnly.call(this);
    cluster.fake?.addForeignPod('other', 'training', 'gpu-node', { cpu: '6', memory: '32Gi', 'nvidia.com/gpu': '1', 'ephemeral-storage': '100Gi' });
    const offers = await backend.listOffers();
    assert.deepEqual(offers.map((o) => o.instanceType).sort(), ['cpu-node', 'gpu-node'], 'the node with an untolerated taint offers nothing');
    const gpu = offers.find((o) => o.instanceType === 'gpu-node');
    assert.ok(gpu);
    assert.equal(gpu.backend, 'kubernetes');
    assert.equal(gpu.region, 'fake', 'the region is the context');
    assert.equal(gpu.resources.cpus, 10);
    assert.equal(gpu.resources.memoryGB, 96);
    assert.equal(gpu.resources.diskGB, 400);
    assert.equal(gpu.resources.gpus.length, 3);
    assert.deepEqual(gpu.resources.gpus[0], { name: 'H100', vendor: 'nvidia', memoryGB: 80 });
    assert.equal(gpu.pricePerHour, 0);
    assert.equal(gpu.availability, 'available');
    assert.deepEqual(gpu.backendData, { node: 'gpu-node', gpuResource: 'nvidia.com/gpu', gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuProductLabel: 'nvidia.com/gpu.product' });
    const cpu = offers.find((o) => o.instanceType === 'cpu-node');
    assert.equal(cpu?.resources.gpus.length, 0);
    assert.equal(cpu?.resources.cpus, 4);
    const priced = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, namespace: cluster.namespace, pricePerHour: 1.25 });
    assert.ok((await priced.listOffers()).every((o) => o.pricePerHour === 1.25));
  });

  it('creates one pod per run with every field the run needs, as the server received it', async function () {
    fakeOnly.call(this);
    const tags = testTags('My Install/1');
    const offer = await offerOf('gpu-node');
    const config = { image: 'nvcr.io/nvidia/pytorch:24.05-py3', resources: resources({ cpu: { arch: null, count: { min: 4, max: 8 } }, memory: { min: 16, max: 32 }, shm_size: 8, gpu: { vendor: 'nvidia', name: ['H100'], count: { min: 2, max: 2 }, memory: null, total_memory: null, compute_capability: null }, disk: { size: { min: 100, max: null } } }) };
    const view = await backend.create(offer, tags, RUN_KEY.publicKey, job(config, { HF_TOKEN: 'secret-value', FOO: 'bar' }));
    assert.equal(view.state, 'running');
    assert.equal(view.instanceId, tags.instanceId);
    const posted = cluster.fake?.createdPods() ?? [];
    assert.equal(posted.length, 1);
    const pod = posted[0] as Obj;
    assert.equal(pod['metadata']['name'], `dstack-vsc-${tags.instanceId.toLowerCase()}`);
    assert.deepEqual(pod['metadata']['labels'], { 'dstack-vsc/installation': 'My-Install-1', 'dstack-vsc/run': tags.runName, 'dstack-vsc/instance': tags.instanceId });
    assert.deepEqual(JSON.parse(pod['metadata']['annotations']['dstack-vsc/tags'] as string), tags);
    const c = pod['spec']['containers'][0] as Obj;
    assert.equal(c['image'], 'nvcr.io/nvidia/pytorch:24.05-py3');
    assert.deepEqual(c['resources'], { requests: { cpu: '4', memory: '16384Mi', 'ephemeral-storage': '102400Mi', 'nvidia.com/gpu': '2' }, limits: { cpu: '8', memory: '32768Mi', 'nvidia.com/gpu': '2' } });
    assert.deepEqual(pod['spec']['affinity'], { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
      { key: 'kubernetes.io/hostname', operator: 'In', values: ['gpu-node'] },
      { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] },
    ] }] } } });
    assert.ok((pod['spec']['tolerations'] as Obj[]).some((t) => t['key'] === 'nvidia.com/gpu' && t['effect'] === 'NoSchedule' && t['operator'] === 'Exists'));
    assert.deepEqual(pod['spec']['volumes'], [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8192Mi' } }]);
    assert.deepEqual(c['volumeMounts'], [{ name: 'dshm', mountPath: '/dev/shm' }]);
    assert.equal(pod['spec']['restartPolicy'], 'Never');
    // Nothing secret in the pod (anyone who may `get pods` reads it): no run env, no private key.
    const podText = JSON.stringify(pod);
    assert.ok(!podText.includes('secret-value'), 'the run\'s env values are not in the pod spec');
    assert.ok(!podText.includes('PRIVATE KEY'), 'the host private key is not in the pod spec');
    assert.ok(!podText.includes(RUN_KEY.publicKey.split(' ')[1] ?? '?'), 'the authorized key is in the Secret only');
    const secretName = pod['metadata']['name'] as string;
    assert.deepEqual(c['env'], [
      { name: ENV_AUTHORIZED_KEY, valueFrom: { secretKeyRef: { name: secretName, key: SECRET_AUTHORIZED_KEY } } },
      { name: ENV_HOST_KEY, valueFrom: { secretKeyRef: { name: secretName, key: SECRET_HOST_KEY } } },
    ], 'only the Secret references (no NVIDIA_VISIBLE_DEVICES: GPUs are visible on a GPU pod)');
    // The Secret: Opaque, the pod's labels, the keys as base64 data.
    const secrets = cluster.fake?.createdSecrets() ?? [];
    assert.equal(secrets.length, 1);
    const secret = secrets[0] as Obj;
    assert.equal(secret['type'], 'Opaque');
    assert.equal(secret['metadata']['name'], secretName);
    assert.deepEqual(secret['metadata']['labels'], pod['metadata']['labels']);
    assert.ok(!JSON.stringify(secret).includes('secret-value'), 'the run\'s env is not in the Secret either (the agent delivers it)');
    const data = secret['data'] as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), [SECRET_AUTHORIZED_KEY, SECRET_HOST_KEY]);
    assert.equal(Buffer.from(data[SECRET_AUTHORIZED_KEY] ?? '', 'base64').toString(), RUN_KEY.publicKey);
    const env = cluster.fake?.containerEnv(pod) ?? {};
    assert.equal(env[ENV_AUTHORIZED_KEY], RUN_KEY.publicKey, 'the container gets the key from the Secret');
    assert.match(env[ENV_HOST_KEY] ?? '', /BEGIN OPENSSH PRIVATE KEY/);
    assert.equal(env['HF_TOKEN'], undefined);
    assert.deepEqual(c['command']?.slice(0, 2), ['/bin/sh', '-c']);
    assert.match(c['command'][2] as string, /exec "\$SSHD" -D -e -p 10022 -h \/etc\/dstack-vsc\/host_key/);
    assert.deepEqual(c['ports'], [{ name: 'ssh', containerPort: 10022, protocol: 'TCP' }]);
    assert.equal(publicKeyBlob(pod['metadata']['annotations']['dstack-vsc/host-public-key'] as string).equals(publicKeyBlob(env[ENV_HOST_KEY] ?? '')), true, 'the annotation is the public half of the pod\'s host key');
    // The access review ran before the pod was created.
    const paths = cluster.fake?.received.map((r) => `${r.method} ${r.path}`) ?? [];
    assert.ok(paths.indexOf('POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews') < paths.indexOf(`POST /api/v1/namespaces/${cluster.namespace}/secrets`));
    assert.ok(paths.indexOf(`POST /api/v1/namespaces/${cluster.namespace}/secrets`) < paths.indexOf(`POST /api/v1/namespaces/${cluster.namespace}/pods`), 'the Secret exists before the pod');
    const reviewed = (cluster.fake?.received ?? []).filter((r) => r.path.endsWith('/selfsubjectaccessreviews')).map((r) => `${r.body?.['spec']['resourceAttributes']['verb']} ${r.body?.['spec']['resourceAttributes']['resource']}`);
    for (const v of ['create secrets', 'delete secrets', 'list secrets']) assert.ok(reviewed.includes(v), `the preflight checks ${v}`);
    assert.ok(cluster.fake?.received.every((r) => r.auth === 'Bearer dstack-vsc-test-token'), 'every request carries the kubeconfig\'s token');
  });

  it('a CPU-only run gets default requests, no GPU limits, NVIDIA_VISIBLE_DEVICES=void and the default image', async function () {
    fakeOnly.call(this);
    await backend.create(await offerOf('cpu-node'), testTags(), RUN_KEY.publicKey, job({ resources: resources() }));
    const pod = cluster.fake?.createdPods()[0] as Obj;
    const c = pod['spec']['containers'][0] as Obj;
    assert.equal(c['image'], 'dstackai/base:0.15-base-ubuntu24.04');
    assert.deepEqual(c['resources'], { requests: { cpu: '2', memory: '8192Mi' } });
    assert.equal(envOf(pod)['NVIDIA_VISIBLE_DEVICES'], 'void');
    assert.equal(pod['spec']['volumes'], undefined);
  });

  it('create is idempotent on the instance id', async function () {
    const tags = testTags();
    const offer = await offerOf('cpu-node');
    const a = await backend.create(offer, tags, RUN_KEY.publicKey, job({ resources: resources({ cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null } }) }));
    const b = await backend.create(offer, tags, RUN_KEY.publicKey);
    assert.equal(a.providerId, b.providerId);
    if (cluster.fake) assert.equal(cluster.fake.createdPods().length, 1, 'one pod, however often create is called');
    if (cluster.fake) assert.equal(cluster.fake.createdSecrets().length, 1, 'one Secret, however often create is called');
    await backend.terminate(tags.instanceId);
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
    fakeOnly.call(this);
    const tags = testTags();
    const stale = generateKeyPair('stale');
    cluster.fake?.secrets.set(`${cluster.namespace}/dstack-vsc-${tags.instanceId.toLowerCase()}`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `dstack-vsc-${tags.instanceId.toLowerCase()}`, namespace: cluster.namespace, labels: {} }, data: { [SECRET_HOST_KEY]: Buffer.from(stale.privateKey).toString('base64'), [SECRET_AUTHORIZED_KEY]: '' } });
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ resources: resources() }));
    const pod = cluster.fake?.createdPods()[0] as Obj;
    const env = cluster.fake?.containerEnv(pod) ?? {};
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
    const tags = testTags();
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ resources: resources({ cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null } }) }));
    await backend.terminate(tags.instanceId);
    await backend.terminate(tags.instanceId);
    const [v] = await backend.refresh([tags.instanceId]);
    assert.equal(v?.state, 'gone');
    if (cluster.fake) {
      assert.deepEqual(cluster.fake.received.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/')[5]), ['pods', 'secrets', 'pods', 'secrets']);
      assert.equal(cluster.fake.pods.size, 0, 'the pod is deleted');
      assert.equal(cluster.fake.secrets.size, 0, 'the Secret is deleted');
    }
  });

  it('a Secret left without its pod is found by labels and deleted by terminate (the orphan sweep)', async function () {
    const tags = testTags('install-orphan');
    const small = job({ resources: resources({ cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null } }) });
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, small);
    // The pod goes (deleted by hand, or the create stopped between the two); the Secret stays.
    await backend.client().core.deleteNamespacedPod({ name: `dstack-vsc-${tags.instanceId.toLowerCase()}`, namespace: cluster.namespace });
    const restarted = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...(cluster.context ? { context: cluster.context } : {}), namespace: cluster.namespace });
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
    const mine = testTags('install-a');
    const theirs = testTags('install-b');
    const offer = await offerOf('cpu-node');
    const small = job({ resources: resources({ cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null } }) });
    await backend.create(offer, mine, RUN_KEY.publicKey, small);
    await backend.create(offer, theirs, RUN_KEY.publicKey, small);
    const restarted = new KubernetesBackend({ kubeconfig: cluster.kubeconfig, ...(cluster.context ? { context: cluster.context } : {}), namespace: cluster.namespace });
    const found = await restarted.listTagged('install-a');
    assert.deepEqual(found.map((f) => f.tags), [mine]);
    assert.equal(found[0]?.instanceId, mine.instanceId);
    if (cluster.fake) assert.ok(cluster.fake.received.some((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${cluster.namespace}/pods` && r.query.get('labelSelector') === 'dstack-vsc/installation=install-a'), 'listed by the installation\'s label');
    await restarted.terminate(mine.instanceId);
    await restarted.terminate(theirs.instanceId);
    await restarted.close();
  });

  it('ssh reaches the pod\'s sshd through the port-forward listener, with the pinned host key', async function () {
    fakeOnly.call(this);
    const tags = testTags();
    await backend.create(await offerOf('cpu-node'), tags, RUN_KEY.publicKey, job({ resources: resources({ cpu: { arch: null, count: { min: 1, max: null } }, memory: { min: 1, max: null } }) }));
    // The pod's sshd: a real SSH server configured from exactly what the pod received.
    const env = cluster.fake?.containerEnv(cluster.fake.createdPods()[0] as Obj) ?? {};
    const sshd = new LocalSshServer({ hostKey: env[ENV_HOST_KEY] ?? '', authorizedKey: env[ENV_AUTHORIZED_KEY] ?? '', user: 'root', workingDir: cluster.dir, env: {} });
    cluster.fake?.portTargets.set(10022, await sshd.start());
    try {
      const [view] = await backend.refresh([tags.instanceId]);
      assert.equal(view?.state, 'running');
      const ssh = view?.ssh;
      assert.ok(ssh && ssh.host === '127.0.0.1' && ssh.port > 0 && ssh.user === 'root');
      const out = await new Promise<string>((resolve, reject) => {
        const c = new Client();
        let seen: Buffer | undefined;
        c.on('ready', () => c.exec('echo through-the-api-server', (err, ch) => {
          if (err) return reject(err);
          let text = '';
          ch.on('data', (d: Buffer) => { text += d.toString(); }).on('close', () => { c.end(); resolve(text); });
        })).on('error', reject).connect({
          host: ssh.host, port: ssh.port, username: 'root', privateKey: RUN_KEY.privateKey,
          hostVerifier: (key: Buffer) => { seen = key; return key.equals(publicKeyBlob(ssh.hostPublicKey ?? '')); },
        });
        void seen;
      });
      assert.equal(out.trim(), 'through-the-api-server');
      assert.ok(cluster.fake?.received.some((r) => r.method === 'UPGRADE' && r.path.endsWith('/portforward') && r.query.get('ports') === '10022'));
      // A second refresh reuses the same listener.
      const [again] = await backend.refresh([tags.instanceId]);
      assert.equal(again?.ssh?.port, ssh.port);
    } finally {
      await backend.close();
      await sshd.stop();
    }
  });
});
