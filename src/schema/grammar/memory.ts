// Memory sizes (GB, 1024 steps) and ranges (`24GB..`, `..80GB`, `1..2`, `{min, max}`), as dstack's resources.py.
import type { Range } from '../model';
import { GrammarError, formatNumber } from './grammar-error';

const PY_FLOAT_RE = /^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/;

function pyFloat(s: string): number {
  if (!PY_FLOAT_RE.test(s)) throw new GrammarError(`could not convert string to float: '${s}'`);
  return Number(s.replace(/_/g, ''));
}

/** A memory size in GB: `"24GB"`, `"512MB"` (0.5), `"1TB"` (1024), `16`; `GiB` is not accepted. */
export function parseMemory(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') throw new GrammarError(`could not convert string to float: '${String(v)}'`);
  const s = v.replace(/\s+/g, '').toLowerCase();
  if (s.endsWith('tb')) return pyFloat(s.slice(0, -2)) * 1024;
  if (s.endsWith('gb')) return pyFloat(s.slice(0, -2));
  if (s.endsWith('mb')) return pyFloat(s.slice(0, -2)) / 1024;
  return pyFloat(s);
}

/** A whole number as pydantic accepts it for `int`: an integer, an integral float, or a decimal string. */
export function parseInteger(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
  throw new GrammarError(`Input should be a valid integer, unable to parse ${typeof v === 'string' ? `string "${v}"` : String(v)}`);
}

function parseRange(v: unknown, parseSide: (x: unknown) => number): Range {
  let range: Range;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'min' && key !== 'max') throw new GrammarError(`Unknown range key \`${key}\`: a range object has only \`min\` and \`max\``);
    }
    range = { min: o['min'] == null ? null : parseSide(o['min']), max: o['max'] == null ? null : parseSide(o['max']) };
  } else if (typeof v === 'string' && v.includes('..')) {
    const s = v.replace(/\s+/g, '');
    const parts = s.split('..');
    if (parts.length !== 2) throw new GrammarError(`Invalid range: ${v}`);
    const [lo, hi] = parts as [string, string];
    if (lo === '' && hi === '') throw new GrammarError(`Invalid empty range: ${s}`);
    range = { min: lo === '' ? null : parseSide(lo), max: hi === '' ? null : parseSide(hi) };
  } else if (typeof v === 'number' || typeof v === 'string') {
    const x = parseSide(v);
    range = { min: x, max: x };
  } else {
    throw new GrammarError(`Invalid range: expected a value like \`1..2\`, \`2..\`, \`..4\` or \`{min, max}\`, found ${Array.isArray(v) ? 'a list' : String(v)}`);
  }
  if (range.min !== null && range.max !== null && range.min > range.max) {
    throw new GrammarError(`Invalid range order: ${formatNumber(range.min)}..${formatNumber(range.max)}`);
  }
  return range;
}

/** A memory range in GB: `"24GB.."`, `"..80GB"`, `"16GB"` (= 16..16), `8`, `{min, max}`. */
export function parseMemoryRange(v: unknown): Range {
  return parseRange(v, parseMemory);
}

/** An integer range: `"1..2"`, `"2.."`, `"..4"`, `4` (= 4..4), `{min, max}`. */
export function parseIntRange(v: unknown): Range {
  return parseRange(v, parseInteger);
}

/** Renders a memory size as dstack prints it (`8GB`, `0.5GB`). */
export function formatMemory(gb: number): string {
  return `${formatNumber(gb)}GB`;
}

/** Renders a range: `min..max`, one value when min == max, open sides empty (`2..`, `..4`). */
export function formatRange(r: Range, unit: (n: number) => string = formatNumber): string {
  if (r.min !== null && r.min === r.max) return unit(r.min);
  return `${r.min === null ? '' : unit(r.min)}..${r.max === null ? '' : unit(r.max)}`;
}
