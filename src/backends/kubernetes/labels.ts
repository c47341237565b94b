// The labels on every pod we create (installation, run, instance), kept valid as Kubernetes label values.

import type { ResourceTags } from '../backend';

export const LABEL_INSTALLATION = 'dstack-vsc/installation';
export const LABEL_RUN = 'dstack-vsc/run';
export const LABEL_INSTANCE = 'dstack-vsc/instance';
/** The original (unsanitized) tags, as annotations: labels are lossy. */
export const ANNOTATION_TAGS = 'dstack-vsc/tags';
/** The environment sshd's host public key, so a restarted orchestrator pins the same key. */
export const ANNOTATION_HOST_KEY = 'dstack-vsc/host-public-key';

/** A valid label value (<= 63 chars of [A-Za-z0-9._-], alphanumeric at both ends) derived from `s`. */
export function labelValue(s: string): string {
  const v = s.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  return v === '' ? 'x' : v;
}

/** The pod's labels for these tags. */
export function podLabels(tags: ResourceTags): Record<string, string> {
  return { [LABEL_INSTALLATION]: labelValue(tags.installation), [LABEL_RUN]: labelValue(tags.runName), [LABEL_INSTANCE]: labelValue(tags.instanceId) };
}

/** The pod's name for an instance (a DNS-1123 label, deterministic: the create idempotency key). */
export function podName(instanceId: string): string {
  const base = instanceId.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-');
  return `dstack-vsc-${base}`.slice(0, 63).replace(/-+$/, '');
}

/** The tags of a pod we created (from its annotation, else its labels), or null for a pod that isn't ours. */
export function tagsOfPod(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined): ResourceTags | null {
  const raw = annotations?.[ANNOTATION_TAGS];
  if (raw) {
    try {
      const t = JSON.parse(raw) as Partial<ResourceTags>;
      if (typeof t.installation === 'string' && typeof t.runName === 'string' && typeof t.instanceId === 'string') return { installation: t.installation, runName: t.runName, instanceId: t.instanceId };
    } catch { /* fall back to the labels */ }
  }
  const installation = labels?.[LABEL_INSTALLATION];
  const runName = labels?.[LABEL_RUN];
  const instanceId = labels?.[LABEL_INSTANCE];
  return installation && runName && instanceId ? { installation, runName, instanceId } : null;
}
