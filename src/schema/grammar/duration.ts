// dstack's duration grammars (core/models/duration.py and profiles.py): strict, offable, idle, inactivity.
import { GrammarError } from './grammar-error';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION_RE = /^(\d+) *([smhdw])$/;
const PY_INT_RE = /^\s*[+-]?\d+(_\d+)*\s*$/;

/** Strict duration (`Duration.parse`): int seconds, `"90"`, or `<n><s|m|h|d|w>`; returns seconds. */
export function parseDuration(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new GrammarError(`Cannot parse the duration ${String(v)}`);
    return Math.trunc(v);
  }
  if (typeof v !== 'string') throw new GrammarError(`Cannot parse the duration ${String(v)}`);
  if (PY_INT_RE.test(v)) return Number(v.replace(/_/g, '').trim());
  const m = DURATION_RE.exec(v);
  if (!m) throw new GrammarError(`Cannot parse the duration ${v}`);
  return Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
}

/** `max_duration` / `stop_duration`: `"off"`/false → `"off"`, true/null → null, negatives rejected. */
export function parseOffDuration(v: unknown): number | 'off' | null {
  if (v === 'off' || v === false) return 'off';
  if (v === true || v === null || v === undefined) return null;
  const seconds = parseDuration(v);
  if (seconds < 0) throw new GrammarError('Duration cannot be negative');
  return seconds;
}

/** `idle_duration`: `"off"`/false/-1 → -1 (never), true/null → null, other negatives kept (legacy "never"). */
export function parseIdleDuration(v: unknown): number | null {
  if (v === 'off' || v === false) return -1;
  if (v === true || v === null || v === undefined) return null;
  return parseDuration(v);
}

/** Dev-environment `inactivity_duration`: `"off"`/false/true/null → null (feature off), else seconds ≥ 0. */
export function parseInactivityDuration(v: unknown): number | null {
  if (v === 'off' || v === false || v === true || v === null || v === undefined) return null;
  const seconds = parseDuration(v);
  if (seconds < 0) throw new GrammarError('Duration cannot be negative');
  return seconds;
}

const PRETTY_UNITS: [string, number][] = [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60]];

/** Plan-table duration: the largest unit that divides exactly (`5400` → `90m`, `7200` → `2h`). */
export function formatPrettyDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  for (const [unit, size] of PRETTY_UNITS) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** `ps -v` duration: every non-zero unit, largest first (`5400` → `1h 30m`, `154` → `2m 34s`). */
export function formatDurationMultiunit(seconds: number): string {
  if (seconds === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.trunc(seconds);
  for (const [unit, size] of PRETTY_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}s`);
  return parts.join(' ');
}
