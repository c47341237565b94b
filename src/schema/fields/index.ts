// The field table: one entry per configuration type, plus `propertyAt(type, path)` for completion and hover.
import type { ConfigurationType } from '../model';
import { DevEnvironmentConfiguration } from './dev-environment';
import { FleetConfiguration } from './fleet';
import { GatewayConfiguration } from './gateway';
import { PresetConfiguration } from './preset';
import { ServiceConfiguration } from './service';
import { TaskConfiguration } from './task';
import { type FieldSpec, type ValueType, union } from './types';
import { AWSVolumeConfiguration, GCPVolumeConfiguration, KubernetesVolumeConfiguration, RunpodVolumeConfiguration } from './volume';

/** A volume: one table per backend, chosen by `backend`. */
export const VolumeConfiguration: ValueType = union('volume', 'a volume configuration for backend `aws`, `gcp`, `runpod` or `kubernetes`', [
  AWSVolumeConfiguration,
  GCPVolumeConfiguration,
  RunpodVolumeConfiguration,
  KubernetesVolumeConfiguration,
]);

/** The value type of each configuration type. */
export const CONFIGURATION_TYPES: Readonly<Record<ConfigurationType, ValueType>> = {
  'dev-environment': DevEnvironmentConfiguration,
  task: TaskConfiguration,
  service: ServiceConfiguration,
  fleet: FleetConfiguration,
  gateway: GatewayConfiguration,
  volume: VolumeConfiguration,
  preset: PresetConfiguration,
};

/** The configuration types, in the order dstack lists them. */
export const CONFIGURATION_TYPE_NAMES = Object.keys(CONFIGURATION_TYPES) as ConfigurationType[];

/** Whether `t` names a configuration type. */
export function isConfigurationType(t: unknown): t is ConfigurationType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(CONFIGURATION_TYPES, t);
}

function objectBranch(t: ValueType): ValueType | undefined {
  if (t.fields) return t;
  return t.branches?.find((b) => b.fields) ?? (t.items ? objectBranch(t.items) : undefined);
}

/** The fields an object at `path` may have (for completion); list indexes are skipped over. */
export function fieldsAt(type: ConfigurationType, path: readonly (string | number)[]): Readonly<Record<string, FieldSpec>> | undefined {
  let t: ValueType | undefined = CONFIGURATION_TYPES[type];
  for (const seg of path) {
    if (!t) return undefined;
    if (typeof seg === 'number') {
      t = t.items ?? t.branches?.find((b) => b.items)?.items;
      continue;
    }
    const o: ValueType | undefined = objectBranch(t);
    t = o?.fields?.()[seg]?.type;
  }
  const o = t ? objectBranch(t) : undefined;
  return o?.fields?.();
}

/** The field spec (type, doc, default, example, updatable) at `path`, e.g. `['resources', 'gpu']`. */
export function propertyAt(type: ConfigurationType, path: readonly (string | number)[]): FieldSpec | undefined {
  const keys = [...path];
  while (keys.length && typeof keys[keys.length - 1] === 'number') keys.pop();
  const last = keys.pop();
  if (typeof last !== 'string') return undefined;
  return fieldsAt(type, keys)?.[last];
}
