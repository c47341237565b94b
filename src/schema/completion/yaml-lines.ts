// Tolerant, line/indent-based reading of a half-typed YAML file: where the cursor is (which keys lead to it,
// whether it sits on a key or a value) without requiring the text to parse.

/** One line split into its YAML block parts: indentation, `- ` list markers, `key:` and the value after it. */
export interface LineShape {
  /** Column of the first non-blank character (tabs count as one column, like any other whitespace). */
  indent: number;
  /** Columns of the `- ` list markers, left to right. */
  dashes: number[];
  /** Column where the key (or scalar) after the markers starts. */
  keyCol: number;
  /** The key, when the line reads `key:` or `key: value`. */
  key?: string;
  /** Column of the first character after `key:` and its spaces (only with `key`). */
  valueCol?: number;
  /** Blank or comment-only. */
  empty: boolean;
}

const KEY_RE = /^(["']?)([^\s:#"'][^:#]*?|)\1\s*:(?=\s|$)/;

/** Splits one line into indentation, list markers, key and value column. */
export function shapeOf(line: string): LineShape {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  const indent = i;
  const dashes: number[] = [];
  while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) {
    dashes.push(i);
    i++;
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  }
  const rest = line.slice(i);
  const empty = dashes.length === 0 && (rest === '' || rest.startsWith('#'));
  const shape: LineShape = { indent, dashes, keyCol: i, empty };
  const m = KEY_RE.exec(rest);
  if (m && m[2] !== undefined && m[2] !== '') {
    shape.key = m[2];
    let v = i + m[0].length;
    while (v < line.length && (line[v] === ' ' || line[v] === '\t')) v++;
    shape.valueCol = v;
  }
  return shape;
}

/** The text's lines, sliced on demand (a `\r` before `\n` stays out of the line). */
export class Lines {
  /** Offset where each line starts. */
  readonly starts: number[] = [0];
  constructor(readonly source: string) {
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** How many lines (a final newline opens an empty last line). */
  get count(): number {
    return this.starts.length;
  }
  /** Line `i` without its line break. */
  text(i: number): string {
    const start = this.starts[i] as number;
    let end = i + 1 < this.starts.length ? (this.starts[i + 1] as number) - 1 : this.source.length;
    if (end > start && this.source.charCodeAt(end - 1) === 13) end--;
    return this.source.slice(start, end);
  }
  /** Whether line `i` starts at column 0 with a character that can begin a key (cheap pre-check). */
  startsWithKey(i: number): boolean {
    const c = this.source.charCodeAt(this.starts[i] as number);
    return !(Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13 || c === 35 || c === 45);
  }
}

/** Splits text into lines, remembering where each starts. */
export function splitLines(text: string): Lines {
  return new Lines(text);
}

/** The line holding `offset` (binary search over line starts). */
export function lineAt(lines: Lines, offset: number): number {
  let lo = 0;
  let hi = lines.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lines.starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a node sits: the keys (and list items, as 0) from the root down to the mapping or list that holds it. */
export interface BlockPath {
  path: (string | number)[];
  /** Keys already present in the mapping that holds the cursor (above and below it). */
  siblings: Set<string>;
}

/**
 * The block path of a node starting at column `col` on line `row`: walks up to the nearest lines with a smaller
 * column (the parents), collecting sibling keys at the same column on the way, then down for the siblings below.
 */
export function blockPathAt(lines: Lines, row: number, col: number): BlockPath {
  const path: (string | number)[] = [];
  const siblings = new Set<string>();
  let current = col;
  let collecting = true;
  for (let r = row - 1; r >= 0 && current > 0; r--) {
    const text = lines.text(r);
    const shape = shapeOf(text);
    if (shape.empty) continue;
    if (shape.keyCol < current && shape.key !== undefined && shape.dashes.length === 0 && hasInlineScalar(text, shape)) continue;
    if (collecting && shape.keyCol === current && shape.key !== undefined) siblings.add(shape.key);
    // Positions right to left: the key, then each list marker.
    if (shape.keyCol < current && shape.key !== undefined) {
      path.push(shape.key);
      current = shape.keyCol;
      collecting = false;
    }
    for (let d = shape.dashes.length - 1; d >= 0; d--) {
      const dash = shape.dashes[d] as number;
      if (dash < current) {
        path.push(0);
        current = dash;
        collecting = false;
      }
    }
  }
  if (path.length === 0) collectRoot(lines, row, siblings);
  else collectSiblingsBelow(lines, row, col, siblings);
  return { path: path.reverse(), siblings };
}

/** `key: value` with a scalar value on the line: such a key cannot hold the block lines below it. */
function hasInlineScalar(text: string, shape: LineShape): boolean {
  const value = text.slice(shape.valueCol).trim();
  return value !== '' && !value.startsWith('#') && !/^[|>&!]/.test(value);
}

function collectRoot(lines: Lines, row: number, siblings: Set<string>): void {
  for (let r = 0; r < lines.count; r++) {
    if (r === row || !lines.startsWithKey(r)) continue;
    const shape = shapeOf(lines.text(r));
    if (!shape.empty && shape.keyCol === 0 && shape.key !== undefined) siblings.add(shape.key);
  }
}

/** Adds the keys at column `col` below `row`, up to the end of the block that holds it. */
export function collectSiblingsBelow(lines: Lines, row: number, col: number, siblings: Set<string>): void {
  for (let r = row + 1; r < lines.count; r++) {
    const shape = shapeOf(lines.text(r));
    if (shape.empty) continue;
    const first = shape.dashes[0] ?? shape.keyCol;
    if (first < col) break;
    if (shape.keyCol === col && shape.key !== undefined && shape.dashes.length === 0) siblings.add(shape.key);
  }
}

/** The top-level `type:` value written in the file, if any (no parse needed). */
export function declaredType(lines: Lines): string | undefined {
  return /^type[ \t]*:[ \t]*["']?([\w-]+)/m.exec(lines.source)?.[1];
}

/** A top-level list or mapping block's entries as written: `key:` block, flow `[a, b]` or `- item` lines. */
export function topLevelItems(lines: Lines, key: string): string[] {
  const out: string[] = [];
  for (let r = 0; r < lines.count; r++) {
    if (!lines.startsWithKey(r)) continue;
    const text = lines.text(r);
    const shape = shapeOf(text);
    if (shape.empty || shape.keyCol !== 0 || shape.key !== key) continue;
    const inline = text.slice(shape.valueCol).replace(/\s+#.*$/, '').trim();
    if (inline.startsWith('[')) {
      for (const part of inline.replace(/^\[|\]$/g, '').split(',')) if (part.trim()) out.push(unquote(part.trim()));
      continue;
    }
    if (inline !== '') out.push(unquote(inline));
    for (let c = r + 1; c < lines.count; c++) {
      const child = lines.text(c);
      const s = shapeOf(child);
      if (s.empty) continue;
      if (s.indent === 0 && s.dashes.length === 0) break;
      if (s.dashes.length > 0) out.push(unquote(child.slice(s.keyCol).replace(/\s+#.*$/, '').trim()));
      else if (s.key !== undefined) out.push(`${s.key}=`);
    }
  }
  return out;
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}
