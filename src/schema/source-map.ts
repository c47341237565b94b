// Maps field paths to YAML source ranges, and offsets to 1-based line/column.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { FieldPath } from './diagnostics';

/** Byte-offset → line/column conversion for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line and column of a 0-based offset (clamped into the text). */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.starts[lo] as number) + 1 };
  }
}

function keyValue(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/** The deepest node along `path` (falls back to the nearest ancestor), and the key node of the last step if any. */
export function locate(doc: Document, path: FieldPath): { node: Node | null; key: Node | null } {
  let node: unknown = doc.contents;
  let key: Node | null = null;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(keyValue(p.key)) === String(seg));
      if (!pair) break;
      key = (pair.key as Node | null) ?? null;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      key = null;
      node = item;
    } else break;
  }
  return { node: (node as Node | null) ?? null, key };
}

/** The [start, end) offsets of a node's value. */
export function nodeRange(node: Node | null): [number, number] | null {
  const r = node?.range;
  return r ? [r[0], Math.max(r[0], r[1])] : null;
}
