// `env` as a list (`NAME`, `NAME=value`) or a map; value-less names become `{__unset__: NAME}` (dstack's envs.py).
import type { EnvValue } from '../model';
import { GrammarError } from './grammar-error';

const ENV_ITEM_RE = /^([a-zA-Z_][a-zA-Z0-9_]*)(=[\s\S]*$|$)/;

/** One bad entry of `env`: its list index or map key, and why. */
export class EnvItemError extends GrammarError {
  constructor(readonly index: number | string, message: string) {
    super(message);
  }
}

/** Normalizes `env` to a map; numbers become strings; throws EnvItemError for a bad list entry. */
export function parseEnv(v: unknown): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  if (v === null || v === undefined) return out;
  if (Array.isArray(v)) {
    v.forEach((item, index) => {
      const text = typeof item === 'number' ? String(item) : item;
      if (typeof text !== 'string') throw new EnvItemError(index, 'An env list entry must be a string `NAME` or `NAME=value`');
      const m = ENV_ITEM_RE.exec(text);
      if (!m) {
        throw new EnvItemError(index, `Invalid env entry ${JSON.stringify(text)}: expected \`NAME\` or \`NAME=value\`, where NAME starts with a letter or \`_\` and has only letters, digits and \`_\``);
      }
      const name = m[1] as string;
      if (Object.prototype.hasOwnProperty.call(out, name)) throw new EnvItemError(index, `Duplicate environment variable: ${name}`);
      const rest = m[2] as string;
      out[name] = rest === '' ? { __unset__: name } : rest.slice(1);
    });
    return out;
  }
  if (typeof v === 'object') {
    for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
      if (typeof value === 'string') out[name] = value;
      else if (typeof value === 'number' && Number.isFinite(value)) out[name] = String(value);
      else throw new EnvItemError(name, `env \`${name}\`: the value must be a string or a number, found ${value === null ? 'nothing (null)' : typeof value}; quote it (\`${name}: "${String(value)}"\`) or give it as a list entry \`${name}\` to take it from your environment`);
    }
    return out;
  }
  throw new GrammarError('`env` must be a list (`- NAME=value`) or a mapping (`NAME: value`)');
}

/** The env after resolving value-less entries, and the names that found no value. */
export interface ResolvedEnv {
  env: Record<string, string>;
  /** Names given without a value that neither `overrides` nor the process environment supplied. */
  missing: string[];
}

/**
 * dstack's apply-time env resolution: `-e NAME=value` overrides win, then value-less entries (`{__unset__}`) take
 * the local process environment; unresolved names are reported (`Environment variable NAME is not set`).
 */
export function resolveEnv(
  env: Readonly<Record<string, EnvValue>>,
  overrides: Readonly<Record<string, string>> = {},
  processEnv: Readonly<Record<string, string | undefined>> = {},
): ResolvedEnv {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries({ ...env, ...overrides })) {
    if (typeof value === 'string') out[name] = value;
    else {
      const fromProcess = processEnv[value.__unset__];
      if (fromProcess === undefined) missing.push(name);
      else out[name] = fromProcess;
    }
  }
  return { env: out, missing };
}
