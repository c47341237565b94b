// dstack's `offer` / plan output: the header rows, the offers table, the "Shown N of M" footer and the GPU table.
import type { Offer } from '../../backends/offer';
import {
  displayBackend, formatBackendRegion, formatMaxPrice, formatPrice, prettyOfferResources, type GpuGroup,
} from '../../orchestrator/offers';
import { renderTable, type TableColumn } from './table';

/** Printed after the offers (before them when fewer than 3 matched) while fleets are not considered. */
export const FLEET_HINT = 'Hint: Existing fleets are ignored, and all available offers are shown. To filter by fleet, pass --fleet NAME.';

/** dstack's NO_OFFERS_WARNING. */
export const NO_OFFERS_WARNING = 'No matching instance offers available. Possible reasons: https://dstack.ai/docs/guides/troubleshooting/#no-offers';

/** Header rows of `dstack offer` (Project, Resources, Spot policy, Max price), then a blank line. */
export function renderPropsTable(rows: readonly (readonly [string, string])[]): string {
  return renderTable([{ noWrap: true }, {}], rows, { showHeader: false }) + '\n';
}

/** The `Max price` row value: `off` when unset, else `$X` trimmed. */
export function formatMaxPriceSetting(maxPrice: number | null): string {
  return maxPrice === null ? 'off' : formatMaxPrice(maxPrice);
}

/** The AVAILABILITY cell: only the states dstack shows (`no quota`, `not available`, `idle`, `busy`). */
export function formatAvailability(offer: Pick<Offer, 'availability'>): string {
  switch (offer.availability) {
    case 'no_quota':
    case 'not_available':
    case 'idle':
    case 'busy':
      return offer.availability.replace('_', ' ');
    case 'available':
    case 'unknown':
      return '';
  }
}

/** The instance cell: the instance type, with `(blocks/total)` for shared SSH-fleet hosts. */
function instanceCell(offer: Offer): string {
  const total = offer.totalBlocks ?? 1;
  return total > 1 ? `${offer.instanceType} (${offer.blocks ?? 1}/${total})` : offer.instanceType;
}

/** The offers table (`#  BACKEND  RESOURCES  INSTANCE TYPE  PRICE`) and, when not all are shown, `...` and the footer. */
export function renderOffersTable(offers: readonly Offer[], total: number, maxPrice: number | null): string {
  const rows = offers.map((offer, i) => [
    String(i + 1), formatBackendRegion(offer), prettyOfferResources(offer.resources, true), instanceCell(offer),
    formatPrice(offer.pricePerHour), formatAvailability(offer),
  ]);
  if (total > offers.length) rows.push(['', '...']);
  let text = renderTable(
    [{ header: '#' }, { header: 'BACKEND' }, { header: 'RESOURCES' }, { header: 'INSTANCE TYPE', noWrap: true }, { header: 'PRICE' }, {}],
    rows,
  );
  if (total > offers.length) text += ` Shown ${offers.length} of ${total} offers, ${formatMaxPrice(maxPrice ?? 0)}max\n`;
  return text;
}

function trimPrice(usd: number): string {
  return formatPrice(usd).slice(1);
}

/** The `--group-by gpu[,...]` table: `#  GPU  SPOT  $/GPU  BACKENDS` (or BACKEND [REGION|REGIONS]) plus availability. */
export function renderGpuTable(groups: readonly GpuGroup[]): string {
  const single = groups.some((g) => g.backend);
  const singleRegion = groups.some((g) => g.region);
  const multiRegions = groups.some((g) => g.regions && g.regions.length > 0);
  const backendColumn = single ? 'BACKEND' : 'BACKENDS';
  const regionColumn = single && singleRegion ? 'REGION' : single && multiRegions ? 'REGIONS' : null;
  const rows = groups.map((g, i) => {
    const backendText = g.backend ? displayBackend(g.backend) : (g.backends ?? []).map(displayBackend).join(', ');
    let regionText = '';
    if (g.region) regionText = g.region;
    else if (g.regions && g.regions.length > 0) regionText = g.regions.length <= 3 ? g.regions.join(', ') : `${g.regions.length} regions`;
    const backendsDisplay = regionColumn ? backendText : regionText ? `${backendText} (${regionText})` : backendText;
    const count = g.count.min === g.count.max ? String(g.count.min) : `${g.count.min}..${g.count.max}`;
    const spot = ['spot', 'on-demand'].filter((s) => g.spot.includes(s as 'spot' | 'on-demand')).join(', ');
    const price = g.price.min === g.price.max ? trimPrice(g.price.min) : `${trimPrice(g.price.min)}..${trimPrice(g.price.max)}`;
    const anyAvailable = g.availability.some((a) => a === 'available' || a === 'unknown' || a === 'idle');
    const shown = anyAvailable ? undefined : g.availability.find((a) => a === 'not_available' || a === 'no_quota' || a === 'idle' || a === 'busy');
    const row = [String(i + 1), `${g.name}:${Math.floor(g.memoryGB)}GB:${count}`, spot, price, backendsDisplay];
    if (regionColumn) row.push(regionText);
    row.push(shown ? shown.replace('_', ' ') : '');
    return row;
  });
  const columns: TableColumn[] = [{ header: '#' }, { header: 'GPU', noWrap: true }, { header: 'SPOT' }, { header: '$/GPU' }, { header: backendColumn }];
  if (regionColumn) columns.push({ header: regionColumn });
  columns.push({});
  return renderTable(columns, rows);
}

/**
 * The whole plain output of `offer`: header rows, then the table and footer with the fleet hint after it (before it
 * when fewer than 3 offers matched), or NO_OFFERS_WARNING when none matched.
 */
export function renderOffersOutput(props: readonly (readonly [string, string])[], offers: readonly Offer[], total: number, maxPrice: number | null): string {
  let out = renderPropsTable(props);
  if (offers.length === 0) return `${out}${NO_OFFERS_WARNING}\n`;
  if (total < 3) return `${out}${FLEET_HINT}\n\n${renderOffersTable(offers, total, maxPrice)}`;
  out += renderOffersTable(offers, total, maxPrice);
  return `${out}\n${FLEET_HINT}\n`;
}
