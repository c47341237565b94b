// The single error type every grammar parser throws: a user-facing message, no stack needed by callers.

/** A value did not match its grammar (duration, memory, range, resources, ...); `message` says what and why. */
export class GrammarError extends Error {
  override name = 'GrammarError';
}

/** Describes a value the way a user wrote it, for messages (`"2H"`, `true`, `a list`). */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** Formats a number like Python's `{:g}` for the values we print (no trailing `.0`, no exponent below 1e16). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}
