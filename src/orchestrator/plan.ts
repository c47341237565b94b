// From a validated dev-environment configuration to a run plan: requirements, the offers to try (the
// offers engine's order), policies, and the env with `-e` overrides, the process env and secrets
// resolved. Nothing is provisioned here; a missing env value or secret stops apply before anything.

import type { Backend, Requirements } from '../backends/backend';
import type { Offer } from '../backends/offer';
import { backendOfferLists, configurationRequirements, selectOffers } from './offers';
import { interpolate, normalizeRetry, resolveEnv } from '../schema';
import type { DevEnvironmentConfiguration } from '../schema/model';
import type { RunSpec } from './model/run';

/** dstack's DSTACK_SERVER_MAX_OFFERS_TRIED: how many offers provisioning tries. */
export const MAX_OFFERS_TRIED = 25;

/** dstack's default run idle_duration (5 min) when neither the run nor a fleet sets one. */
export const DEFAULT_IDLE_DURATION_SECS = 300;

/** The plan of one apply. */
export interface RunPlan {
  spec: RunSpec;
  requirements: Requirements;
  /** Offers provisioning will try, in order (at most MAX_OFFERS_TRIED). */
  offers: Offer[];
  totalOffers: number;
  maxPrice: number | null;
}

/** The configuration cannot be planned; the message names the file, the field and the fix. */
export class PlanError extends Error {
  override name = 'PlanError';
}

/** Inputs besides the configuration. */
export interface PlanInputs {
  configurationPath: string;
  /** `-e KEY=VALUE` overrides. */
  envOverrides: Record<string, string>;
  processEnv: Readonly<Record<string, string | undefined>>;
  secrets: Record<string, string>;
  backends: Iterable<Backend>;
}

/** Builds the plan (and the RunSpec to submit) for a dev environment. */
export async function planDevEnvironment(config: DevEnvironmentConfiguration, inputs: PlanInputs): Promise<RunPlan> {
  const file = inputs.configurationPath;
  const { env: plainEnv, missing } = resolveEnv(config.env, inputs.envOverrides, inputs.processEnv);
  if (missing.length > 0) {
    const list = missing.map((m) => `'${m}'`).join(', ');
    throw new PlanError(`${file}: env: ${list} ${missing.length === 1 ? 'has' : 'have'} no value; pass -e ${missing[0] as string}=VALUE or set it in the environment of this command`);
  }
  // Every `${{ secrets.X }}` must exist now; the values themselves are put in only when the instance is
  // created (resolveSecrets), so the state file never holds a secret.
  for (const [name, value] of Object.entries(plainEnv)) {
    const r = interpolate(value, { secrets: inputs.secrets });
    if (r.missing.length > 0) {
      throw new PlanError(`${file}: env.${name}: ${r.missing.map((m) => `\${{ ${m} }}`).join(', ')} is not set; add it with: dstack-vsc secret set ${(r.missing[0] as string).replace(/^secrets\./, '')} VALUE`);
    }
  }
  const env = plainEnv;
  const requirements = configurationRequirements(config);
  const selection = selectOffers(await backendOfferLists(inputs.backends, requirements), requirements);
  const offers = selection.offers.filter((o) => o.availability !== 'no_quota' && o.availability !== 'not_available' && o.availability !== 'busy').slice(0, MAX_OFFERS_TRIED);
  const maxDuration = typeof config.max_duration === 'number' ? config.max_duration : null;
  const spec: RunSpec = {
    configurationPath: file,
    requirements,
    offers,
    retry: normalizeRetry(config.retry ?? null),
    inactivityDuration: config.inactivity_duration ?? null,
    maxDuration,
    idleDuration: config.idle_duration ?? DEFAULT_IDLE_DURATION_SECS,
    utilizationPolicy: config.utilization_policy ?? null,
    init: config.init ?? [],
    env,
    workingDir: config.working_dir ?? null,
    configuration: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
  };
  return { spec, requirements, offers: selection.offers, totalOffers: selection.total, maxPrice: selection.maxPrice };
}

/** The env with `${{ secrets.X }}` replaced by the secrets' values (at instance creation only). */
export function resolveSecrets(env: Record<string, string>, secrets: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const r = interpolate(value, { secrets });
    if (r.missing.length > 0) throw new PlanError(`env.${name}: ${r.missing.map((m) => `\${{ ${m} }}`).join(', ')} is no longer set; add it with dstack-vsc secret set`);
    out[name] = r.result;
  }
  return out;
}
