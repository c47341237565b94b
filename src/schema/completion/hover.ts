// Hover for `.dstack.yml`: a key's documentation, type, default and example; an enum value's meaning; a GPU's facts.
import { CONFIGURATION_TYPE_NAMES } from '../fields';
import type { OffsetRange } from './candidate';
import { gpuFactsOf } from './catalog-values';
import { fieldMarkdown } from './docs';
import { blockPathAt, declaredType, lineAt, shapeOf, splitLines } from './yaml-lines';
import { effectiveType, enumValuesOf, itemsOf, specAt } from './value-types';

/** What to show on hover, and the span it is about. */
export interface HoverInfo {
  markdown: string;
  range: OffsetRange;
}

const TYPE_MEANING: Readonly<Record<string, string>> = {
  'dev-environment': 'A dev environment: a machine with your IDE attached over SSH, running until stopped or idle.',
  task: 'A task: runs `commands` (batch jobs, training, multi-node), then finishes.',
  service: 'A service: a long-running model or web app behind an endpoint, with optional auto-scaling.',
  fleet: 'A fleet: cloud instances or on-prem SSH hosts to run configurations on.',
  gateway: 'A gateway: the public entry point (domain, TLS) for services.',
  volume: 'A volume: a network disk that runs can mount.',
  preset: 'A preset: a reusable model deployment recipe.',
};

/** Hover information at `offset`, or undefined when the cursor is on nothing the field table describes. */
export function hoverAt(text: string, offset: number): HoverInfo | undefined {
  const lines = splitLines(text);
  const row = lineAt(lines, Math.max(0, Math.min(offset, text.length)));
  const lineText = lines.text(row);
  const lineStart = lines.starts[row] as number;
  const col = offset - lineStart;
  const shape = shapeOf(lineText);
  const type = effectiveType(declaredType(lines));
  const lastDash = shape.dashes[shape.dashes.length - 1];
  const parent = blockPathAt(lines, row, lastDash ?? shape.keyCol);
  const base = lastDash === undefined ? parent.path : [...parent.path, 0];
  if (shape.key !== undefined && col >= shape.keyCol && col <= shape.keyCol + shape.key.length) {
    const spec = specAt(type, [...base, shape.key])?.spec;
    if (!spec) return undefined;
    return { markdown: fieldMarkdown(shape.key, spec), range: { start: lineStart + shape.keyCol, end: lineStart + shape.keyCol + shape.key.length } };
  }
  const valueCol = shape.key !== undefined ? (shape.valueCol ?? lineText.length) : shape.keyCol;
  if (col < valueCol) return undefined;
  const word = wordAround(lineText, col);
  if (!word) return undefined;
  const range = { start: lineStart + word.start, end: lineStart + word.end };
  const path = shape.key !== undefined ? [...base, shape.key] : base;
  if (path.length === 1 && path[0] === 'type' && CONFIGURATION_TYPE_NAMES.includes(word.text as never)) {
    return { markdown: `**type: ${word.text}**\n\n${TYPE_MEANING[word.text] ?? ''}`, range };
  }
  const target = specAt(type, path);
  if (!target) return undefined;
  const key = [...path].reverse().find((s) => typeof s === 'string') ?? '';
  if (target.type.label === 'gpu') {
    const gpu = gpuFactsOf(word.text);
    if (!gpu) return undefined;
    const memory = gpu.memoryGB.map((m) => `${m}GB`).join(', ');
    return { markdown: `**${gpu.name}**: ${gpu.vendor} GPU${memory ? `, ${memory} per GPU` : ''}${gpu.inCatalog ? ' (in the offline offer catalog)' : ''}`, range };
  }
  const values = enumValuesOf(target.type).length ? enumValuesOf(target.type) : enumValuesOf(itemsOf(target.type));
  if (!values.includes(word.text)) return undefined;
  const meaning = valueMeaning(target.spec?.doc ?? '', word.text);
  const others = values.map((v) => (v === word.text ? `**\`${v}\`**` : `\`${v}\``)).join(', ');
  return { markdown: `**${key}: ${word.text}**\n\n${meaning}\n\nOne of ${others}.`, range };
}

/** The sentence of a field doc that mentions the value, else the whole doc. */
function valueMeaning(doc: string, value: string): string {
  const sentences = doc.split(/(?<=\.)\s+/);
  const hit = sentences.find((s) => s.includes(`\`${value}\``) && !/^(The|Supported|Allowed)\b.*:/.test(s) && s.indexOf(`\`${value}\``) < 40);
  return hit ?? doc;
}

function wordAround(line: string, col: number): { text: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[\w.\-]/.test(c);
  let start = col;
  while (start > 0 && isWord(line[start - 1])) start--;
  let end = col;
  while (end < line.length && isWord(line[end])) end++;
  return end > start ? { text: line.slice(start, end), start, end } : undefined;
}
