// The Secret of one run's pod: the sshd host private key and the authorized key(s), which the pod spec only
// references (env valueFrom.secretKeyRef), so whoever may `get pods` in the namespace reads neither. Named
// and labelled like the pod; created before it and deleted with it. Pure: returns the manifest posted.

import type { ResourceTags } from '../backend';
import { ANNOTATION_TAGS, podLabels, podName } from './labels';

/** The Secret's key holding the host private key (read by the bootstrap as ENV_HOST_KEY). */
export const SECRET_HOST_KEY = 'host_key';
/** The Secret's key holding the authorized keys (read by the bootstrap as ENV_AUTHORIZED_KEY). */
export const SECRET_AUTHORIZED_KEY = 'authorized_keys';

/** A Secret manifest (the JSON the API server receives). */
export type SecretManifest = Record<string, unknown> & { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; data: Record<string, string> };

/** The Secret's name for an instance (the pod's name: a different resource kind, so no clash). */
export function podSecretName(instanceId: string): string {
  return podName(instanceId);
}

/** The Secret for this run's pod: type Opaque, base64 data, the pod's labels and tags annotation. */
export function podSecretManifest(tags: ResourceTags, authorizedKey: string, hostPrivateKey: string): SecretManifest {
  const b64 = (s: string): string => Buffer.from(s.trim(), 'utf8').toString('base64');
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: podSecretName(tags.instanceId), labels: podLabels(tags), annotations: { [ANNOTATION_TAGS]: JSON.stringify(tags) } },
    data: { [SECRET_HOST_KEY]: b64(hostPrivateKey), [SECRET_AUTHORIZED_KEY]: b64(authorizedKey) },
  };
}
