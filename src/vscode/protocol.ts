// The one typed message protocol between the extension and the offers webview (both sides import it).
// The webview says `ready` first; the extension posts nothing before, and resends the plan on every `ready`.

/** One offer row as the picker shows it (numbers stay numbers so columns sort correctly). */
export interface OfferRow {
  /** Index in the plan's offer list: what `choose` sends back. */
  index: number;
  backend: string;
  region: string;
  instanceType: string;
  /** dstack's pretty resources, e.g. `2xCPU, 8GB, 1xA10G (24GB), 100.0GB (disk)`. */
  resources: string;
  spot: boolean;
  pricePerHour: number;
  availability: string;
  /** price × inactivity_duration in dollars; null when the configuration sets no inactivity_duration. */
  projectedCost: number | null;
}

/** The code upload planned for an apply (checked against the limit before anything is provisioned). */
export interface UploadView {
  /** One line: files, size against the limit, the folder, and what was left out and why. */
  summary: string;
  /** The folder uploaded (the git work tree around the configuration, else its folder). */
  root: string;
  fileCount: number;
  /** Bytes of the archive. */
  archiveSize: number;
  /** The limit in bytes (0 = none). */
  limit: number;
  /** Paths left out (.gitignore, .dstackignore, ...). */
  excluded: number;
}

/** A plan the picker shows: the offers of one apply. */
export interface PlanView {
  /** Unique per apply, so a stale `choose` is recognised. */
  id: string;
  /** The configuration file name. */
  file: string;
  runName: string | null;
  /** Seconds, or null when auto-stop is off. */
  inactivityDuration: number | null;
  offers: OfferRow[];
  /** Offers that matched before the try limit. */
  total: number;
  /** The code upload that goes with the run; null when none goes. */
  upload: UploadView | null;
}

/** A run's provisioning as the picker shows it under the table. */
export interface ProvisioningView {
  run: string;
  /** A short line, e.g. `provisioning (offer 2 of 5)` or `running`. */
  text: string;
}

/** Messages the extension posts to the webview. */
export type ExtensionToWebview =
  | { type: 'plan'; plan: PlanView | null }
  | { type: 'provisioning'; planId: string; status: ProvisioningView };

/** Messages the webview posts to the extension. */
export type WebviewToExtension =
  | { type: 'ready' }
  | { type: 'choose'; planId: string; index: number };

/** What the webview keeps with vscode.setState so a hidden and shown view comes back as it was. */
export interface PickerState {
  plan: PlanView | null;
  sort: { column: OfferColumn; descending: boolean };
  filter: string;
  status: ProvisioningView | null;
}

/** Sortable columns of the picker. */
export type OfferColumn = 'backend' | 'region' | 'resources' | 'spot' | 'pricePerHour' | 'availability' | 'projectedCost';

/** Every column, in display order, with its header. */
export const OFFER_COLUMNS: readonly { column: OfferColumn; header: string }[] = [
  { column: 'backend', header: 'Backend' },
  { column: 'region', header: 'Region' },
  { column: 'resources', header: 'Resources' },
  { column: 'spot', header: 'Spot' },
  { column: 'pricePerHour', header: '$/h' },
  { column: 'availability', header: 'Availability' },
  { column: 'projectedCost', header: 'Until auto-stop' },
];

/** True for a well-formed message from the webview (the extension checks before acting). */
export function isWebviewMessage(value: unknown): value is WebviewToExtension {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m['type'] === 'ready') return true;
  return m['type'] === 'choose' && typeof m['planId'] === 'string' && Number.isInteger(m['index']);
}

/** Sorts offer rows by a column (stable; nulls last), without changing the input. */
export function sortOffers(rows: readonly OfferRow[], column: OfferColumn, descending: boolean): OfferRow[] {
  const key = (r: OfferRow): string | number | null => {
    const v = r[column];
    return typeof v === 'boolean' ? Number(v) : v;
  };
  return rows.map((r, i) => ({ r, i })).sort((a, b) => {
    const x = key(a.r);
    const y = key(b.r);
    if (x === null || y === null) return x === y ? a.i - b.i : x === null ? 1 : -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (descending ? -c : c) || a.i - b.i;
  }).map((e) => e.r);
}

/** Keeps rows where every word of the filter appears in some column (case-insensitive). */
export function filterOffers(rows: readonly OfferRow[], filter: string): OfferRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const text = `${r.backend} ${r.region} ${r.instanceType} ${r.resources} ${r.spot ? 'spot' : 'on-demand'} ${r.availability}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** `$1.2345` style money for prices and costs; `-` for null. */
export function formatDollars(value: number | null): string {
  if (value === null) return '-';
  return `$${value < 10 ? value.toFixed(4).replace(/0{1,2}$/, '') : value.toFixed(2)}`;
}
