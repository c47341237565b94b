// A plain-text table laid out like Rich's `Table(box=None)` at a fixed console width: one space of padding on each
// side of every cell, columns as wide as their widest cell, and, when the table is too wide, Rich's collapse of the
// widest wrappable columns with word wrapping and `…` truncation. Trailing padding is kept, as Rich prints it.

/** One column: its header (omit for a headerless column) and whether its cells may wrap. */
export interface TableColumn {
  header?: string;
  /** Never wrap: the cell is truncated with `…` when the column must shrink. */
  noWrap?: boolean;
}

/** Table-wide layout options. */
export interface TableOptions {
  /** Print the header row (default true). */
  showHeader?: boolean;
  /** Console width (default 120, what dstack's samples use). */
  width?: number;
}

const PADDING = 2;

function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function maxLineLength(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => l.length));
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rich's `ratio_reduce`: takes `total` off `values` in proportion to `ratios`, each at most its `maximums`. */
function ratioReduce(total: number, ratios: number[], maximums: number[], values: number[]): number[] {
  const rs = ratios.map((r, i) => ((maximums[i] ?? 0) ? r : 0));
  let totalRatio = rs.reduce((a, b) => a + b, 0);
  if (!totalRatio) return [...values];
  let remaining = total;
  return values.map((value, i) => {
    const ratio = rs[i] ?? 0;
    if (!ratio || totalRatio <= 0) return value;
    const distributed = Math.min(maximums[i] ?? 0, roundHalfEven((ratio * remaining) / totalRatio));
    remaining -= distributed;
    totalRatio -= ratio;
    return value - distributed;
  });
}

/** Rich's `Table._collapse_widths`: narrows the widest wrappable columns until the table fits. */
function collapseWidths(widths: number[], wrapable: boolean[], maxWidth: number): number[] {
  let total = widths.reduce((a, b) => a + b, 0);
  let excess = total - maxWidth;
  if (!wrapable.some(Boolean)) return widths;
  while (total && excess > 0) {
    const maxColumn = Math.max(...widths.filter((_, i) => wrapable[i]));
    const secondMax = Math.max(...widths.map((w, i) => (wrapable[i] && w !== maxColumn ? w : 0)));
    const diff = maxColumn - secondMax;
    const ratios = widths.map((w, i) => (w === maxColumn && wrapable[i] ? 1 : 0));
    if (!ratios.some(Boolean) || !diff) break;
    widths = ratioReduce(excess, ratios, widths.map(() => Math.min(excess, diff)), widths);
    total = widths.reduce((a, b) => a + b, 0);
    excess = total - maxWidth;
  }
  return widths;
}

/** Rich's word wrap (`divide_line` without folding) then `…` truncation of what still does not fit. */
function wrapCell(text: string, width: number, noWrap: boolean): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const pieces: string[] = [];
    if (noWrap) pieces.push(line);
    else {
      let current = '';
      for (const word of words(line)) {
        const wordLength = word.trimEnd().length;
        if (width - current.length >= wordLength) current += word;
        else {
          if (current !== '') pieces.push(current);
          current = word;
        }
      }
      pieces.push(current);
    }
    for (let piece of pieces) {
      piece = piece.trimEnd();
      if (piece.length > width) piece = width > 0 ? `${piece.slice(0, width - 1)}…` : '';
      out.push(piece);
    }
  }
  return out;
}

/** Renders rows (missing cells are empty) as Rich would print the table; every line ends with `\n`. */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const showHeader = options.showHeader ?? true;
  const maxWidth = options.width ?? 120;
  const all = [...(showHeader ? [columns.map((c) => c.header ?? '')] : []), ...rows];
  const cell = (row: readonly string[], i: number) => row[i] ?? '';
  let widths = columns.map((_, i) => Math.max(...all.map((row) => maxLineLength(cell(row, i)))) + PADDING);
  if (widths.reduce((a, b) => a + b, 0) > maxWidth) {
    const wrapable = columns.map((c) => !c.noWrap);
    widths = collapseWidths(widths, wrapable, maxWidth);
    const total = widths.reduce((a, b) => a + b, 0);
    if (total > maxWidth) widths = ratioReduce(total - maxWidth, widths.map(() => 1), widths, widths);
    // Rich re-measures at the new widths: a column never grows past its content.
    widths = widths.map((w, i) => Math.min(w, Math.max(...all.map((row) => maxLineLength(cell(row, i)))) + PADDING));
  }
  let text = '';
  for (const row of all) {
    const cells = columns.map((c, i) => wrapCell(cell(row, i), Math.max(0, (widths[i] as number) - PADDING), c.noWrap ?? false));
    const height = Math.max(1, ...cells.map((c) => c.length));
    for (let line = 0; line < height; line++) {
      text += cells.map((c, i) => ` ${(c[line] ?? '').padEnd((widths[i] as number) - PADDING)} `).join('') + '\n';
    }
  }
  return text;
}
