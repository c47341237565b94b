// validateText: YAML → type dispatch → ajv structure check → field-table walk (grammar + normalization) → rules.
import { parseAllDocuments, type Document, type DocumentOptions, type ParseOptions, type ScalarTag, type SchemaOptions, isMap, isPair, isScalar } from 'yaml';
import type { DiagnosticCode, FieldPath, Issue } from './diagnostics';
import { formatPath } from './diagnostics';
import { CONFIGURATION_TYPE_NAMES, CONFIGURATION_TYPES, isConfigurationType } from './fields';
import { CheckContext, INVALID } from './fields/types';
import { schemaErrors } from './schema-errors';
import type { Configuration, ConfigurationType } from './model';
import { applyRules } from './rules';
import { LineIndex, locate, nodeRange } from './source-map';
import { didYouMean } from './suggest';

/** One problem in a configuration file, with its source range. */
export interface SchemaDiagnostic {
  /** 1-based. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** 0-based offsets into the text. */
  offset: number;
  endOffset: number;
  /** Field path like `resources.gpu`, `env[2]`; empty for the whole file. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
  code: DiagnosticCode;
}

/** The outcome of validating one file: its type, the normalized configuration (null when invalid) and diagnostics. */
export interface ValidationResult {
  type: ConfigurationType | null;
  configuration: Configuration | null;
  diagnostics: SchemaDiagnostic[];
}

/** PyYAML (`yaml.safe_load`, YAML 1.1) also reads yes/no/on/off as booleans: `docker: yes` is `true` for dstack. */
const YAML11_BOOL: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  identify: (v) => typeof v === 'boolean',
  test: /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (s) => /^(?:yes|on)$/i.test(s),
};

const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.2', merge: true, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false, logLevel: 'silent', customTags: [YAML11_BOOL] };

class Reporter {
  readonly diagnostics: SchemaDiagnostic[] = [];
  private readonly lines: LineIndex;
  constructor(private readonly text: string) {
    this.lines = new LineIndex(text);
  }
  at(start: number, end: number, path: string, code: DiagnosticCode, message: string, severity: 'error' | 'warning'): void {
    const offset = Math.max(0, Math.min(start, this.text.length));
    const endOffset = Math.max(offset, Math.min(end, this.text.length));
    const a = this.lines.position(offset);
    const b = this.lines.position(endOffset);
    this.diagnostics.push({ line: a.line, column: a.column, endLine: b.line, endColumn: b.column, offset, endOffset, path, message, severity, code });
  }
  issue(doc: Document, issue: Issue): void {
    const { node, key } = locate(doc, issue.path);
    let range = nodeRange(issue.target === 'key' && key ? key : node);
    if (issue.target === 'key' && !key && issue.path.length === 0) range = firstKeyRange(doc);
    const [s, e] = range ?? [0, 0];
    this.at(s, e, formatPath(issue.path), issue.code, issue.message, issue.severity);
  }
  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

function firstKeyRange(doc: Document): [number, number] | null {
  const c = doc.contents;
  if (isMap(c)) {
    const first = c.items[0];
    if (first && isPair(first)) return nodeRange(first.key as never);
  }
  return nodeRange(c as never);
}

function jsonPointerToPath(pointer: string): FieldPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function yamlCode(code: string): DiagnosticCode {
  return code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
}

/** Validates the text of a `.dstack.yml`; never throws. */
export function validateText(text: string, fileName?: string): ValidationResult {
  try {
    return validateUnsafe(typeof text === 'string' ? text : String(text));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      type: null,
      configuration: null,
      diagnostics: [{ line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0, path: '', message: `Internal error while validating ${fileName ?? 'the file'}: ${message}`, severity: 'error', code: 'internal-error' }],
    };
  }
}

