// The pod of one run: image, resource requests and limits, GPU count, node affinity (the offer's node and
// GPU model, under the label the offer read it from: NVIDIA's or AMD's), tolerations for GPU taints, /dev/shm
// as a memory emptyDir, and labels naming the installation, the run and the instance. No secret is in it: the
// sshd keys come from the run's Secret (pod-secret.ts) by secretKeyRef, and the run's env (which may hold
// resolved secrets) is delivered by the host agent over SSH. Pure: returns the manifest the backend posts.

import type { InstanceJob, ResourceTags } from '../backend';
import type { Offer } from '../offer';
import type { ResourcesSpec } from '../../schema/model';
import { bootstrapScript, ENV_AUTHORIZED_KEY, ENV_HOST_KEY } from './bootstrap';
import { ANNOTATION_HOST_KEY, ANNOTATION_TAGS, podLabels, podName } from './labels';
import { podSecretName, SECRET_AUTHORIZED_KEY, SECRET_HOST_KEY } from './pod-secret';
import { GPU_RESOURCES, TOLERATED_TAINTS } from './offers';

/** A pod manifest (the JSON the API server receives). */
export type PodManifest = Record<string, unknown> & { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> } };

/** Inputs of `podManifest`. */
export interface PodInputs {
  offer: Offer;
  tags: ResourceTags;
  /** Public half of the host key the orchestrator generated (pinned by the client; the private half is in the Secret). */
  hostPublicKey: string;
  job?: InstanceJob | undefined;
  /** Image when the configuration names none. */
  defaultImage: string;
  sshPort: number;
}

const GiB = (gb: number): string => `${Math.round(gb * 1024)}Mi`;

/**
 * The node label naming the offer's GPU model: the one the offer was read from (NVIDIA's GPU feature discovery
 * or AMD's labeller), else, for an offer recorded before that was kept, its resource's first product label.
 */
export function gpuProductLabel(backendData: Record<string, unknown> | undefined): string | null {
  const label = backendData?.['gpuProductLabel'];
  if (typeof label === 'string' && label !== '') return label;
  return GPU_RESOURCES.find((g) => g.resource === backendData?.['gpuResource'])?.productLabels[0] ?? null;
}

function resourcesOf(job: InstanceJob | undefined): ResourcesSpec | null {
  const r = job?.configuration?.['resources'];
  return r && typeof r === 'object' ? (r as ResourcesSpec) : null;
}

/** Requests at the lower bounds, limits at the upper bounds where set; GPUs as request = limit. */
export function podResources(offer: Offer, res: ResourcesSpec | null): { requests: Record<string, string>; limits: Record<string, string>; gpus: number } {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const cpuMin = res?.cpu.count.min ?? 2;
  requests['cpu'] = String(Math.min(cpuMin, Math.max(offer.resources.cpus, 1)));
  if (res?.cpu.count.max !== null && res?.cpu.count.max !== undefined) limits['cpu'] = String(res.cpu.count.max);
  const memMin = res?.memory.min ?? 8;
  requests['memory'] = GiB(Math.min(memMin, Math.max(offer.resources.memoryGB, 0.25)));
  if (res?.memory.max !== null && res?.memory.max !== undefined) limits['memory'] = GiB(res.memory.max);
  const disk = res?.disk?.size.min;
  if (disk !== null && disk !== undefined) requests['ephemeral-storage'] = GiB(Math.min(disk, Math.max(offer.resources.diskGB, 1)));
  const gpus = res?.gpu ? Math.min(res.gpu.count.min ?? 1, offer.resources.gpus.length) : 0;
  const gpuResource = offer.backendData?.['gpuResource'];
  if (gpus > 0 && typeof gpuResource === 'string') {
    requests[gpuResource] = String(gpus);
    limits[gpuResource] = String(gpus);
  }
  return { requests, limits, gpus };
}

/** The pod manifest for this run on this offer. */
export function podManifest(p: PodInputs): PodManifest {
  const config = p.job?.configuration ?? {};
  const image = typeof config['image'] === 'string' && config['image'] !== '' ? config['image'] : p.defaultImage;
  const res = resourcesOf(p.job);
  const { requests, limits, gpus } = podResources(p.offer, res);
  const node = p.offer.backendData?.['node'];
  const product = p.offer.backendData?.['gpuProduct'];
  const match: { key: string; operator: 'In'; values: string[] }[] = [];
  if (typeof node === 'string') match.push({ key: 'kubernetes.io/hostname', operator: 'In', values: [node] });
  const productLabel = gpuProductLabel(p.offer.backendData);
  if (gpus > 0 && typeof product === 'string' && product !== '' && productLabel !== null) match.push({ key: productLabel, operator: 'In', values: [product] });
  const secret = podSecretName(p.tags.instanceId);
  const fromSecret = (name: string, key: string): Record<string, unknown> => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
  // Only plumbing here: the run's env reaches the environment through the agent's job.env, never the spec.
  const env: Record<string, unknown>[] = [fromSecret(ENV_AUTHORIZED_KEY, SECRET_AUTHORIZED_KEY), fromSecret(ENV_HOST_KEY, SECRET_HOST_KEY)];
  if (gpus === 0) env.push({ name: 'NVIDIA_VISIBLE_DEVICES', value: 'void' });
  const volumes: Record<string, unknown>[] = [];
  const mounts: Record<string, unknown>[] = [];
  const shm = res?.shm_size;
  if (shm !== null && shm !== undefined && shm > 0) {
    volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: GiB(shm) } });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  const container: Record<string, unknown> = {
    name: 'environment', image, command: ['/bin/sh', '-c', bootstrapScript(p.sshPort)], env,
    ports: [{ name: 'ssh', containerPort: p.sshPort, protocol: 'TCP' }],
    resources: { requests, ...(Object.keys(limits).length > 0 ? { limits } : {}) },
    securityContext: { runAsUser: 0, ...(config['privileged'] === true ? { privileged: true } : {}) },
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
  };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: podName(p.tags.instanceId), labels: podLabels(p.tags),
      annotations: { [ANNOTATION_TAGS]: JSON.stringify(p.tags), [ANNOTATION_HOST_KEY]: p.hostPublicKey.trim() },
    },
    spec: {
      restartPolicy: 'Never',
      containers: [container],
      ...(volumes.length > 0 ? { volumes } : {}),
      ...(match.length > 0 ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: match }] } } } } : {}),
      tolerations: TOLERATED_TAINTS.flatMap((key) => ['NoSchedule', 'NoExecute'].map((effect) => ({ key, operator: 'Exists', effect }))),
    },
  };
}
