// The tags the AWS backend puts on instances and volumes, and the idempotency token derived from them.

import { createHash } from 'node:crypto';
import type { ResourceTags } from '../backend';

/** Tag keys naming the installation, the run and the orchestrator's instance id. */
export const TAG_INSTALLATION = 'dstack-vsc:installation';
export const TAG_RUN = 'dstack-vsc:run-name';
export const TAG_INSTANCE = 'dstack-vsc:instance-id';

/** The EC2 tags of one instance (and its volumes). */
export function ec2Tags(tags: ResourceTags): { Key: string; Value: string }[] {
  return [
    { Key: 'Name', Value: `dstack-vsc-${tags.runName}` },
    { Key: TAG_INSTALLATION, Value: tags.installation },
    { Key: TAG_RUN, Value: tags.runName },
    { Key: TAG_INSTANCE, Value: tags.instanceId },
  ];
}

/** Our tags read back from EC2's tag list, or undefined when the instance is not ours. */
export function resourceTagsOf(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): ResourceTags | undefined {
  const get = (key: string): string | undefined => tags?.find((t) => t.Key === key)?.Value;
  const installation = get(TAG_INSTALLATION);
  const instanceId = get(TAG_INSTANCE);
  if (installation === undefined || instanceId === undefined) return undefined;
  return { installation, instanceId, runName: get(TAG_RUN) ?? '' };
}

/**
 * RunInstances' ClientToken (≤64 ASCII chars): the same instance id, region, type and market always give the same
 * token, so a retried call returns the instance the first one created instead of a second one.
 */
export function clientToken(tags: ResourceTags, region: string, instanceType: string, spot: boolean): string {
  const digest = createHash('sha256').update([tags.installation, tags.instanceId, region, instanceType, spot ? 'spot' : 'on-demand'].join('\n')).digest('hex');
  return `dstack-vsc-${digest.slice(0, 48)}`;
}
