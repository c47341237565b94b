// Completion for `.dstack.yml` at a text offset: keys valid at the cursor (not yet present), enum and example
// values, GPU tokens and regions from the offer catalog, `${{ env. }}` / `${{ secrets. }}` names. Works on
// half-typed, unparseable YAML: the context comes from lines and indentation only.
import { CONFIGURATION_TYPE_NAMES } from '../fields';
import type { FieldSpec, ValueType } from '../fields/types';
import { PYTHON_VERSIONS } from '../grammar/scalars';
import type { ConfigurationType } from '../model';
import type { CandidateKind, CandidateSource, CompletionCandidate, OffsetRange } from './candidate';
import { gpuTokenCandidates, regionCandidates } from './catalog-values';
import { fieldMarkdown } from './docs';
import { blockPathAt, collectSiblingsBelow, declaredType, lineAt, shapeOf, splitLines, topLevelItems, type Lines } from './yaml-lines';
import { acceptsBoolean, effectiveType, enumValuesOf, fieldsOf, isListType, isObjectType, itemsOf, specAt } from './value-types';
import { schemaOfferedValues } from './yaml-extension';

/** What the host knows that the file does not. */
export interface CompletionOptions {
  /** Secret names for `${{ secrets. }}` (names only, never values). */
  secrets?: readonly string[];
}

const DURATIONS = ['30m', '1h', '2h', '8h', '1d', '1w'];
const MEMORY_SIZES = ['8GB', '16GB', '32GB', '64GB', '16GB..', '32GB..', '64GB..'];
const DISK_SIZES = ['100GB..', '200GB..', '500GB..', '1TB..'];
const CPU_SPECS = ['2..', '4..', '8..', '16', 'x86:4..', 'arm:8..'];

