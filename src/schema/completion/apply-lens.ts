// The "Apply" CodeLens title of a dev-environment file: the cheapest offer Apply would provision and how many offers
// match. The offers are the caller's: the configured backends' lists for the file's requirements (what `apply`
// plans over), so the lens never names a backend that is not configured.
import type { Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';
import { configurationRequirements, displayBackend, isAvailable, selectOffers } from '../../orchestrator/offers';
import { GrammarError } from '../grammar/grammar-error';
import type { DevEnvironmentConfiguration } from '../model';
import { validateText } from '../validate';

/** Why the lens reads as it does (closed set; tests match on it). */
export type ApplyLensStatus = 'offers' | 'unavailable' | 'no-offers' | 'invalid' | 'listing' | 'listing-failed';

/** What the lens says, and whether applying makes sense now. */
export interface ApplyLensSummary {
  title: string;
  status: ApplyLensStatus;
  /** The offer Apply would provision first (the cheapest available one). */
  cheapest?: Offer;
  /** How many offers match (available or not), as the offers view counts them. */
  offerCount: number;
}

/** What titling a file's lens needs: a summary already (the file is invalid), or the offers for these requirements. */
export type ApplyLensRequest =
  | { kind: 'summary'; summary: ApplyLensSummary }
  | { kind: 'offers'; requirements: Requirements; /** Equal for equal requirements: the key of an offers cache. */ key: string };

/** `1xA10G`, `8xH100`, or `no GPU`. */
export function gpuSummary(offer: Offer): string {
  const gpu = offer.resources.gpus[0];
  return gpu ? `${offer.resources.gpus.length}x${gpu.name}` : 'no GPU';
}

/** `$1.006/h` style price: at most 3 decimals, `$0/h` for free. */
export function pricePerHourText(usd: number): string {
  return `$${Number(usd.toFixed(3))}/h`;
}

function offersWord(n: number): string {
  return `${n} offer${n === 1 ? '' : 's'}`;
}

/**
 * What a file's lens needs, or undefined when it gets no lens (not a dev environment). Validates the text; the
 * requirements are the ones `apply` plans with.
 */
export function applyLensRequest(text: string): ApplyLensRequest | undefined {
  const result = validateText(text);
  if (result.type !== null && result.type !== 'dev-environment') return undefined;
  if (result.type === null && !/^type\s*:\s*["']?dev-environment/m.test(text)) return undefined;
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (!result.configuration || errors > 0) {
    return { kind: 'summary', summary: { title: `Apply · ${errors} problem${errors === 1 ? '' : 's'} to fix first`, status: 'invalid', offerCount: 0 } };
  }
  try {
    const requirements = configurationRequirements(result.configuration as DevEnvironmentConfiguration);
    return { kind: 'offers', requirements, key: JSON.stringify(requirements) };
  } catch (e) {
    if (!(e instanceof GrammarError)) throw e;
    return { kind: 'summary', summary: { title: `Apply · ${e.message}`, status: 'invalid', offerCount: 0 } };
  }
}

/**
 * "Apply · cheapest $X/h <gpu> on <backend> · N offers" from the backends' offer lists for `requirements`, matched
 * and ordered as `apply` does; "no matching offers" when none match, "none available now" when all that match are not.
 */
export function summarizeOffers(requirements: Requirements, lists: readonly (readonly Offer[])[]): ApplyLensSummary {
  const selection = selectOffers(lists, requirements);
  const n = selection.total;
  if (n === 0) return { title: 'Apply · no matching offers', status: 'no-offers', offerCount: 0 };
  const cheapest = selection.offers.find(isAvailable);
  if (!cheapest) return { title: `Apply · ${offersWord(n)}, none available now`, status: 'unavailable', offerCount: n };
  return {
    title: `Apply · cheapest ${pricePerHourText(cheapest.pricePerHour)} ${gpuSummary(cheapest)} on ${displayBackend(cheapest.backend)} · ${offersWord(n)}`,
    status: 'offers',
    cheapest,
    offerCount: n,
  };
}

/** The lens while the backends are still listing offers for the file's requirements. */
export function listingSummary(): ApplyLensSummary {
  return { title: 'Apply · finding offers…', status: 'listing', offerCount: 0 };
}

/** The lens when listing offers failed (the message says which backend and why). */
export function listingFailedSummary(message: string): ApplyLensSummary {
  return { title: `Apply · offers could not be listed: ${message}`, status: 'listing-failed', offerCount: 0 };
}

/** The whole summary at once, for a text and the backends' offer lists (undefined when the file gets no lens). */
export function applyLensSummary(text: string, lists: readonly (readonly Offer[])[]): ApplyLensSummary | undefined {
  const request = applyLensRequest(text);
  if (!request) return undefined;
  return request.kind === 'summary' ? request.summary : summarizeOffers(request.requirements, lists);
}
