// The declarative field-table DSL: each value type knows its JSON Schema, its human description, and how to
// check + normalize a parsed YAML value (collecting issues with field paths instead of throwing).
import type { DiagnosticCode, FieldPath, Issue } from '../diagnostics';
import { GrammarError, describeValue } from '../grammar/grammar-error';
import { didYouMean } from '../suggest';

/** A JSON Schema fragment (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

/** Marks a value that failed its check (an issue was recorded). */
export const INVALID: unique symbol = Symbol('invalid');
/** What a check returns: the normalized value, or INVALID. */
export type Checked = unknown;

/** Collects issues during one validation. */
export class CheckContext {
  readonly issues: Issue[] = [];
  /** Records an error at `path`. */
  error(path: FieldPath, code: DiagnosticCode, message: string, target: 'key' | 'value' = 'value'): typeof INVALID {
    this.issues.push({ path, code, message, severity: 'error', target });
    return INVALID;
  }
  /** Records a warning at `path`. */
  warn(path: FieldPath, code: DiagnosticCode, message: string): void {
    this.issues.push({ path, code, message, severity: 'warning', target: 'value' });
  }
}

/** JSON-ish kinds, used to pick a union branch and to describe what was found. */
export type ValueKind = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** The kind of a parsed YAML value. */
export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'object';
}

/** A value type of the field table. */
export interface ValueType {
  /** Short name for docs and completion (`string`, `duration`, `resources`, `list of ports`). */
  readonly label: string;
  /** What is allowed, in words, for messages and hover (`a duration like \`2h\``). */
  readonly expect: string;
  /** The kinds of YAML value this type accepts before grammar checks (for union dispatch). */
  readonly accepts: readonly ValueKind[];
  /** The JSON Schema of accepted inputs (object types return a `$ref`). */
  schema(defs: Map<string, JsonSchema>): JsonSchema;
  /** Checks and normalizes `v` found at `path`. */
  check(v: unknown, path: FieldPath, ctx: CheckContext): Checked;
  /** Enum values, for completion. */
  readonly enumValues?: readonly string[];
  /** Object fields, for completion and hover. */
  readonly fields?: () => FieldTable;
  /** List item type. */
  readonly items?: ValueType;
  /** Union branches. */
  readonly branches?: readonly ValueType[];
}

/** One property of a configuration type. */
export interface FieldSpec {
  readonly type: ValueType;
  /** Documentation shown on hover. */
  readonly doc: string;
  /** dstack's default when omitted (informational; normalization keeps only set fields). */
  readonly default?: unknown;
  /** An example value for completion snippets. */
  readonly example?: unknown;
  /** Whether a running dev environment can take a change of this field in place. */
  readonly updatable?: boolean;
  readonly required?: boolean;
  /** Why the field is deprecated, if it is. */
  readonly deprecated?: string;
}

/** The fields of one object type, in declaration order. */
export type FieldTable = Readonly<Record<string, FieldSpec>>;

function wrongType(path: FieldPath, ctx: CheckContext, t: ValueType, v: unknown): typeof INVALID {
  return ctx.error(path, 'wrong-type', `Expected ${t.expect}, found ${describeValue(v)}.`);
}

function fieldName(path: FieldPath): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return `\`${String(path[i])}\``;
  return 'The value';
}

