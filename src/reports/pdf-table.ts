/** Tables for the PDF report: wrapped cells, the header repeated on every page a table runs over. */
import type { Layout, Style } from './pdf-layout.js';

/** A cell: one text, or several paragraphs with their own style (a folder and its notes). */
export type Cell = string | Array<{ text: string; style?: Style }>;

export interface Column<T> {
  header: string;
  /** Relative width; the columns share the page width in proportion. */
  weight: number;
  numeric?: boolean;
  cell: (row: T) => Cell;
  /** Style of the whole column (a paragraph's own style wins). */
  style?: (row: T) => Style | undefined;
}

const PAD = 3;
/** Lines at most per cell; a longer value ends in "…". */
const MAX_CELL_LINES = 14;

/**
 * Draw `rows` at the cursor, starting a page (and repeating the header) when one is full. With
 * `header: false` the table goes on from an earlier call (rows drawn in slices): no header until a new page.
 */
export function drawTable<T>(
  L: Layout,
  columns: Column<T>[],
  rows: Iterable<T>,
  opts = { header: true },
): void {
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (c.weight / total) * L.width);
  const xs = widths.map((_, i) => L.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const head: Style = { bold: true, size: 8 };
  const headH = L.lineHeight(head) + 2 * PAD;

  const header = () => {
    L.rect(L.left, L.y, L.width, headH, '#eeeeee');
    columns.forEach((c, i) => {
      const w = widths[i]! - 2 * PAD;
      const x = c.numeric ? xs[i]! + PAD + w - Math.min(w, L.measure(c.header, head)) : xs[i]! + PAD;
      L.draw(c.header, x, L.y + PAD, head, w);
    });
    L.y += headH;
    L.rect(L.left, L.y - 0.6, L.width, 0.6, '#999999');
  };

  let first = opts.header;
  for (const row of rows) {
    const cells = columns.map((c, i) => layoutCell(L, c.cell(row), widths[i]! - 2 * PAD, c.style?.(row)));
    const height =
      Math.max(...cells.map((lines) => lines.reduce((s, l) => s + L.lineHeight(l.style), 0))) + 2 * PAD;
    if (first) {
      L.ensure(headH + height);
      header();
      first = false;
    } else if (L.ensure(height)) header();
    cells.forEach((lines, i) => {
      let y = L.y + PAD;
      for (const { text, style } of lines) {
        const w = widths[i]! - 2 * PAD;
        const x = columns[i]!.numeric ? xs[i]! + PAD + w - L.measure(text, style) : xs[i]! + PAD;
        L.draw(text, x, y, style);
        y += L.lineHeight(style);
      }
    });
    L.y += height;
    L.rect(L.left, L.y - 0.4, L.width, 0.4, '#dddddd');
  }
}

function layoutCell(L: Layout, cell: Cell, width: number, base: Style | undefined) {
  const paras = typeof cell === 'string' ? [{ text: cell }] : cell;
  const lines: Array<{ text: string; style: Style }> = [];
  for (const p of paras) {
    const style = { ...base, ...p.style };
    const left = MAX_CELL_LINES - lines.length;
    if (left <= 0) break;
    for (const text of L.wrap(p.text, width, style, left)) lines.push({ text, style });
  }
  return lines.length ? lines : [{ text: '', style: base ?? {} }];
}
