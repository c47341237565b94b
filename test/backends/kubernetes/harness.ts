// Where the Kubernetes suite points: the project's fake API server on 127.0.0.1 (the default, and CI's), or a
// real cluster when asked for explicitly: DSTACK_VSC_KUBE_E2E=1 AND KUBECONFIG naming its kubeconfig (a
// developer's KUBECONFIG alone is never used), context DSTACK_VSC_KUBE_E2E_CONTEXT (default: the current one),
// namespace DSTACK_VSC_KUBE_E2E_NAMESPACE (default dvs-test; it must exist), and the image of the SSH test
// DSTACK_VSC_KUBE_E2E_IMAGE (default: dstack's base image). Tests that script the fake are skipped there. The
// kubeconfig written for the fake goes to a temp dir: ~/.kube is never read or written.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResourceTags } from '../../../src/backends/backend';
import { DEFAULT_KUBE_IMAGE } from '../../../src/backends/kubernetes/options';
import { FakeKube, type FakeKubeOptions } from './fake-kube/server';

/** A real cluster to run the suite against. */
export interface RealCluster {
  kubeconfig: string;
  /** '' = the kubeconfig's current context. */
  context: string;
  namespace: string;
  image: string;
}

/** The real cluster `env` asks for (DSTACK_VSC_KUBE_E2E=1 and KUBECONFIG), else null; opting in without KUBECONFIG is an error. */
export function realClusterFromEnv(env: NodeJS.ProcessEnv): RealCluster | null {
  if (env['DSTACK_VSC_KUBE_E2E'] !== '1') return null;
  const kubeconfig = env['KUBECONFIG'] ?? '';
  if (kubeconfig === '') throw new Error('DSTACK_VSC_KUBE_E2E=1 runs the Kubernetes suite against the cluster KUBECONFIG names: set KUBECONFIG to its kubeconfig.');
  return {
    kubeconfig, context: env['DSTACK_VSC_KUBE_E2E_CONTEXT'] ?? '', namespace: env['DSTACK_VSC_KUBE_E2E_NAMESPACE'] || 'dvs-test',
    image: env['DSTACK_VSC_KUBE_E2E_IMAGE'] || DEFAULT_KUBE_IMAGE,
  };
}

/** The real cluster of this run, or null (the fake). */
export const REAL_CLUSTER = realClusterFromEnv(process.env);

/** The token the fake demands (not a secret: only the fake knows it). */
export const TEST_TOKEN = 'dstack-vsc-test-token';
/** The namespace of the suite's pods. */
export const TEST_NAMESPACE = REAL_CLUSTER?.namespace ?? 'dvs-test';

/** The cluster a test talks to. */
export interface Cluster {
  kubeconfig: string;
  /** '' = the kubeconfig's current context. */
  context: string;
  namespace: string;
  fake: FakeKube | undefined;
  dir: string;
  close(): Promise<void>;
}

/** Writes a kubeconfig for `server` (token auth) under `dir`; client-node talks plain HTTP only with TLS verification off. */
export function writeKubeconfig(dir: string, server: string, context = 'fake', namespace = TEST_NAMESPACE): string {
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', `current-context: ${context}`,
    'clusters:', `- name: ${context}-cluster`, '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', `- name: ${context}-user`, '  user:', `    token: ${TEST_TOKEN}`,
    'contexts:', `- name: ${context}`, '  context:', `    cluster: ${context}-cluster`, `    user: ${context}-user`, `    namespace: ${namespace}`,
  ].join('\n') + '\n', { mode: 0o600 });
  return file;
}

/** Starts the fake (or points at the real cluster). */
export async function openCluster(options: FakeKubeOptions = {}): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvs-kube-'));
  if (REAL_CLUSTER) {
    return { kubeconfig: REAL_CLUSTER.kubeconfig, context: REAL_CLUSTER.context, namespace: REAL_CLUSTER.namespace, fake: undefined, dir, async close() { fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const fake = await FakeKube.start({ token: TEST_TOKEN, ...options });
  return {
    kubeconfig: writeKubeconfig(dir, fake.url), context: 'fake', namespace: TEST_NAMESPACE, fake, dir,
    async close() { await fake.close(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

let counter = 0;
/** Fresh tags for one test's instance. */
export function testTags(installation = 'inst-test'): ResourceTags {
  counter += 1;
  return { installation, runName: `kube-run-${counter}`, instanceId: `iid-${process.pid}-${counter}` };
}

/** A GPU node, a CPU node and a node with a taint we don't tolerate. */
export function addStandardNodes(fake: FakeKube): void {
  fake.addNode({
    name: 'gpu-node', cpu: '16', memory: '128Gi', ephemeralStorage: '500Gi',
    gpus: { resource: 'nvidia.com/gpu', count: 4, labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu.memory': '81559' } },
    taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
  });
  fake.addNode({ name: 'cpu-node', cpu: '4', memory: '16Gi', ephemeralStorage: '50Gi' });
  fake.addNode({ name: 'infra-node', cpu: '8', memory: '32Gi', taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] });
}