/** A string; numbers are coerced to strings (dstack's `coerce_numbers_to_str`). */
export function str(opts: { pattern?: string; minLength?: number; maxLength?: number; check?: (s: string) => void; expect?: string } = {}): ValueType {
  const re = opts.pattern === undefined ? null : new RegExp(opts.pattern);
  const t: ValueType = {
    label: 'string',
    expect: opts.expect ?? 'a string',
    accepts: ['string', 'integer', 'number'],
    schema: () => {
      const s: JsonSchema = { type: ['string', 'number'] };
      if (opts.pattern !== undefined) s['pattern'] = opts.pattern;
      if (opts.minLength !== undefined) s['minLength'] = opts.minLength;
      if (opts.maxLength !== undefined) s['maxLength'] = opts.maxLength;
      return s;
    },
    check(v, path, ctx) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) return wrongType(path, ctx, t, v);
      const s = typeof v === 'number' ? String(v) : v;
      if (re && !re.test(s)) return ctx.error(path, 'invalid-value', `${fieldName(path)}: ${JSON.stringify(s)} does not match ${opts.expect ?? `the pattern \`${opts.pattern}\``}.`);
      if (opts.minLength !== undefined && s.length < opts.minLength) return ctx.error(path, 'invalid-value', `${fieldName(path)} must have at least ${opts.minLength} character(s).`);
      if (opts.maxLength !== undefined && s.length > opts.maxLength) return ctx.error(path, 'invalid-value', `${fieldName(path)} must have at most ${opts.maxLength} characters.`);
      if (opts.check) {
        try {
          opts.check(s);
        } catch (e) {
          if (e instanceof GrammarError) return ctx.error(path, 'invalid-value', `${fieldName(path)}: ${e.message}`);
          throw e;
        }
      }
      return s;
    },
  };
  return t;
}

interface NumberOpts {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

function numeric(integer: boolean, opts: NumberOpts): ValueType {
  const t: ValueType = {
    label: integer ? 'integer' : 'number',
    expect: `${integer ? 'an integer' : 'a number'}${rangeText(opts)}`,
    accepts: integer ? ['integer'] : ['integer', 'number'],
    schema: () => ({ type: integer ? 'integer' : 'number', ...opts }),
    check(v, path, ctx) {
      if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) return wrongType(path, ctx, t, v);
      if (opts.minimum !== undefined && v < opts.minimum) return ctx.error(path, 'out-of-range', `${fieldName(path)} must be greater than or equal to ${opts.minimum}, found ${v}.`);
      if (opts.exclusiveMinimum !== undefined && v <= opts.exclusiveMinimum) return ctx.error(path, 'out-of-range', `${fieldName(path)} must be greater than ${opts.exclusiveMinimum}, found ${v}.`);
      if (opts.maximum !== undefined && v > opts.maximum) return ctx.error(path, 'out-of-range', `${fieldName(path)} must be less than or equal to ${opts.maximum}, found ${v}.`);
      return v;
    },
  };
  return t;
}

function rangeText(o: NumberOpts): string {
  const lo = o.minimum !== undefined ? `>= ${o.minimum}` : o.exclusiveMinimum !== undefined ? `> ${o.exclusiveMinimum}` : '';
  const hi = o.maximum !== undefined ? `<= ${o.maximum}` : '';
  return lo || hi ? ` (${[lo, hi].filter(Boolean).join(', ')})` : '';
}

/** An integer, optionally bounded. */
export function int(opts: NumberOpts = {}): ValueType {
  return numeric(true, opts);
}

/** A number, optionally bounded. */
export function num(opts: NumberOpts = {}): ValueType {
  return numeric(false, opts);
}

/** `true` or `false`. */
export const bool: ValueType = {
  label: 'boolean',
  expect: '`true` or `false`',
  accepts: ['boolean'],
  schema: () => ({ type: 'boolean' }),
  check(v, path, ctx) {
    return typeof v === 'boolean' ? v : wrongType(path, ctx, bool, v);
  },
};

/** Any value (kept as is). */
export const anyValue: ValueType = {
  label: 'any',
  expect: 'any value',
  accepts: ['string', 'number', 'integer', 'boolean', 'null', 'array', 'object'],
  schema: () => ({}),
  check: (v) => v,
};

/** One of a closed set of strings. */
export function enumOf(values: readonly string[], label = 'enum'): ValueType {
  const set = new Set(values);
  const t: ValueType = {
    label,
    expect: `one of ${values.map((x) => `\`${x}\``).join(', ')}`,
    accepts: ['string'],
    enumValues: values,
    schema: () => (values.length === 1 ? { type: 'string', const: values[0] } : { type: 'string', enum: [...values] }),
    check(v, path, ctx) {
      if (typeof v === 'string' && set.has(v)) return v;
      if (typeof v !== 'string') return wrongType(path, ctx, t, v);
      return ctx.error(path, 'invalid-enum', `${fieldName(path)} must be ${t.expect}, found ${describeValue(v)}.${didYouMean(v, values)}`);
    },
  };
  return t;
}

/** A list of `item`. */
export function list(item: ValueType, opts: { minItems?: number; maxItems?: number; tooFew?: string } = {}): ValueType {
  const { tooFew, ...bounds } = opts;
  const t: ValueType = {
    label: `list of ${item.label}`,
    expect: `a list of ${item.label}s`,
    accepts: ['array'],
    items: item,
    schema: (defs) => ({ type: 'array', items: item.schema(defs), ...bounds }),
    check(v, path, ctx) {
      if (!Array.isArray(v)) return wrongType(path, ctx, t, v);
      if (opts.minItems !== undefined && v.length < opts.minItems) return ctx.error(path, 'invalid-value', tooFew ?? `${fieldName(path)} needs at least ${opts.minItems} item(s), found ${v.length}.`);
      if (opts.maxItems !== undefined && v.length > opts.maxItems) return ctx.error(path, 'invalid-value', `${fieldName(path)} allows at most ${opts.maxItems} item(s), found ${v.length}.`);
      let ok = true;
      const out = v.map((x, i) => {
        const r = item.check(x, [...path, i], ctx);
        if (r === INVALID) ok = false;
        return r;
      });
      return ok ? out : INVALID;
    },
  };
  return t;
}

/** A mapping from string keys to `value`. */
export function map(value: ValueType, opts: { checkEntry?: (key: string, value: string) => void } = {}): ValueType {
  const t: ValueType = {
    label: `mapping`,
    expect: `a mapping of ${value.label}s`,
    accepts: ['object'],
    schema: (defs) => ({ type: 'object', additionalProperties: value.schema(defs) }),
    check(v, path, ctx) {
      if (kindOf(v) !== 'object') return wrongType(path, ctx, t, v);
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const r = value.check(x, [...path, k], ctx);
        if (r === INVALID) {
          ok = false;
          continue;
        }
        if (opts.checkEntry) {
          try {
            opts.checkEntry(k, String(r));
          } catch (e) {
            if (!(e instanceof GrammarError)) throw e;
            ctx.error([...path, k], 'invalid-value', e.message, 'key');
            ok = false;
          }
        }
        out[k] = r;
      }
      return ok ? out : INVALID;
    },
  };
  return t;
}

/** Accepts `null` besides `inner` (dstack's `Optional[...]`). */
export function nullable(inner: ValueType): ValueType {
  return {
    ...inner,
    expect: inner.expect,
    accepts: [...inner.accepts, 'null'],
    schema: (defs) => {
      const s = inner.schema(defs);
      return { anyOf: [s, { type: 'null' }] };
    },
    check: (v, path, ctx) => (v === null || v === undefined ? null : inner.check(v, path, ctx)),
  };
}

/** An object type with a fixed field table; registered under `name` in the JSON Schema `$defs`. */
export function obj(
  name: string,
  fields: () => FieldTable,
  opts: { label?: string; expect?: string; normalize?: (o: Record<string, unknown>, path: FieldPath, ctx: CheckContext) => unknown } = {},
): ValueType {
  let cached: FieldTable | undefined;
  const table = () => (cached ??= fields());
  const t: ValueType = {
    label: opts.label ?? name,
    expect: opts.expect ?? `a mapping (${name})`,
    accepts: ['object'],
    fields: table,
    schema(defs) {
      if (!defs.has(name)) {
        defs.set(name, {});
        const properties: Record<string, JsonSchema> = {};
        const required: string[] = [];
        for (const [key, spec] of Object.entries(table())) {
          const p: JsonSchema = { ...spec.type.schema(defs), description: spec.doc };
          if (spec.default !== undefined) p['default'] = spec.default;
          if (spec.example !== undefined) p['examples'] = [spec.example];
          if (spec.deprecated !== undefined) p['deprecated'] = true;
          if (spec.updatable) p['x-dstack-updatable'] = true;
          properties[key] = p;
          if (spec.required) required.push(key);
        }
        const s: JsonSchema = { type: 'object', title: name, additionalProperties: false, properties };
        if (required.length) s['required'] = required;
        defs.set(name, s);
      }
      return { $ref: `#/$defs/${name}` };
    },
    check(v, path, ctx) {
      if (kindOf(v) !== 'object') return wrongType(path, ctx, t, v);
      const o = v as Record<string, unknown>;
      const spec = table();
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const key of Object.keys(o)) {
        const field = spec[key];
        if (!field) {
          ctx.error([...path, key], 'unknown-field', `Unknown field \`${key}\`${path.length ? ` in \`${String(path[path.length - 1])}\`` : ''}: extra inputs are not permitted.${didYouMean(key, Object.keys(spec))}`, 'key');
          ok = false;
          continue;
        }
        const r = field.type.check(o[key], [...path, key], ctx);
        if (r === INVALID) ok = false;
        else out[key] = r;
        if (field.deprecated !== undefined) ctx.warn([...path, key], 'invalid-value', `\`${key}\` is deprecated: ${field.deprecated}`);
      }
      for (const [key, field] of Object.entries(spec)) {
        if (field.required && !(key in o)) {
          ctx.error(path, 'missing-field', `Missing required field \`${key}\`${path.length ? ` in \`${String(path[path.length - 1])}\`` : ''} (${field.type.expect}).`, 'key');
          ok = false;
        }
      }
      if (!ok) return INVALID;
      return opts.normalize ? opts.normalize(out, path, ctx) : out;
    },
  };
  return t;
}

/** One of several types; the branch is chosen by the value's kind (then by which branch checks cleanly). */
export function union(label: string, expect: string, branches: readonly ValueType[]): ValueType {
  const t: ValueType = {
    label,
    expect,
    branches,
    accepts: [...new Set(branches.flatMap((b) => b.accepts))],
    schema: (defs) => ({ anyOf: branches.map((b) => b.schema(defs)) }),
    check(v, path, ctx) {
      const kind = kindOf(v);
      const candidates = branches.filter((b) => b.accepts.includes(kind) || (kind === 'integer' && b.accepts.includes('number')));
      if (candidates.length === 0) return wrongType(path, ctx, t, v);
      if (candidates.length === 1) return (candidates[0] as ValueType).check(v, path, ctx);
      let best: CheckContext | undefined;
      for (const b of candidates) {
        const scratch = new CheckContext();
        const r = b.check(v, path, scratch);
        if (r !== INVALID && !scratch.issues.some((i) => i.severity === 'error')) {
          ctx.issues.push(...scratch.issues);
          return r;
        }
        if (!best || scratch.issues.length < best.issues.length) best = scratch;
      }
      ctx.issues.push(...(best as CheckContext).issues);
      return INVALID;
    },
  };
  return t;
}

/** A value with its own grammar (durations, memory, resources, ...): `parse` normalizes or throws GrammarError. */
export function grammar(
  label: string,
  expect: string,
  accepts: readonly ValueKind[],
  schema: JsonSchema | ((defs: Map<string, JsonSchema>) => JsonSchema),
  parse: (v: unknown, path: FieldPath, ctx: CheckContext) => unknown,
  extra: Partial<Pick<ValueType, 'fields' | 'enumValues'>> = {},
): ValueType {
  const t: ValueType = {
    label,
    expect,
    accepts,
    ...extra,
    schema: (defs) => (typeof schema === 'function' ? schema(defs) : schema),
    check(v, path, ctx) {
      const kind = kindOf(v);
      if (!accepts.includes(kind) && !(kind === 'integer' && accepts.includes('number'))) return wrongType(path, ctx, t, v);
      try {
        return parse(v, path, ctx);
      } catch (e) {
        if (e instanceof GrammarError) return ctx.error(path, 'invalid-value', `Invalid ${fieldName(path)}: ${e.message}. Expected ${expect}.`);
        throw e;
      }
    },
  };
  return t;
}

/** Shorthand for a field spec. */
export function field(type: ValueType, doc: string, extra: Omit<FieldSpec, 'type' | 'doc'> = {}): FieldSpec {
  return { type, doc, ...extra };
}
