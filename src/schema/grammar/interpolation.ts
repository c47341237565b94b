// The `${{ namespace.name }}` engine (dstack's utils/interpolator.py): `$$` escapes, one-dot names, missing-name report.
import { GrammarError } from './grammar-error';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** A malformed `${{ }}` reference (illegal name or no closing `}}`). */
export class InterpolatorError extends GrammarError {
  override name = 'InterpolatorError';
}

/** The outcome of interpolating one string: the text and every `ns.name` that had no value. */
export interface InterpolationResult {
  result: string;
  missing: string[];
}

/** Values per namespace, e.g. `{env: {A: '1'}, secrets: {hf_token: 's'}}`. */
export type InterpolationNamespaces = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Walks `text`, calling `onRef(ns, name, raw)` for each reference; returns the text with `$$` unescaped and refs replaced. */
function scan(text: string, onRef: (ns: string, name: string, raw: string) => string): string {
  let result = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      result += text.slice(i);
      break;
    }
    result += text.slice(i, dollar);
    if (text.startsWith('$$', dollar)) {
      result += '$';
      i = dollar + 2;
    } else if (text.startsWith('${{', dollar)) {
      const close = text.indexOf('}}', dollar + 3);
      if (close < 0) throw new InterpolatorError(`No pattern closing: ${text.slice(dollar)}`);
      const ref = text.slice(dollar + 3, close).trim();
      if (!NAME_RE.test(ref)) throw new InterpolatorError(`Illegal reference name: ${ref}`);
      const dot = ref.indexOf('.');
      result += onRef(ref.slice(0, dot), ref.slice(dot + 1), text.slice(dollar, close + 2));
      i = close + 2;
    } else {
      result += '$';
      i = dollar + 1;
    }
  }
  return result;
}

/** Replaces `${{ ns.name }}` references; namespaces listed in `skip` are kept verbatim for a later stage. */
export function interpolate(text: string, namespaces: InterpolationNamespaces, skip: readonly string[] = []): InterpolationResult {
  const missing: string[] = [];
  const result = scan(text, (ns, name, raw) => {
    if (skip.includes(ns)) return raw;
    const values = namespaces[ns];
    const value = values && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    if (value === undefined) {
      missing.push(`${ns}.${name}`);
      return '';
    }
    return value;
  });
  return { result, missing };
}

/** Lists the `ns.name` references in a string without resolving them; throws InterpolatorError on bad syntax. */
export function interpolationReferences(text: string): string[] {
  const refs: string[] = [];
  if (!text.includes('$')) return refs;
  scan(text, (ns, name, raw) => {
    refs.push(`${ns}.${name}`);
    return raw;
  });
  return refs;
}
