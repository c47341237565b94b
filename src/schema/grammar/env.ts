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
