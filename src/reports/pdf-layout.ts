/**
 * Page layout for the PDF report on top of PDFKit: A4 pages with a footer, a cursor, and lines of mixed
 * text (bidi runs, main and CJK fonts) that are measured, wrapped and placed here rather than by PDFKit's
 * own wrapper, which neither reorders right-to-left runs nor falls back between fonts.
 *
 * Shaping (fontkit's GSUB/GPOS pass, 0.1–0.3 ms a call with DejaVu) is most of the cost. Text in simple
 * scripts goes through PDFKit's per-word layout cache, so a word is shaped once; we empty that cache now
 * and then (trimCaches) because PDFKit never does. Text that needs whole-run shaping (right-to-left
 * scripts, whose word order fontkit reverses only within one run; joining and reordering scripts;
 * combining marks) is passed with `features: []`, which shapes the run as one and bypasses that cache.
 */
import type { ReportFonts } from './pdf-fonts.js';
import { splitByFont } from './pdf-fonts.js';
import { visualRuns } from './bidi.js';
import { printable } from './format.js';

/** PDFKit's document (typed by @types/pdfkit). */
export type Doc = PDFKit.PDFDocument;

export type Style = { size?: number; bold?: boolean; color?: string };

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 42, bottom: 52, left: 40, right: 40 };
const DEFAULTS = { size: 8.5, bold: false, color: '#1a1a1a' };
/** Longest text we lay out per value: a megabyte server message must not become a hundred pages. */
const MAX_CHARS = 4000;
/** Widths remembered; the map starts afresh when full, so memory stays bounded on any report. */
const WIDTH_CACHE = 20_000;

type FontKey = 'R' | 'B' | 'C';
type Piece = { text: string; font: FontKey; width: number; options: PDFKit.Mixins.TextOptions };

// Scripts whose glyphs join, reorder or stack (Hebrew to Tibetan, Myanmar, Khmer and Mongolian, Limbu to
// Lepcha, Syloti Nagri to Myanmar Extended-B, Hebrew/Arabic presentation forms, the right-to-left blocks of
// the SMP), ZWNJ/ZWJ, and any combining mark.
const COMPLEX_RANGES: Array<[number, number]> = [
  [0x0590, 0x0fff],
  [0x1000, 0x109f],
  [0x1780, 0x18af],
  [0x1900, 0x1c4f],
  [0x200c, 0x200d],
  [0xa800, 0xabff],
  [0xfb1d, 0xfdff],
  [0xfe70, 0xfeff],
  [0x10800, 0x10fff],
  [0x1e800, 0x1efff],
];
const MARK = /\p{M}/u;

/** True when the text needs whole-run shaping (see the file comment). */
function needsWholeRun(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x0300) continue;
    if (MARK.test(ch) || COMPLEX_RANGES.some(([from, to]) => cp >= from && cp <= to)) return true;
  }
  return false;
}
const SIMPLE_TEXT = { lineBreak: false, baseline: 'alphabetic' } as const;
const WHOLE_RUN = { ...SIMPLE_TEXT, features: [] };

export class Layout {
  readonly left = MARGIN.left;
  readonly right = A4.width - MARGIN.right;
  readonly width = A4.width - MARGIN.left - MARGIN.right;
  readonly bottom = A4.height - MARGIN.bottom;
  y = MARGIN.top;
  private page = 0;
  private readonly widths = new Map<string, number>();
  private readonly loaded = new Set<FontKey>();

  constructor(
    readonly doc: Doc,
    private readonly fonts: ReportFonts,
    private readonly footer: string,
  ) {}

  /**
   * Select a font by its file (and PostScript name in a collection), not by a registerFont() alias:
   * PDFKit caches an alias only when its file is not loaded yet, and re-reads the file on every switch
   * to an alias of the document's default font.
   */
  private use(font: FontKey, size: number): Doc {
    this.loaded.add(font);
    const { regular, bold, cjk } = this.fonts;
    if (font === 'C' && cjk)
      return cjk.postscriptName
        ? this.doc.font(cjk.file, cjk.postscriptName, size)
        : this.doc.font(cjk.file, size);
    return this.doc.font(font === 'B' ? bold : regular, size);
  }

  /** Start a page: footer first (page number), cursor at the top. */
  newPage(): void {
    this.doc.addPage({ size: 'A4', margin: 0 });
    this.page++;
    const y = A4.height - MARGIN.bottom + 26;
    this.draw(this.footer, this.left, y, { size: 7, color: '#777777' }, this.width - 60);
    const no = `page ${this.page}`;
    this.draw(no, this.right - this.measure(no, { size: 7 }), y, { size: 7, color: '#777777' });
    this.y = MARGIN.top;
  }

