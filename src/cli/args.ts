// A small, strict argv parser: known flags only, repeated options collected, clear errors.
import { UsageError } from './command';

export interface FlagSpec {
  /** Long name without dashes, e.g. `json`. */
  name: string;
  short?: string;
  /** `boolean` flags take no value; `string` take one; `multi` may repeat and collect values. */
  kind: 'boolean' | 'string' | 'multi';
}

export interface ParsedArgs {
  flags: Map<string, string | true | string[]>;
  positionals: string[];
}

/** Parses argv against the flag specs; unknown flags are a UsageError naming the flag. */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(`--${spec.name}`, spec);
    if (spec.short) byName.set(`-${spec.short}`, spec);
  }
  const flags = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`unknown option ${key}`);
    if (spec.kind === 'boolean') {
      if (eq > 0) throw new UsageError(`option ${key} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new UsageError(`option ${key} needs a value`);
    if (spec.kind === 'string') flags.set(spec.name, value);
    else {
      const prev = flags.get(spec.name);
      flags.set(spec.name, Array.isArray(prev) ? [...prev, value] : [value]);
    }
  }
  return { flags, positionals };
}

/** The value of a boolean flag. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

/** The value of a single-valued flag, or undefined. */
export function option(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** All values of a repeatable flag. */
export function options(args: ParsedArgs, name: string): string[] {
  const v = args.flags.get(name);
  return Array.isArray(v) ? v : [];
}
