// Requirements for offer matching: from a run configuration (as `apply` plans it) or `dstack offer`'s dummy task.
import type { BackendId } from '../../backends/offer';
import { spotFromPolicy, type Requirements } from '../../backends/backend';
import { applyServerResourceDefaults } from '../../schema';
import type { BaseRunConfiguration, ResourcesSpec, SpotPolicy } from '../../schema/model';

/** Backend names accepted in `backends` / `--backend`, mapped to our ids (`ssh` is dstack's printed name of `remote`). */
const BACKEND_NAMES: Readonly<Record<string, BackendId>> = { aws: 'aws', kubernetes: 'kubernetes', remote: 'remote', ssh: 'remote', local: 'local', fake: 'fake' };

/** Our backend id for a name from a configuration or a flag, or null when we do not implement that backend. */
export function backendIdOf(name: string): BackendId | null {
  return BACKEND_NAMES[name.toLowerCase()] ?? null;
}

/** Names `backendIdOf` accepts, for messages. */
export const BACKEND_NAME_CHOICES: readonly string[] = Object.keys(BACKEND_NAMES);

/** `dstack offer`'s "unconstrained" resources: cpu 1.., memory 0GB.., gpu 0.., no disk. */
export function unconstrainedResources(): ResourcesSpec {
  return {
    cpu: { arch: null, count: { min: 1, max: null } },
    memory: { min: 0, max: null },
    shm_size: null,
    gpu: { vendor: null, name: null, count: { min: 0, max: null }, memory: null, total_memory: null, compute_capability: null },
    disk: null,
  };
}

/**
 * `dstack offer` without a file: the dummy task (`image: scratch`) so only the given resources filter, spot policy
 * auto; GPU vendor inferred from the names only (scratch keeps the vendor open when no name is given).
 */
export function offerRequirements(resources: ResourcesSpec = unconstrainedResources()): Requirements {
  return {
    resources: applyServerResourceDefaults(resources, { image: 'scratch' }),
    spot: null,
    maxPrice: null,
    regions: null,
    instanceTypes: null,
  };
}

/**
 * What a run configuration asks of offers, as `apply` plans it: server resource defaults (GPU vendor inference,
 * nvidia when no image), cpu arch x86 when there is no image, spot policy defaulting to on-demand, and the profile's
 * max_price, regions, instance_types and backends. Throws GrammarError when the default image cannot serve the request.
 */
export function configurationRequirements(config: BaseRunConfiguration, defaultSpotPolicy: SpotPolicy = 'on-demand'): Requirements {
  const choice = { image: config.image ?? null, docker: config.docker ?? null };
  const resources = applyServerResourceDefaults(config.resources, choice);
  if (resources.cpu.arch === null && choice.image === null) resources.cpu = { ...resources.cpu, arch: 'x86' };
  const backends = config.backends?.map(backendIdOf).filter((b): b is BackendId => b !== null) ?? null;
  return {
    resources,
    spot: spotFromPolicy(config.spot_policy ?? defaultSpotPolicy),
    maxPrice: config.max_price ?? null,
    regions: config.regions ?? null,
    instanceTypes: config.instance_types ?? null,
    backends,
  };
}
