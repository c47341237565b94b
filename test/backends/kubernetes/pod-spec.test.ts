// The pod manifest's node affinity, from offers read off real node labels: the node itself, and for a GPU run
// the GPU model under the label the offer was read from (NVIDIA's GPU feature discovery or AMD's labeller).

import { strict as assert } from 'node:assert';
import type { InstanceJob, ResourceTags } from '../../../src/backends/backend';
import { nodeOffers, type NodeLike } from '../../../src/backends/kubernetes/offers';
import { podManifest } from '../../../src/backends/kubernetes/pod-spec';
import type { Offer } from '../../../src/backends/offer';
import type { ResourcesSpec } from '../../../src/schema/model';

const TAGS: ResourceTags = { installation: 'inst', runName: 'run', instanceId: 'iid-1' };

function gpuJob(count: number): InstanceJob {
  const resources: ResourcesSpec = {
    cpu: { arch: null, count: { min: 2, max: null } }, memory: { min: 8, max: null }, shm_size: null, disk: null,
    gpu: count > 0 ? { vendor: null, name: null, count: { min: count, max: count }, memory: null, total_memory: null, compute_capability: null } : null,
  };
  return { runId: 'r', runName: 'run', init: [], env: {}, workingDir: null, inactivityDuration: null, maxDuration: null, leaseFile: '/nonexistent', configuration: { resources } };
}

function offerOf(node: NodeLike): Offer {
  const [offer] = nodeOffers([node], [], { region: 'ctx' });
  assert.ok(offer, 'the node offers');
  return offer;
}

function matchExpressions(offer: Offer, gpus: number): unknown {
  const spec = podManifest({ offer, tags: TAGS, hostPublicKey: 'ssh-ed25519 AAAA test', job: gpuJob(gpus), defaultImage: 'img', sshPort: 10022 })['spec'] as Record<string, any>;
  return spec['affinity']['nodeAffinity']['requiredDuringSchedulingIgnoredDuringExecution']['nodeSelectorTerms'][0]['matchExpressions'];
}

const NVIDIA_NODE: NodeLike = { metadata: { name: 'h100', labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu.memory': '81559' } }, status: { allocatable: { cpu: '16', memory: '128Gi', 'nvidia.com/gpu': '4' } } };
const AMD_NODE: NodeLike = { metadata: { name: 'mi300', labels: { 'amd.com/gpu.product-name': 'AMD_Instinct_MI300X_OAM', 'amd.com/gpu.vram': '192G' } }, status: { allocatable: { cpu: '64', memory: '1Ti', 'amd.com/gpu': '8' } } };
const AMD_BETA_NODE: NodeLike = { metadata: { name: 'mi250', labels: { 'beta.amd.com/gpu.product-name': 'AMD_Instinct_MI250X', 'beta.amd.com/gpu.vram': '64G' } }, status: { allocatable: { cpu: '64', memory: '512Gi', 'amd.com/gpu': '8' } } };

describe('Kubernetes pod spec: node affinity', () => {
  it('an NVIDIA GPU run pins the node and the GPU operator\'s product label', () => {
    assert.deepEqual(matchExpressions(offerOf(NVIDIA_NODE), 2), [
      { key: 'kubernetes.io/hostname', operator: 'In', values: ['h100'] },
      { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] },
    ]);
  });

  it('an AMD GPU run pins the node and the AMD labeller\'s product-name label the offer was read from', () => {
    assert.deepEqual(matchExpressions(offerOf(AMD_NODE), 1), [
      { key: 'kubernetes.io/hostname', operator: 'In', values: ['mi300'] },
      { key: 'amd.com/gpu.product-name', operator: 'In', values: ['AMD_Instinct_MI300X_OAM'] },
    ]);
    assert.deepEqual(matchExpressions(offerOf(AMD_BETA_NODE), 1), [
      { key: 'kubernetes.io/hostname', operator: 'In', values: ['mi250'] },
      { key: 'beta.amd.com/gpu.product-name', operator: 'In', values: ['AMD_Instinct_MI250X'] },
    ], 'the older labeller\'s beta. prefix is kept: the node carries only that label');
  });

  it('an offer recorded without the label (an older state) falls back to its resource\'s product label', () => {
    const offer = offerOf(AMD_NODE);
    const { gpuProductLabel: _dropped, ...older } = offer.backendData ?? {};
    assert.deepEqual((matchExpressions({ ...offer, backendData: older }, 1) as { key: string }[]).map((e) => e.key), ['kubernetes.io/hostname', 'amd.com/gpu.product-name']);
  });

  it('a run without GPUs on a GPU node pins only the node', () => {
    assert.deepEqual(matchExpressions(offerOf(AMD_NODE), 0), [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['mi300'] }]);
  });
});
