// 5-field crontab expressions as APScheduler's `CronTrigger.from_crontab` accepts them (UTC, dow 0 = Monday).
import { GrammarError } from './grammar-error';

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day_of_week', min: 0, max: 6, names: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
];

function value(token: string, field: CronField, expr: string): number {
  const named = field.names?.indexOf(token.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(token)) throw new GrammarError(`Error validating expression '${expr}': unrecognized expression "${token}" for field "${field.name}"`);
  const n = Number(token);
  if (n > field.max) throw new GrammarError(`Error validating expression '${expr}': the last value (${n}) is higher than the maximum value (${field.max})`);
  if (n < field.min) throw new GrammarError(`Error validating expression '${expr}': the first value (${n}) is lower than the minimum value (${field.min})`);
  return n;
}

function checkField(expr: string, field: CronField): void {
  for (const part of expr.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new GrammarError(`Error validating expression '${part}': unrecognized expression for field "${field.name}"`);
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) throw new GrammarError(`Error validating expression '${part}': the step must be a positive integer`);
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) throw new GrammarError(`Error validating expression '${part}': unrecognized expression for field "${field.name}"`);
    const lo = value(bounds[0] as string, field, range);
    const hi = bounds.length === 2 ? value(bounds[1] as string, field, range) : lo;
    if (lo > hi) throw new GrammarError(`Error validating expression '${range}': the minimum value (${lo}) is higher than the maximum value (${hi})`);
  }
}

/** Checks one crontab line (`"0 8 * * mon-fri"`); throws GrammarError with APScheduler's wording. */
export function checkCron(expr: string): void {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new GrammarError(`Wrong number of fields; got ${parts.length}, expected 5`);
  parts.forEach((p, i) => checkField(p, FIELDS[i] as CronField));
}
