// Quick fixes for the core's diagnostics, as text edits: remove one of two conflicting keys, fix a duration unit,
// replace a misspelled key or enum value with the closest valid one.
import type { DiagnosticCode } from '../diagnostics';
import type { TextEdit } from './candidate';
import { blockPathAt, lineAt, shapeOf, splitLines, type Lines } from './yaml-lines';

/** The parts of a core diagnostic a quick fix needs (a `SchemaDiagnostic` fits). */
export interface FixableDiagnostic {
  code: DiagnosticCode;
  message: string;
  offset: number;
  endOffset: number;
}

/** Why a fix is offered (closed set, for tests and telemetry-free logs). */
export type QuickFixKind = 'remove-conflicting-key' | 'fix-duration-unit' | 'closest-value' | 'closest-key';

/** One fix: a title for the light bulb and the edits that apply it. */
export interface QuickFix {
  kind: QuickFixKind;
  title: string;
  edits: TextEdit[];
  /** The fix to apply with one keystroke (auto-fix). */
  preferred: boolean;
}

const UNITS: Readonly<Record<string, string>> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w',
};

/** `2H` → `2h`, `90min` → `90m`, `3 days` → `3d`; undefined when the text is not a number with a known unit. */
export function fixDurationUnit(value: string): string | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]+)\s*$/.exec(value);
  if (!m) return undefined;
  const unit = UNITS[(m[2] as string).toLowerCase()];
  if (unit === undefined) return undefined;
  const fixed = `${m[1]}${unit}`;
  return fixed === value ? undefined : fixed;
}

/** The quick fixes for one diagnostic of `text` (none when the diagnostic has no mechanical fix). */
export function quickFixesFor(text: string, d: FixableDiagnostic): QuickFix[] {
  switch (d.code) {
    case 'conflict':
      return conflictFixes(text, d);
    case 'invalid-value': {
      if (!/Cannot parse the duration/.test(d.message)) return [];
      const { inner, start } = unquoted(text, d.offset, d.endOffset);
      const fixed = fixDurationUnit(inner);
      return fixed === undefined ? [] : [{ kind: 'fix-duration-unit', title: `Change to \`${fixed}\``, edits: [{ range: { start, end: start + inner.length }, newText: fixed }], preferred: true }];
    }
    case 'invalid-enum':
    case 'unknown-field': {
      const suggestion = /Did you mean `([^`]+)`\?/.exec(d.message)?.[1];
      if (suggestion === undefined) return [];
      const { inner, start } = unquoted(text, d.offset, d.endOffset);
      if (inner === suggestion) return [];
      const kind: QuickFixKind = d.code === 'unknown-field' ? 'closest-key' : 'closest-value';
      return [{ kind, title: `Change \`${inner}\` to \`${suggestion}\``, edits: [{ range: { start, end: start + inner.length }, newText: suggestion }], preferred: true }];
    }
    default:
      return [];
  }
}

function unquoted(text: string, start: number, end: number): { inner: string; start: number } {
  const raw = text.slice(start, end);
  if (raw.length >= 2 && /^(["']).*\1$/s.test(raw)) return { inner: raw.slice(1, -1), start: start + 1 };
  return { inner: raw, start };
}

/** "Remove `x`" for each key the conflict message names that is present beside the flagged one. */
function conflictFixes(text: string, d: FixableDiagnostic): QuickFix[] {
  const lines = splitLines(text);
  const row = lineAt(lines, d.offset);
  const flagged = keyLineAtOrAbove(lines, row);
  if (flagged === undefined) return [];
  const shape = shapeOf(lines.text(flagged));
  const parentPath = JSON.stringify(blockPathAt(lines, flagged, shape.keyCol).path);
  const named = [...d.message.matchAll(/`([\w-]+)`/g)].map((m) => m[1] as string);
  const out: QuickFix[] = [];
  for (const key of [...new Set(named)]) {
    const keyRow = findSibling(lines, shape.keyCol, parentPath, key);
    if (keyRow === undefined) continue;
    out.push({ kind: 'remove-conflicting-key', title: `Remove \`${key}\``, edits: [{ range: blockRange(lines, text, keyRow), newText: '' }], preferred: keyRow === flagged });
  }
  return out.sort((a, b) => Number(b.preferred) - Number(a.preferred));
}

function keyLineAtOrAbove(lines: Lines, row: number): number | undefined {
  for (let r = row; r >= 0; r--) if (shapeOf(lines.text(r)).key !== undefined) return r;
  return undefined;
}

function findSibling(lines: Lines, keyCol: number, parentPath: string, key: string): number | undefined {
  for (let r = 0; r < lines.count; r++) {
    const s = shapeOf(lines.text(r));
    if (s.key === key && s.keyCol === keyCol && s.dashes.length === 0 && JSON.stringify(blockPathAt(lines, r, keyCol).path) === parentPath) return r;
  }
  return undefined;
}

/** The key's line and every deeper line below it (its block), through the final newline. */
function blockRange(lines: Lines, text: string, row: number): { start: number; end: number } {
  const col = shapeOf(lines.text(row)).keyCol;
  let last = row;
  for (let r = row + 1; r < lines.count; r++) {
    const s = shapeOf(lines.text(r));
    if (s.empty) continue;
    const first = s.dashes[0] ?? s.keyCol;
    if (first < col || (first === col && s.dashes.length === 0)) break;
    last = r;
  }
  const next = lines.starts[last + 1];
  return { start: lines.starts[row] as number, end: next ?? text.length };
}
