// Where the Kubernetes suite points: the project's fake API server on 127.0.0.1 (default), or a real cluster
// when DSTACK_VSC_KUBE_E2E_KUBECONFIG names a kubeconfig (context DSTACK_VSC_KUBE_E2E_CONTEXT, namespace
// DSTACK_VSC_KUBE_E2E_NAMESPACE); tests that script the fake are skipped there. The kubeconfig the tests use
// is written to a temp dir: ~/.kube is never read or written.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResourceTags } from '../../../src/backends/backend';
import { FakeKube, type FakeKubeOptions } from './fake-kube/server';

/** A real cluster's kubeconfig, when the suite should run against one. */
export const REAL_KUBECONFIG = process.env['DSTACK_VSC_KUBE_E2E_KUBECONFIG'];

/** The token the fake demands (not a secret: only the fake knows it). */
export const TEST_TOKEN = 'dstack-vsc-test-token';
export const TEST_NAMESPACE = process.env['DSTACK_VSC_KUBE_E2E_NAMESPACE'] ?? 'dvs-test';

/** The cluster a test talks to. */
export interface Cluster {
  kubeconfig: string;
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
  if (REAL_KUBECONFIG) {
    return { kubeconfig: REAL_KUBECONFIG, context: process.env['DSTACK_VSC_KUBE_E2E_CONTEXT'] ?? '', namespace: TEST_NAMESPACE, fake: undefined, dir, async close() { fs.rmSync(dir, { recursive: true, force: true }); } };
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