function validateUnsafe(text: string): ValidationResult {
  const out = new Reporter(text);
  const fail = (type: ConfigurationType | null = null): ValidationResult => ({ type, configuration: null, diagnostics: out.diagnostics });
  const docs = parseAllDocuments(text, YAML_OPTIONS);
  const all = Array.isArray(docs) ? docs : [];
  const doc = all[0];
  const extra = all[1];
  if (extra) {
    out.at(extra.range[0], extra.range[0], '', 'extra-document', 'Only the first YAML document is used: dstack reads one configuration per file; move the others to their own files.', 'warning');
  }
  if (!doc || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    for (const err of doc?.errors ?? []) out.at(err.pos[0], err.pos[1], '', yamlCode(err.code), err.message.split('\n')[0] ?? err.message, 'error');
    if (!out.hasErrors) out.at(0, 0, '', 'empty-file', 'The file is empty: a configuration needs at least `type` (e.g. `type: dev-environment`).', 'error');
    return fail();
  }
  let fatal = false;
  for (const err of doc.errors) {
    const code = yamlCode(err.code);
    const message = code === 'duplicate-key' ? 'Duplicate key: dstack keeps only the last value; remove one of them.' : (err.message.split('\n')[0] ?? err.message);
    out.at(err.pos[0], err.pos[1], '', code, message, code === 'duplicate-key' ? 'warning' : 'error');
    if (code !== 'duplicate-key') fatal = true;
  }
  for (const w of doc.warnings) out.at(w.pos[0], w.pos[1], '', 'yaml-warning', w.message.split('\n')[0] ?? w.message, 'warning');
  if (fatal) return fail();
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    const r = nodeRange(doc.contents as never) ?? [0, 0];
    const message = e instanceof Error ? e.message : String(e);
    out.at(r[0], r[0], '', 'yaml-syntax', `The YAML cannot be read: ${message}`, 'error');
    return fail();
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const r = nodeRange(doc.contents as never) ?? [0, 0];
    out.at(r[0], r[1], '', 'not-a-mapping', 'A configuration must be a mapping of fields (`type: dev-environment`, `ide: vscode`, ...).', 'error');
    return fail();
  }
  const obj = data as Record<string, unknown>;
  const rawType = obj['type'];
  if (rawType === undefined || rawType === null) {
    out.issue(doc, { path: [], code: 'missing-type', message: `Missing \`type\`: add one of ${CONFIGURATION_TYPE_NAMES.map((t) => `\`${t}\``).join(', ')}.`, severity: 'error', target: 'key' });
    return fail();
  }
  if (!isConfigurationType(rawType)) {
    const found = typeof rawType === 'string' ? `\`${rawType}\`` : String(rawType);
    out.issue(doc, { path: ['type'], code: 'unknown-type', message: `Unknown \`type\` ${found}: allowed ${CONFIGURATION_TYPE_NAMES.map((t) => `\`${t}\``).join(', ')}.${typeof rawType === 'string' ? didYouMean(rawType, CONFIGURATION_TYPE_NAMES) : ''}`, severity: 'error' });
    return fail();
  }
  const type = rawType;
  const ctx = new CheckContext();
  const normalized = CONFIGURATION_TYPES[type].check(obj, [], ctx);
  if (normalized !== INVALID) applyRules(type, normalized as Record<string, unknown>, ctx);
  for (const issue of ctx.issues) out.issue(doc, issue);
  const ajvErrors = schemaErrors(type, obj);
  if (ajvErrors.length > 0 && !out.hasErrors) {
    for (const err of ajvErrors.slice(0, 5)) {
      out.issue(doc, { path: jsonPointerToPath(err.instancePath), code: 'schema', message: `Does not match the configuration schema: ${err.message ?? 'invalid value'}.`, severity: 'error' });
    }
  }
  if (out.hasErrors || normalized === INVALID) return fail(type);
  return { type, configuration: finish(type, normalized as Record<string, unknown>), diagnostics: out.diagnostics };
}

const RUN_TYPES: ReadonlySet<ConfigurationType> = new Set(['dev-environment', 'task', 'service']);

function finish(type: ConfigurationType, c: Record<string, unknown>): Configuration {
  if (RUN_TYPES.has(type)) {
    if (c['env'] === undefined) c['env'] = {};
    if (c['resources'] === undefined) c['resources'] = CONFIGURATION_TYPES[type].fields?.()['resources']?.type.check({}, [], new CheckContext());
  } else if (type === 'fleet' && c['env'] === undefined) c['env'] = {};
  c['type'] = type;
  return c as unknown as Configuration;
}
