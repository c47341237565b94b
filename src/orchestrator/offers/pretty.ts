// dstack's pretty formats for offers and prices (`Resources.pretty_format`, the `$%.4f` price cell).
import type { Offer, OfferResources } from '../../backends/offer';
import type { Range } from '../../schema/model';

/** A GB amount as dstack prints it: `round(x, 1)` with `:g` (16 → `16`, 0.5 → `0.5`). */
export function formatGB(gb: number): string {
  return `${Number((Math.round(gb * 10) / 10).toPrecision(6))}GB`;
}

/** A price cell: `$` + 4 decimals with trailing zeros and dot trimmed (`$0.3928`, `$0.11`, `$0`). */
export function formatPrice(usd: number): string {
  return `$${usd.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')}`;
}

/** A `max_price` / `$Xmax` figure: Python's `f"${x:3f}"` trimmed (6 decimals, then zeros and dot removed). */
export function formatMaxPrice(usd: number): string {
  return `$${usd.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;
}

/** A requirement range: `4`, `2..`, `..8`, `2..8`, with `fmt` for each bound. */
export function formatRange(range: Range, fmt: (n: number) => string = String): string {
  if (range.min !== null && range.min === range.max) return fmt(range.min);
  return `${range.min === null ? '' : fmt(range.min)}..${range.max === null ? '' : fmt(range.max)}`;
}

/** An offer's resources: `cpu=4 mem=16GB disk=100GB gpu=A10G:24GB:1`, `(spot)` appended when asked and spot. */
export function prettyOfferResources(r: OfferResources, includeSpot = false): string {
  const parts: string[] = [];
  if (r.cpus > 0) parts.push(`cpu=${r.cpuArch === 'arm' ? 'arm:' : ''}${r.cpus}`);
  if (r.memoryGB > 0) parts.push(`mem=${formatGB(r.memoryGB)}`);
  if (r.diskGB > 0) parts.push(`disk=${formatGB(r.diskGB)}`);
  const gpu = r.gpus[0];
  if (gpu) parts.push(`gpu=${gpu.name}${gpu.memoryGB > 0 ? `:${formatGB(gpu.memoryGB)}` : ''}:${r.gpus.length}`);
  let out = parts.join(' ');
  if (includeSpot && r.spot) out += ' (spot)';
  return out;
}

/** The BACKEND cell: `aws (us-east-1)`; SSH fleets (`remote`) print as `ssh`. */
export function formatBackendRegion(offer: Pick<Offer, 'backend' | 'region'>): string {
  return `${displayBackend(offer.backend)} (${offer.region})`;
}

/** A backend id as dstack prints it (`remote` → `ssh`). */
export function displayBackend(backend: string): string {
  return backend === 'remote' ? 'ssh' : backend;
}
