// Why nothing matched: how many offers each constraint removes, which one removed the most, and the nearest misses.
import type { Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';
import type { Range } from '../../schema/model';
import { CONSTRAINT_FIELD, OFFER_CONSTRAINTS, type OfferConstraint } from './constraints';
import { compileRequirements } from './match';
import { displayBackend, formatGB, formatMaxPrice, formatPrice, formatRange, prettyOfferResources } from './pretty';
import { sizeForRequirements } from './select';

/** How much one constraint removed, among the offers considered. */
export interface ConstraintImpact {
  constraint: OfferConstraint;
  /** The configuration field behind it, e.g. `max_price`, `resources.gpu (name)`. */
  field: string;
  /** Offers failing this constraint (whatever else they fail). */
  removed: number;
  /** Offers failing only this constraint: they would match if it were relaxed. */
  removedAlone: number;
}

/** The explanation of an empty result, as data (for the UI) and as text (for the CLI). */
export interface NoMatchExplanation {
  /** Offers considered: those of the requested GPU (name/vendor) when any exist, otherwise all offers. */
  considered: number;
  /** What was considered, e.g. `A100 offers`, `offers`. */
  consideredLabel: string;
  /** Constraints that removed at least one considered offer, the most removing first. */
  impacts: ConstraintImpact[];
  /** The constraint that removed the most; null when there were no offers at all. */
  blocking: OfferConstraint | null;
  /**
   * Up to three nearest misses, sized for the request: offers failing only `blocking` when there are any, otherwise
   * those failing `blocking` and the fewest other constraints. Nearest = closest value for a quantity, else cheapest.
   */
  nearestMisses: Offer[];
  /** The other constraints the nearest misses fail (empty when they fail only `blocking`). */
  alsoFailed: OfferConstraint[];
  /** Two lines for the CLI. */
  text: string;
}

const IDENTITY: ReadonlySet<OfferConstraint> = new Set(['gpu_name', 'gpu_vendor']);
const QUANTITY: Partial<Record<OfferConstraint, (o: Offer) => number>> = {
  cpu_count: (o) => o.resources.cpus,
  memory: (o) => o.resources.memoryGB,
  gpu_count: (o) => o.resources.gpus.length,
  gpu_memory: (o) => o.resources.gpus[0]?.memoryGB ?? 0,
  gpu_total_memory: (o) => o.resources.gpus.length * (o.resources.gpus[0]?.memoryGB ?? 0),
  disk: (o) => o.resources.diskGB,
};

function distance(value: number, range: Range | null | undefined): number {
  if (!range) return 0;
  if (range.min !== null && value < range.min) return range.min - value;
  if (range.max !== null && value > range.max) return value - range.max;
  return 0;
}

function rangeOf(c: OfferConstraint, req: Requirements): Range | null | undefined {
  const r = req.resources;
  switch (c) {
    case 'cpu_count': return r.cpu.count;
    case 'memory': return r.memory;
    case 'gpu_count': return r.gpu?.count;
    case 'gpu_memory': return r.gpu?.memory;
    case 'gpu_total_memory': return r.gpu?.total_memory;
    case 'disk': return r.disk?.size;
    default: return null;
  }
}

function subjectOf(req: Requirements): string {
  const gpu = req.resources.gpu;
  if (gpu?.name && gpu.name.length > 0) return gpu.name.join('/');
  if (gpu?.vendor) return `${gpu.vendor} GPU`;
  return 'offer';
}

function phraseOf(c: OfferConstraint, req: Requirements): string {
  const r = req.resources;
  const list = (xs: readonly string[] | null | undefined) => (xs ?? []).join(', ');
  switch (c) {
    case 'max_price': return `under ${formatMaxPrice(req.maxPrice ?? 0)}/h`;
    case 'spot': return req.spot ? 'as spot' : 'on-demand';
    case 'cpu_arch': return `with ${r.cpu.arch ?? ''} CPUs`;
    case 'cpu_count': return `with cpu=${formatRange(r.cpu.count)}`;
    case 'memory': return `with mem=${formatRange(r.memory, formatGB)}`;
    case 'gpu_vendor': return `from ${r.gpu?.vendor ?? ''}`;
    case 'gpu_count': return `with ${formatRange(r.gpu?.count ?? { min: null, max: null })} GPUs`;
    case 'gpu_name': return `with GPU ${list(r.gpu?.name)}`;
    case 'compute_capability': return `with compute capability ${(r.gpu?.compute_capability ?? []).join('.')} or newer`;
    case 'gpu_memory': return `with ${formatRange(r.gpu?.memory ?? { min: null, max: null }, formatGB)} per GPU`;
    case 'gpu_total_memory': return `with ${formatRange(r.gpu?.total_memory ?? { min: null, max: null }, formatGB)} of GPU memory in total`;
    case 'disk': return `with disk=${formatRange(r.disk?.size ?? { min: null, max: null }, formatGB)}`;
    case 'backend': return `on ${list(req.backends)}`;
    case 'region': return `in ${list(req.regions)}`;
    case 'instance_type': return `of type ${list(req.instanceTypes)}`;
  }
}

function nearestText(c: OfferConstraint, subject: string, offer: Offer): string {
  const where = `${offer.instanceType}, ${displayBackend(offer.backend)} ${offer.region}`;
  const price = `${formatPrice(offer.pricePerHour)}/h`;
  switch (c) {
    case 'max_price':
    case 'backend':
    case 'region':
    case 'instance_type':
      return `the cheapest ${subject} is ${price} (${where})`;
    case 'spot':
      return `the cheapest ${subject} is ${price} ${offer.resources.spot ? 'as spot' : 'on-demand'} (${where})`;
    default: {
      const word = QUANTITY[c] ? 'closest' : 'cheapest';
      const what = c === 'gpu_name' || c === 'gpu_vendor' ? 'offer otherwise matching' : subject;
      return `the ${word} ${what} is ${price} (${where}: ${prettyOfferResources(offer.resources, true)})`;
    }
  }
}

/**
 * Explains why `universe` (every offer the backends have) yields nothing for `req`. When the request names a GPU
 * (or vendor) that some offers have, only those offers are considered, so the answer is about what blocks that GPU
 * ("no A100 under $2/h") rather than about the many offers of other GPUs.
 */
export function explainNoMatch(universe: readonly Offer[], req: Requirements): NoMatchExplanation {
  const matcher = compileRequirements(req);
  const all = universe.map((offer) => ({ offer, failed: matcher.failures(offer) }));
  const subject = subjectOf(req);
  const ofIdentity = all.filter((x) => !x.failed.some((c) => IDENTITY.has(c)));
  const scoped = subject !== 'offer' && ofIdentity.length > 0 ? ofIdentity : all;
  const scopedSubject = scoped === all ? 'offer' : subject;
  const consideredLabel = scopedSubject === 'offer' ? 'offers' : `${scopedSubject} offers`;

  const impacts: ConstraintImpact[] = OFFER_CONSTRAINTS.map((constraint) => ({
    constraint,
    field: CONSTRAINT_FIELD[constraint],
    removed: scoped.filter((x) => x.failed.includes(constraint)).length,
    removedAlone: scoped.filter((x) => x.failed.length === 1 && x.failed[0] === constraint).length,
  })).filter((i) => i.removed > 0)
    .sort((a, b) => b.removed - a.removed || b.removedAlone - a.removedAlone);

  const top = impacts[0];
  if (top === undefined) {
    const text = universe.length === 0
      ? 'No backend returned any offer: configure a backend (e.g. aws) or an SSH fleet.'
      : 'Every offer matches these requirements.';
    return { considered: scoped.length, consideredLabel, impacts, blocking: null, nearestMisses: [], alsoFailed: [], text };
  }
  const blocking = top.constraint;
  const value = QUANTITY[blocking];
  const range = rangeOf(blocking, req);
  const failingIt = scoped.filter((x) => x.failed.includes(blocking));
  const fewest = Math.min(...failingIt.map((x) => x.failed.length));
  const candidates = failingIt.filter((x) => x.failed.length === fewest);
  const alsoFailed = (candidates[0]?.failed ?? []).filter((c) => c !== blocking);
  const nearestMisses = candidates
    .map((x) => sizeForRequirements(x.offer, req))
    .sort((a, b) => (value ? distance(value(a), range) - distance(value(b), range) : 0) || a.pricePerHour - b.pricePerHour)
    .slice(0, 3);

  const headSubject = blocking === 'gpu_name' || blocking === 'gpu_vendor' ? 'offer' : scopedSubject;
  let headline = `no ${headSubject} ${phraseOf(blocking, req)}`;
  const nearest = nearestMisses[0];
  if (nearest) {
    headline += `; ${nearestText(blocking, headSubject, nearest)}`;
    if (alsoFailed.length > 0) headline += `, which also fails ${alsoFailed.map((c) => CONSTRAINT_FIELD[c]).join(', ')}`;
  }
  const others = impacts.slice(1, 4).map((i) => `${i.field} ${i.removed}`);
  const detail = `${top.field} removed the most: ${top.removed} of ${scoped.length} ${consideredLabel}` +
    (others.length > 0 ? ` (then ${others.join(', ')})` : '');
  return { considered: scoped.length, consideredLabel, impacts, blocking, nearestMisses, alsoFailed, text: `${headline}.\n${detail}.` };
}