  /** Make room for `height` points, on a new page when this one is too full. True when a page was added. */
  ensure(height: number): boolean {
    if (this.page > 0 && this.y + height <= this.bottom) return false;
    this.newPage();
    return true;
  }

  lineHeight(style: Style = {}): number {
    return (style.size ?? DEFAULTS.size) * 1.3;
  }

  /** Width of one line of text (the order of its runs does not change it). */
  measure(text: string, style: Style = {}): number {
    let w = 0;
    for (const piece of this.pieces(text, style)) w += piece.width;
    return w;
  }

  /** Break text into lines that fit `width` (at spaces and after / . - _ @, else between characters). */
  wrap(text: string, width: number, style: Style = {}, maxLines = Infinity): string[] {
    let clean = printable(text);
    if (clean.length > MAX_CHARS) clean = `${clean.slice(0, MAX_CHARS)}…`;
    const lines: string[] = [];
    for (const para of clean.split(/\r\n|\r|\n/)) {
      if (this.measure(para, style) <= width) {
        lines.push(para);
        continue;
      }
      // Token widths add up (kerning across a break is negligible), so each token is measured once.
      let line = '';
      let lineW = 0;
      for (const token of para.match(/[^\s/._@-]*[\s/._@-]*/gu) ?? []) {
        if (!token) continue;
        const w = this.measure(token, style);
        if (lineW + this.measure(token.trimEnd(), style) <= width) {
          line += token;
          lineW += w;
          continue;
        }
        if (line) lines.push(line.trimEnd());
        [line, lineW] = ['', 0];
        if (w <= width) {
          [line, lineW] = [token, w];
          continue;
        }
        // A token wider than the line is cut between grapheme clusters.
        for (const { segment } of graphemes.segment(token)) {
          const sw = this.measure(segment, style);
          if (line && lineW + sw > width) {
            lines.push(line);
            [line, lineW] = ['', 0];
          }
          line += segment;
          lineW += sw;
        }
      }
      lines.push(line.trimEnd());
    }
    if (lines.length <= maxLines) return lines;
    const kept = lines.slice(0, maxLines);
    let last = kept[maxLines - 1]!;
    while (last && this.measure(`${last}…`, style) > width) last = Array.from(last).slice(0, -1).join('');
    kept[maxLines - 1] = `${last}…`;
    return kept;
  }

  /** Draw one line with its top at `top`, cut with "…" when wider than `maxWidth`. */
  draw(text: string, x: number, top: number, style: Style = {}, maxWidth = Infinity): void {
    const size = style.size ?? DEFAULTS.size;
    const line = maxWidth < Infinity ? (this.wrap(text, maxWidth, style, 1)[0] ?? '') : printable(text);
    this.doc.fillColor(style.color ?? DEFAULTS.color);
    let pen = x;
    for (const run of visualRuns(line))
      for (const piece of this.pieces(run, style)) {
        this.use(piece.font, size).text(piece.text, pen, top + size, piece.options);
        pen += piece.width;
      }
  }

  /** A wrapped paragraph across the full width at the cursor, breaking pages between lines. */
  paragraph(text: string, style: Style = {}, indent = 0): void {
    const h = this.lineHeight(style);
    for (const line of this.wrap(text, this.width - indent, style)) {
      this.ensure(h);
      this.draw(line, this.left + indent, this.y, style);
      this.y += h;
    }
  }

  /** Vertical space. */
  gap(points: number): void {
    this.y += points;
  }

  /** A filled rectangle (backgrounds, rules). */
  rect(x: number, y: number, w: number, h: number, color: string): void {
    this.doc.rect(x, y, w, h).fill(color);
  }

  /** Empty PDFKit's per-word shaping caches, which it never trims (call between sections). */
  trimCaches(): void {
    for (const key of this.loaded) {
      // PDFKit's EmbeddedFont.layoutCache (pdfkit 0.20, pinned): a plain object, word → glyph run.
      const font = (this.use(key, DEFAULTS.size) as unknown as { _font?: { layoutCache?: object } })._font;
      if (font?.layoutCache) font.layoutCache = Object.create(null) as object;
    }
  }

  /** A run split by font, with widths and how to shape each piece. */
  private pieces(run: string, style: Style): Piece[] {
    const size = style.size ?? DEFAULTS.size;
    return splitByFont(run, this.fonts.cjk !== undefined).map(({ text, cjk }) => {
      const font: FontKey = cjk ? 'C' : style.bold ? 'B' : 'R';
      const options = needsWholeRun(text) ? WHOLE_RUN : SIMPLE_TEXT;
      const key = `${font}${size}|${text}`;
      let width = this.widths.get(key);
      if (width === undefined) {
        width = this.use(font, size).widthOfString(text, options);
        if (this.widths.size >= WIDTH_CACHE) this.widths.clear();
        this.widths.set(key, width);
      }
      return { text, font, width, options };
    });
  }
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
