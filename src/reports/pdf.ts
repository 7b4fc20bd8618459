/**
 * The migration report as a PDF (A4, each mailbox from a new page, an outline entry per mailbox), streamed
 * to `out` page by page: a 25,000-mailbox project is never held as one document in memory. PDFKit is
 * loaded only when a PDF is asked for.
 */
import { pipeline } from 'node:stream/promises';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import type { MailboxReport } from './report-types.js';
import { formatTime } from './format.js';
import { findFonts } from './pdf-fonts.js';
import { Layout, type Doc } from './pdf-layout.js';
import { drawMailbox, drawOverview, drawSummary } from './pdf-sections.js';
import { summarize, type ReportMeta } from './summary.js';

/** PDF bytes PDFKit may hold for a slow `out` before we stop drawing and wait. */
const HIGH_WATER = 4 * 1024 * 1024;
/** Overview rows drawn between two checks of that. */
const SLICE = 500;
/** Mailboxes between two emptyings of PDFKit's shaping caches (a few thousand distinct words). */
const TRIM_EVERY = 200;

/**
 * Write the report as a PDF to `out` and end it (like `stream.pipeline`); resolves once `out` has
 * finished, rejects with the first error of `out` or of the rendering.
 */
export async function writePdf(
  reports: MailboxReport[],
  meta: ReportMeta,
  out: NodeJS.WritableStream,
): Promise<void> {
  const fonts = findFonts();
  const { default: PDFDocument } = await import('pdfkit');
  // `font` replaces PDFKit's default Helvetica, whose metrics it would load from its own package files.
  const doc: Doc = new PDFDocument({
    autoFirstPage: false,
    size: 'A4',
    font: fonts.regular,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `Migration report: ${meta.project}`,
      Creator: 'Cutover',
      Producer: 'Cutover (PDFKit)',
      CreationDate: meta.generatedAt,
    },
  });
  // The first error of `out` or of the drawing; an object, because callbacks set it.
  const state: { failure: Error | null } = { failure: null };
  const fail = (err: unknown) => (state.failure ??= err instanceof Error ? err : new Error(String(err)));
  const done = pipeline(doc, out).catch(fail);
  try {
    const L = new Layout(doc, fonts, `Migration report: ${meta.project} — ${formatTime(meta.generatedAt)}`);
    drawSummary(L, summarize(reports), meta);
    for (let i = 0; i < reports.length && state.failure === null; i += SLICE) {
      drawOverview(L, reports.slice(i, i + SLICE), i === 0);
      L.trimCaches();
      await relieve(doc, () => state.failure !== null);
    }
    for (const [i, r] of reports.entries()) {
      if (state.failure !== null) break;
      drawMailbox(L, r);
      if (i % TRIM_EVERY === TRIM_EVERY - 1) L.trimCaches();
      await relieve(doc, () => state.failure !== null);
    }
  } catch (err) {
    doc.destroy(fail(err));
  }
  if (state.failure === null) doc.end();
  await done;
  if (state.failure !== null) throw state.failure;
}

/**
 * Backpressure: `pipe` stops reading PDFKit when `out` is full, but PDFKit keeps pushing what we draw into
 * its own buffer. Let I/O run after each step, and wait while that buffer is large. Polling, because a
 * `drain` may come and go between our check and our listening.
 */
async function relieve(doc: Doc, failed: () => boolean): Promise<void> {
  await yieldToIo();
  while (doc.readableLength > HIGH_WATER && !failed()) await sleep(5);
}
