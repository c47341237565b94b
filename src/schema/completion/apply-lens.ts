// The "Apply" CodeLens title of a dev-environment file: cheapest matching offer and the number of offers, from the
// offers engine over the offline catalog plus this machine's local offer.
import { catalogOffers } from '../../backends/catalog';
import type { Offer } from '../../backends/offer';
import { configurationRequirements, displayBackend, selectOffers } from '../../orchestrator/offers';
import { GrammarError } from '../grammar/grammar-error';
import type { DevEnvironmentConfiguration } from '../model';
import { validateText } from '../validate';

/** What the lens says, and whether applying makes sense now. */
export interface ApplyLensSummary {
  title: string;
  /** Why the lens reads as it does (closed set, tests match on it). */
  status: 'offers' | 'no-offers' | 'invalid' | 'not-a-dev-environment';
  cheapest?: Offer;
  offerCount: number;
}

let awsCatalog: Offer[] | undefined;

/** `1xA10G`, `8xH100`, or `no GPU`. */
export function gpuSummary(offer: Offer): string {
  const gpu = offer.resources.gpus[0];
  return gpu ? `${offer.resources.gpus.length}x${gpu.name}` : 'no GPU';
}

/** `$1.006/h` style price: at most 3 decimals, `$0/h` for free. */
export function pricePerHourText(usd: number): string {
  return `$${Number(usd.toFixed(3))}/h`;
}

/**
 * "Apply · cheapest $X/h <gpu> on <backend> · N offers" for a dev-environment text, or undefined for other
 * configuration types. `local` is this machine's offer (null where it cannot run one).
 */
export function applyLensSummary(text: string, local: Offer | null): ApplyLensSummary | undefined {
  const result = validateText(text);
  if (result.type !== null && result.type !== 'dev-environment') return undefined;
  if (result.type === null && !/^type\s*:\s*["']?dev-environment/m.test(text)) return undefined;
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (!result.configuration || errors > 0) return { title: `Apply · ${errors} problem${errors === 1 ? '' : 's'} to fix first`, status: 'invalid', offerCount: 0 };
  let req;
  try {
    req = configurationRequirements(result.configuration as DevEnvironmentConfiguration);
  } catch (e) {
    if (!(e instanceof GrammarError)) throw e;
    return { title: `Apply · ${e.message}`, status: 'invalid', offerCount: 0 };
  }
  awsCatalog ??= catalogOffers('aws');
  const selection = selectOffers([awsCatalog, local ? [local] : []], req);
  const cheapest = selection.offers[0];
  if (!cheapest) return { title: 'Apply · no offers match', status: 'no-offers', offerCount: 0 };
  const n = selection.total;
  return {
    title: `Apply · cheapest ${pricePerHourText(cheapest.pricePerHour)} ${gpuSummary(cheapest)} on ${displayBackend(cheapest.backend)} · ${n} offer${n === 1 ? '' : 's'}`,
    status: 'offers',
    cheapest,
    offerCount: n,
  };
}
