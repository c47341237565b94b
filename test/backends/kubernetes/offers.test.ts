// The pure parts: quantities, label values and pod names, offers from AMD and unlabelled GPU nodes, pod verdicts.

import { strict as assert } from 'node:assert';
import { labelValue, podName, tagsOfPod, podLabels } from '../../../src/backends/kubernetes/labels';
import { nodeOffers } from '../../../src/backends/kubernetes/offers';
import { podVerdict, providerStateOf } from '../../../src/backends/kubernetes/pod-state';
import { parseQuantity } from '../../../src/backends/kubernetes/quantity';

const VALID_LABEL = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('Kubernetes backend pieces', () => {
  it('parses quantities as the API writes them', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('16Gi'), 16 * 1024 ** 3);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('100G'), 100e9);
    assert.equal(parseQuantity(undefined), 0);
    assert.equal(parseQuantity('lots'), 0);
  });

  it('label values and pod names stay valid for any tags, and the annotation keeps the exact tags', () => {
    for (const raw of ['My Install/1', '-x-', '...', 'a'.repeat(100), 'ünïcode', '']) {
      const v = labelValue(raw);
      assert.match(v, VALID_LABEL, raw);
      assert.ok(v.length >= 1 && v.length <= 63, raw);
    }
    const name = podName(`I-${'x'.repeat(80)}_Y`);
    assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok(name.length <= 63);
    const tags = { installation: 'inst/1', runName: 'my run', instanceId: 'iid-1' };
    assert.deepEqual(tagsOfPod(podLabels(tags), { 'dstack-vsc/tags': JSON.stringify(tags) }), tags);
    assert.deepEqual(tagsOfPod(podLabels(tags), {}), { installation: 'inst-1', runName: 'my-run', instanceId: 'iid-1' });
    assert.equal(tagsOfPod({ app: 'x' }, undefined), null);
  });

  it('offers AMD GPUs from the AMD labeller\'s labels, arm nodes as arm, and skips cordoned and not-ready nodes', () => {
    const offers = nodeOffers([
      { metadata: { name: 'mi300', labels: { 'kubernetes.io/arch': 'amd64', 'amd.com/gpu.product-name': 'AMD_Instinct_MI300X_OAM', 'amd.com/gpu.vram': '192G' } }, status: { allocatable: { cpu: '64', memory: '1Ti', 'amd.com/gpu': '8' } } },
      { metadata: { name: 'graviton', labels: { 'kubernetes.io/arch': 'arm64' } }, status: { allocatable: { cpu: '3500m', memory: '7Gi' } } },
      { metadata: { name: 'cordoned' }, spec: { unschedulable: true }, status: { allocatable: { cpu: '8', memory: '8Gi' } } },
      { metadata: { name: 'sick' }, status: { allocatable: { cpu: '8', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'False' }] } },
      { metadata: { name: 'full' }, status: { allocatable: { cpu: '1', memory: '1Gi' } } },
    ], [{ spec: { nodeName: 'full', containers: [{ resources: { requests: { cpu: '500m' } } }] }, status: { phase: 'Running' } },
      { spec: { nodeName: 'graviton', containers: [{ resources: { requests: { cpu: '3' } } }] }, status: { phase: 'Succeeded' } }], { region: 'ctx' });
    assert.deepEqual(offers.map((o) => o.instanceType), ['mi300', 'graviton', 'full']);
    const amd = offers[0];
    assert.equal(amd?.resources.gpus.length, 8);
    assert.deepEqual(amd?.resources.gpus[0], { name: 'MI300X', vendor: 'amd', memoryGB: 192 });
    assert.equal(offers[1]?.resources.cpuArch, 'arm');
    assert.equal(offers[1]?.resources.cpus, 3, 'a finished pod requests nothing');
    assert.equal(offers[2]?.availability, 'busy', 'less than one CPU left');
  });

  it('reads pod status: unschedulable with the message, image pull failures, exits, deletion', () => {
    assert.deepEqual(podVerdict({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] } }), { kind: 'unschedulable', message: '0/3 nodes are available' });
    assert.deepEqual(podVerdict({ status: { phase: 'Pending', containerStatuses: [{ image: 'x:1', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off' } } }] } }), { kind: 'image_pull', image: 'x:1', message: 'ImagePullBackOff: Back-off' });
    assert.deepEqual(podVerdict({ status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] } }), { kind: 'pending' });
    const exited = podVerdict({ status: { phase: 'Failed', containerStatuses: [{ state: { terminated: { exitCode: 127, reason: 'Error' } } }] } });
    assert.deepEqual(exited, { kind: 'exited', exitCode: 127, message: 'Error' });
    assert.equal(providerStateOf(exited), 'gone');
    assert.equal(providerStateOf(podVerdict({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running' } })), 'stopping');
    assert.equal(providerStateOf(podVerdict({ status: { phase: 'Running' } })), 'running');
  });
});
