// Offers from a cluster's nodes: one per schedulable node, its allocatable CPU, memory, ephemeral storage and
// GPUs (model and memory from the GPU operator's / device plugin's node labels) minus what the pods placed on
// it request. Pure: the backend passes the API's node and pod objects in.

import type { GpuVendor } from '../../schema/model';
import type { Offer, OfferGpu } from '../offer';
import { normalizeGpu } from '../ssh/probe';
import { bytesToGB, parseQuantity } from './quantity';

/** The fields of a V1Node the offers read. */
export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
  status?: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

/** The fields of a V1Pod the offers read. */
export interface PodLike {
  spec?: { nodeName?: string; containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[]; initContainers?: unknown[] };
  status?: { phase?: string };
}

/** GPU resources and the node labels that name their model and memory. */
export const GPU_RESOURCES: { resource: string; vendor: GpuVendor; productLabels: string[]; memoryLabels: string[] }[] = [
  { resource: 'nvidia.com/gpu', vendor: 'nvidia', productLabels: ['nvidia.com/gpu.product'], memoryLabels: ['nvidia.com/gpu.memory'] },
  { resource: 'amd.com/gpu', vendor: 'amd', productLabels: ['amd.com/gpu.product-name', 'beta.amd.com/gpu.product-name'], memoryLabels: ['amd.com/gpu.vram', 'beta.amd.com/gpu.vram'] },
];

/** Taint keys our pods tolerate (GPU nodes are commonly tainted so only GPU pods land there). */
export const TOLERATED_TAINTS = ['nvidia.com/gpu', 'amd.com/gpu'];

/** What pods on each node request (requests, else limits, as the scheduler counts them), by node name. */
export function requestedByNode(pods: readonly PodLike[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const sum = out.get(node) ?? {};
    for (const c of pod.spec?.containers ?? []) {
      const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
      for (const [k, v] of Object.entries(req)) sum[k] = (sum[k] ?? 0) + parseQuantity(v);
    }
    out.set(node, sum);
  }
  return out;
}

/** MiB from a memory label ("81559" MiB as GFD writes it, or "192G"/"80Gi" as AMD's labeller may). */
function labelMiB(v: string | undefined): number {
  if (!v) return 0;
  if (/^[0-9]+$/.test(v)) return Number(v);
  const bytes = parseQuantity(v.endsWith('G') || v.endsWith('T') ? `${v.slice(0, -1)}${v.slice(-1)}i` : v);
  return bytes / 1024 ** 2;
}

/** The node's GPU model and per-GPU memory, from its labels, and the label the model was read from (null without a GPU resource). */
export function nodeGpu(node: NodeLike): { resource: string; vendor: GpuVendor; name: string; memoryGB: number; product: string; productLabel: string } | null {
  const labels = node.metadata?.labels ?? {};
  for (const g of GPU_RESOURCES) {
    if (parseQuantity(node.status?.allocatable?.[g.resource]) <= 0) continue;
    const productLabel = g.productLabels.find((l) => labels[l] !== undefined) ?? g.productLabels[0] ?? '';
    const product = labels[productLabel] ?? '';
    const mib = labelMiB(g.memoryLabels.map((l) => labels[l]).find((v) => v !== undefined));
    const n = product === '' ? { name: 'unknown', memoryGB: Math.round(mib / 1024) } : normalizeGpu(product.replace(/[-_]/g, ' '), mib, g.vendor);
    return { resource: g.resource, vendor: g.vendor, name: n.name, memoryGB: n.memoryGB, product, productLabel };
  }
  return null;
}

function ready(node: NodeLike): boolean {
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  return c === undefined || c.status === 'True';
}

/** One offer per schedulable node, with what is left on it; `region` names the cluster (the context). */
export function nodeOffers(nodes: readonly NodeLike[], pods: readonly PodLike[], options: { region: string; pricePerHour?: number }): Offer[] {
  const used = requestedByNode(pods);
  const offers: Offer[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (!name || node.spec?.unschedulable || !ready(node)) continue;
    // A hard taint we don't tolerate keeps our pods off the node: it offers nothing.
    if ((node.spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !TOLERATED_TAINTS.includes(t.key))) continue;
    const alloc = node.status?.allocatable ?? {};
    const u = used.get(name) ?? {};
    const free = (k: string): number => Math.max(0, parseQuantity(alloc[k]) - (u[k] ?? 0));
    const gpu = nodeGpu(node);
    const gpus: OfferGpu[] = gpu ? Array.from({ length: Math.floor(free(gpu.resource)) }, () => ({ name: gpu.name, vendor: gpu.vendor, memoryGB: gpu.memoryGB })) : [];
    const cpus = Math.floor(free('cpu'));
    const arch = node.metadata?.labels?.['kubernetes.io/arch'];
    offers.push({
      backend: 'kubernetes',
      region: options.region,
      instanceType: name,
      resources: { cpuArch: arch === 'arm64' ? 'arm' : 'x86', cpus, memoryGB: bytesToGB(free('memory')), diskGB: bytesToGB(free('ephemeral-storage')), gpus, spot: false },
      pricePerHour: options.pricePerHour ?? 0,
      availability: cpus < 1 ? 'busy' : 'available',
      backendData: { node: name, ...(gpu ? { gpuResource: gpu.resource, gpuProduct: gpu.product, gpuProductLabel: gpu.productLabel } : {}) },
    });
  }
  return offers;
}