/** Completion candidates at `offset` in `text`. */
export function completeAt(text: string, offset: number, options: CompletionOptions = {}): CompletionCandidate[] {
  const lines = splitLines(text);
  const at = Math.max(0, Math.min(offset, text.length));
  const row = lineAt(lines, at);
  const lineText = lines.text(row);
  const lineStart = lines.starts[row] as number;
  const col = Math.min(at - lineStart, lineText.length);
  const before = lineText.slice(0, col);
  const after = lineText.slice(col);
  const type = effectiveType(declaredType(lines));

  const interpolation = /\$\{\{\s*(env|secrets)\.([\w]*)$/.exec(before);
  if (interpolation) {
    const typed = interpolation[2] as string;
    const range = { start: at - typed.length, end: at + wordAfter(after, /^[\w]*/) };
    return interpolation[1] === 'env' ? envNameCandidates(lines, range) : secretCandidates(options.secrets ?? [], range);
  }
  const namespace = /\$\{\{\s*(\w*)$/.exec(before);
  if (namespace) {
    const typed = namespace[1] as string;
    const range = { start: at - typed.length, end: at + wordAfter(after, /^[\w]*/) };
    return ['env', 'secrets'].map((ns, i) => candidate(ns, 'variable', `${ns}.`, 'namespace', `\`\${{ ${ns}.NAME }}\``, `0${i}`, range, 'schema'));
  }

  const shape = shapeOf(before);
  if (shape.key === undefined) {
    if (/[:#]/.test(before.slice(shape.keyCol))) return [];
    const typed = before.slice(shape.keyCol);
    const lastDash = shape.dashes[shape.dashes.length - 1];
    const parent = lastDash === undefined ? blockPathAt(lines, row, shape.keyCol) : blockPathAt(lines, row, lastDash);
    const path = lastDash === undefined ? parent.path : [...parent.path, 0];
    const siblings = lastDash === undefined ? parent.siblings : new Set<string>();
    if (lastDash !== undefined) collectSiblingsBelow(lines, row, shape.keyCol, siblings);
    const range = { start: lineStart + shape.keyCol, end: at + wordAfter(after, /^[\w-]*/) };
    const keyFollows = /^[\w-]*\s*:/.test(after);
    // Snippet lines after the first get the line's own indentation from the editor; a key after `- ` needs more.
    const childIndent = ' '.repeat(shape.keyCol - shape.indent + 2);
    const out = keyCandidates(type, path, siblings, range, keyFollows, declaredType(lines) === undefined, childIndent);
    const target = specAt(type, path);
    if (lastDash !== undefined && target && !isObjectType(target.type)) {
      out.push(...valueCandidates(path, target.type, target.spec, typed, { start: lineStart + shape.keyCol, end: at + wordAfter(after, /^[^\s#]*/) }, lines, false));
    }
    return out;
  }

  const valueCol = shape.valueCol ?? col;
  const lastDash = shape.dashes[shape.dashes.length - 1];
  const parent = lastDash === undefined ? blockPathAt(lines, row, shape.keyCol) : blockPathAt(lines, row, lastDash);
  const path = [...parent.path, ...(lastDash === undefined ? [] : [0]), shape.key];
  const target = specAt(type, path);
  if (!target) return [];
  const valueText = before.slice(valueCol);
  const needsSpace = valueCol === col && before.endsWith(':');
  if (valueText.startsWith('[')) {
    const tokenStart = Math.max(valueText.lastIndexOf('['), valueText.lastIndexOf(',')) + 1;
    const lead = valueText.slice(tokenStart).length - valueText.slice(tokenStart).trimStart().length;
    const typed = valueText.slice(tokenStart + lead);
    const range = { start: lineStart + valueCol + tokenStart + lead, end: at + wordAfter(after, /^[^\s,\]#]*/) };
    const item = itemsOf(target.type);
    if (!item) return [];
    const present = new Set(valueText.slice(1).split(',').map((s) => s.trim()).filter(Boolean));
    return valueCandidates([...path, 0], item, target.spec, typed, range, lines, false).filter((c) => !present.has(c.label) || c.label === typed);
  }
  if (/^["']?\$\{\{/.test(valueText) || valueText.startsWith('{') || valueText.startsWith('|') || valueText.startsWith('>')) return [];
  const quote = /^["']/.test(valueText) ? 1 : 0;
  const range = { start: lineStart + valueCol + quote, end: at + wordAfter(after, /^[^\s#"']*/) };
  return valueCandidates(path, target.type, target.spec, valueText.slice(quote), range, lines, quote === 1, needsSpace);
}

function wordAfter(after: string, re: RegExp): number {
  return re.exec(after)?.[0].length ?? 0;
}

function candidate(label: string, kind: CandidateKind, insertText: string, detail: string, documentation: string, sortText: string, range: OffsetRange, source: CandidateSource): CompletionCandidate {
  return { label, kind, insertText, detail, documentation, sortText, range, source };
}

function keyCandidates(type: ConfigurationType, path: readonly (string | number)[], siblings: ReadonlySet<string>, range: OffsetRange, keyFollows: boolean, typeMissing: boolean, childIndent: string): CompletionCandidate[] {
  const target = specAt(type, path);
  const fields = fieldsOf(target?.type);
  if (!fields || (target && !isObjectType(target.type) && path.length > 0 && typeof path[path.length - 1] !== 'number' && target.type.accepts.includes('string') && !target.type.fields)) return [];
  const out: CompletionCandidate[] = [];
  let index = 0;
  for (const [key, spec] of Object.entries(fields)) {
    index++;
    if (siblings.has(key)) continue;
    const root = path.length === 0;
    const isType = root && key === 'type';
    const group = isType && typeMissing ? '0' : spec.deprecated !== undefined ? '9' : spec.required ? '1' : '2';
    const insertText = keyFollows ? key : isType ? `type: \${1|${CONFIGURATION_TYPE_NAMES.join(',')}|}` : keySnippet(key, spec).replace(/\n {2}/g, `\n${childIndent}`);
    out.push(candidate(key, 'property', insertText, spec.deprecated !== undefined ? `${spec.type.label} (deprecated)` : spec.type.label, fieldMarkdown(key, spec), `${group}${String(index).padStart(3, '0')}`, range, 'schema'));
  }
  return out;
}

function keySnippet(key: string, spec: FieldSpec): string {
  const t = spec.type;
  if (t.label === 'env') return `${key}:\n  - \${1:NAME}=\${2:value}`;
  if (isObjectType(t)) return `${key}:\n  $0`;
  if (isListType(t)) return `${key}:\n  - $0`;
  if (t.label === 'python version') return `${key}: "\${1|${PYTHON_VERSIONS.join(',')}|}"`;
  const values = enumValuesOf(t).filter((v) => !v.includes(','));
  if (values.length > 0 && t.label !== 'gpu') return `${key}: \${1|${values.join(',')}|}`;
  if (typeof spec.example === 'string' || typeof spec.example === 'number' || typeof spec.example === 'boolean') {
    const example = String(spec.example).replace(/[$}\\]/g, (c) => `\\${c}`);
    return `${key}: \${1:${example}}`;
  }
  return `${key}: $0`;
}

/**
 * Value candidates, where one that replaces the whole value with a value the JSON schema itself offers at this
 * property (its default, example or an enum value) counts as a `schema` candidate: yaml-language-server offers the
 * same label there, so beside it ours would be a duplicate (e.g. `24GB`, the `gpu` example and a catalog memory size).
 */
function valueCandidates(
  path: readonly (string | number)[],
  t: ValueType,
  spec: FieldSpec | undefined,
  typed: string,
  range: OffsetRange,
  lines: Lines,
  quoted: boolean,
  needsSpace = false,
): CompletionCandidate[] {
  const out = rawValueCandidates(path, t, spec, typed, range, lines, quoted, needsSpace);
  if (typeof path[path.length - 1] === 'number') return out;
  const offered = schemaOfferedValues(spec, t);
  return out.map((c) => (c.source !== 'schema' && c.range.start === range.start && offered.has(c.label) ? { ...c, source: 'schema' } : c));
}

function rawValueCandidates(
  path: readonly (string | number)[],
  t: ValueType,
  spec: FieldSpec | undefined,
  typed: string,
  range: OffsetRange,
  lines: Lines,
  quoted: boolean,
  needsSpace = false,
): CompletionCandidate[] {
  const lead = needsSpace ? ' ' : '';
  const key = [...path].reverse().find((s): s is string => typeof s === 'string') ?? '';
  const out: CompletionCandidate[] = [];
  const add = (label: string, kind: CandidateKind, detail: string, doc: string, source: CandidateSource = 'schema', insert = label) =>
    out.push(candidate(label, kind, lead + insert, detail, doc, `${String(out.length).padStart(3, '0')}`, range, source));
  if (path.length === 1 && key === 'type') {
    for (const name of CONFIGURATION_TYPE_NAMES) add(name, 'enum', 'configuration type', `\`type: ${name}\``);
    return out;
  }
  if (t.label === 'gpu') {
    for (const c of gpuTokenCandidates(typed, range, lead)) out.push(c);
    return out;
  }
  if (key === 'regions' && typeof path[path.length - 1] === 'number') {
    return regionCandidates(topLevelItems(lines, 'backends'), range, lead);
  }
  if (t.label === 'python version') {
    for (const v of PYTHON_VERSIONS) add(v, 'enum', 'python version', `Python ${v}`, 'schema', quoted ? v : `"${v}"`);
    return out;
  }
  if (t.label === 'duration') {
    for (const d of DURATIONS) add(d, 'duration', 'duration', durationDoc(d));
    if (t.expect.includes('`off`')) add('off', 'enum', 'duration', 'No limit.');
  }
  const doc = spec ? spec.doc : '';
  for (const v of enumValuesOf(t)) add(v, 'enum', t.label, doc);
  if (acceptsBoolean(t) && t.label !== 'duration') for (const b of ['true', 'false']) add(b, 'value', 'boolean', doc);
  const examples = t.label === 'memory' || t.label === 'memory range' ? MEMORY_SIZES : t.label === 'disk' ? DISK_SIZES : t.label === 'cpu' ? CPU_SPECS : [];
  for (const e of examples) add(e, 'value', t.label, doc);
  if (out.length === 0 && spec && (typeof spec.example === 'string' || typeof spec.example === 'number') && !isObjectType(t)) {
    add(String(spec.example), 'value', `example ${t.label}`, doc);
  }
  return out;
}

function durationDoc(d: string): string {
  const unit: Record<string, string> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' };
  const m = /^(\d+)([smhdw])$/.exec(d);
  return m ? `${m[1]} ${unit[m[2] as string]}` : d;
}

function envNameCandidates(lines: Lines, range: OffsetRange): CompletionCandidate[] {
  const names = new Set<string>();
  for (const item of topLevelItems(lines, 'env')) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(item)?.[1];
    if (name) names.add(name);
  }
  return [...names].map((n, i) => candidate(n, 'variable', n, 'env', `From this file's \`env\`.`, String(i).padStart(3, '0'), range, 'document'));
}

function secretCandidates(secrets: readonly string[], range: OffsetRange): CompletionCandidate[] {
  return [...new Set(secrets)].sort().map((n, i) => candidate(n, 'variable', n, 'secret', 'A secret of this project (`dstack-vsc secret set`).', String(i).padStart(3, '0'), range, 'host'));
}
