// Values only the offer catalog knows: GPU names with their vendors and memory sizes, and regions per backend.
import { KNOWN_GPUS, catalogGpus, catalogRegions } from '../../backends/catalog';
import type { BackendId } from '../../backends/offer';
import { GPU_VENDOR_ALIASES } from '../grammar/resources';
import type { CandidateKind, CompletionCandidate, OffsetRange } from './candidate';

interface GpuFacts {
  name: string;
  vendor: string;
  memoryGB: number[];
  inCatalog: boolean;
}

let gpuFactsCache: GpuFacts[] | undefined;

/** Catalog GPUs first (they have offers), then the other known accelerators, one entry per name. */
export function gpuFacts(): GpuFacts[] {
  if (gpuFactsCache) return gpuFactsCache;
  const byName = new Map<string, GpuFacts>();
  for (const g of catalogGpus()) byName.set(g.name, { name: g.name, vendor: g.vendor, memoryGB: [...g.memoryGB], inCatalog: true });
  for (const g of KNOWN_GPUS) {
    const entry = byName.get(g.name);
    if (!entry) byName.set(g.name, { name: g.name, vendor: g.vendor, memoryGB: g.memoryGB > 0 ? [g.memoryGB] : [], inCatalog: false });
    else if (g.memoryGB > 0 && !entry.memoryGB.includes(g.memoryGB)) entry.memoryGB.push(g.memoryGB);
  }
  for (const e of byName.values()) e.memoryGB.sort((a, b) => a - b);
  gpuFactsCache = [...byName.values()].sort((a, b) => Number(b.inCatalog) - Number(a.inCatalog));
  return gpuFactsCache;
}

/** The facts of one GPU name (case-insensitive). */
export function gpuFactsOf(name: string): GpuFacts | undefined {
  const lower = name.toLowerCase();
  return gpuFacts().find((g) => g.name.toLowerCase() === lower);
}

type GpuPart = 'vendor' | 'name' | 'memory' | 'count';

function partOf(token: string): GpuPart | undefined {
  const t = token.trim();
  if (t === '') return undefined;
  if (GPU_VENDOR_ALIASES[t.toLowerCase()] !== undefined) return 'vendor';
  if (/^(\d+(\.\d+)?\s*(MB|GB|TB))?(\.\.)?(\d+(\.\d+)?\s*(MB|GB|TB))?$/i.test(t) && /[MGT]B/i.test(t)) return 'memory';
  if (/^(\d+)?(\.\.)?(\d+)?$/.test(t)) return 'count';
  return 'name';
}

/**
 * Candidates for the `resources.gpu` shorthand at its last `:`-separated token: vendors, names (comma lists too),
 * memory sizes (of the names already written, when any) and counts, skipping parts already given.
 */
export function gpuTokenCandidates(valueText: string, valueRange: OffsetRange, lead: string): CompletionCandidate[] {
  const tokenStart = Math.max(valueText.lastIndexOf(':'), valueText.lastIndexOf(',')) + 1;
  const range = { start: valueRange.start + tokenStart, end: valueRange.end };
  const done = valueText.slice(0, tokenStart).split(/[:]/).map((t) => t.trim()).filter(Boolean);
  const claimed = new Set(done.map((t) => partOf(t.split(',')[0] as string)));
  const inNameList = valueText.slice(0, tokenStart).endsWith(',');
  const names = done.flatMap((t) => (partOf(t.split(',')[0] as string) === 'name' ? t.split(',') : [])).map((n) => n.trim());
  const vendor = done.map((t) => GPU_VENDOR_ALIASES[t.toLowerCase()]).find((v) => v !== undefined);
  const out: CompletionCandidate[] = [];
  const add = (label: string, kind: CandidateKind, detail: string, doc: string, group: string) =>
    out.push({ label, kind, insertText: (tokenStart === 0 ? lead : '') + label, detail, documentation: doc, sortText: `${group}${String(out.length).padStart(3, '0')}`, range, source: 'catalog' });
  if (!inNameList && !claimed.has('vendor') && !claimed.has('name')) {
    for (const v of Object.keys(GPU_VENDOR_ALIASES)) add(v, 'enum', 'GPU vendor', `Any GPU by \`${GPU_VENDOR_ALIASES[v]}\`.`, '2');
  }
  if (inNameList || !claimed.has('name')) {
    for (const g of gpuFacts()) {
      if (vendor && g.vendor !== vendor) continue;
      if (names.some((n) => n.toLowerCase() === g.name.toLowerCase())) continue;
      const memory = g.memoryGB.map((m) => `${m}GB`).join(', ');
      add(g.name, 'gpu', `${g.vendor}${memory ? ` ${memory}` : ''}`, `**${g.name}** (${g.vendor})${memory ? `, ${memory} per GPU` : ''}${g.inCatalog ? '. In the offline offer catalog.' : '. Known accelerator (not in the offline catalog).'}`, g.inCatalog ? '0' : '1');
    }
  }
  if (inNameList) return out;
  if (!claimed.has('memory')) {
    const sizes = new Set<number>();
    const chosen = names.map(gpuFactsOf).filter((g): g is GpuFacts => g !== undefined);
    for (const g of chosen.length ? chosen : gpuFacts().filter((x) => x.inCatalog)) for (const m of g.memoryGB) sizes.add(m);
    for (const m of [...sizes].sort((a, b) => a - b)) add(`${m}GB`, 'value', 'GPU memory', `${m}GB per GPU.`, '3');
    if (chosen.length === 0) for (const m of [16, 24, 40, 80]) add(`${m}GB..`, 'value', 'GPU memory range', `At least ${m}GB per GPU.`, '3');
  }
  if (!claimed.has('count') && tokenStart > 0) {
    for (const c of ['1', '2', '4', '8', '1..']) add(c, 'value', 'GPU count', c === '1..' ? 'One or more GPUs.' : `${c} GPU(s).`, '4');
  }
  return out;
}

/** Regions of the chosen backends (all catalog backends when none chosen) from the offline catalog. */
export function regionCandidates(backends: readonly string[], range: OffsetRange, lead: string): CompletionCandidate[] {
  const catalogBackends: BackendId[] = ['aws'];
  const chosen = backends.length === 0 ? catalogBackends : catalogBackends.filter((b) => backends.includes(b));
  const out: CompletionCandidate[] = [];
  for (const backend of chosen) {
    for (const region of catalogRegions(backend)) {
      out.push({ label: region, kind: 'region', insertText: lead + region, detail: `${backend} region`, documentation: `A region of \`${backend}\` with prices in the offline catalog.`, sortText: String(out.length).padStart(3, '0'), range, source: 'catalog' });
    }
  }
  return out;
}
