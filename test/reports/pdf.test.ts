/**
 * The PDF report, read back with poppler: a complete file, fonts embedded with a ToUnicode map (so
 * Cyrillic, Greek, Arabic and Hebrew names come out as text), the same figures as the HTML report, and a
 * 2,000-mailbox project streamed with bounded memory.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { findFonts } from '../../src/reports/pdf-fonts.js';
import { writePdf } from '../../src/reports/pdf.js';
import {
  ARABIC_FOLDER,
  CJK_FOLDER,
  CYRILLIC,
  GREEK_FOLDER,
  HEBREW_FOLDER,
  HOSTILE,
  manyReports,
  sampleReports,
} from './fixtures.js';
import { ensurePoppler, pdfFonts, pdfPages, pdfText } from './poppler.js';

const meta = { project: 'Acme → Новый', generatedAt: new Date('2026-03-04T12:00:00Z') };
let dir = '';

before(async () => {
  await ensurePoppler();
  dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-pdf-'));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function render(name: string, reports = sampleReports()): Promise<string> {
  const file = path.join(dir, name);
  await writePdf(reports, meta, createWriteStream(file));
  return file;
}

test('the fonts come from the npm package, not from the system', () => {
  const fonts = findFonts();
  assert.match(fonts.regular, /node_modules\/dejavu-fonts-ttf\/ttf\/DejaVuSans\.ttf$/);
  assert.match(fonts.bold, /DejaVuSans-Bold\.ttf$/);
});

test("without the npm font: Debian's DejaVu, else an error that says what to install", () => {
  if (existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'))
    assert.equal(findFonts(undefined, false).regular, '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
  assert.throws(() => findFonts('/nonexistent', false), /dejavu-fonts-ttf.*fonts-dejavu-core/s);
});

test('a complete PDF whose names, figures and verdicts come out as text', async () => {
  const file = await render('sample.pdf');
  const bytes = await readFile(file);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(bytes.subarray(-8).toString('latin1'), /%%EOF\s*$/);
  // Summary page, then each mailbox on its own page (bob's 200 problem rows take more than one).
  assert.ok(pdfPages(file) >= 7, `${pdfPages(file)} pages`);

  const fonts = pdfFonts(file);
  assert.ok(fonts.some((f) => f.name.endsWith('+DejaVuSans')));
  for (const f of fonts) assert.ok(f.emb && f.uni, `${f.name} embedded with ToUnicode`);

  const text = pdfText(file);
  for (const s of [CYRILLIC, GREEK_FOLDER, 'Входящие/Отчёты', `Migration report: ${meta.project}`])
    assert.ok(text.includes(s), s);
  // Right-to-left words: poppler may order the runs of a mixed line differently from the logical order,
  // and NFKC folds any presentation form (a lam-alef ligature) back to its letters.
  const folded = text.normalize('NFKC');
  for (const word of ['مريم', 'مثال', 'مصر', ...ARABIC_FOLDER.split(' '), ...HEBREW_FOLDER.split(' ')])
    assert.ok(folded.includes(word.normalize('NFKC')), word);
  if (findFonts().cjk) assert.ok(text.includes(CJK_FOLDER), CJK_FOLDER);

  // Project totals (the same as the HTML report's) and verdicts.
  for (const figure of [
    '2,598',
    '2,211',
    '105.4 MB',
    '5 (2 reconcile, 1 not verified)',
    '25 h 20 min',
    '2 min 00 s',
  ])
    assert.ok(text.includes(figure), figure);
  assert.ok(text.includes('11: 1 renamed, 1 excluded, 1 failed'));
  assert.ok(text.includes('✗ 2 of 5 mailbox(es) do not reconcile'));
  assert.ok(text.includes('✓ reconciles: every source item is accounted for and was read back'));
  assert.ok(text.includes('ledger only, not verified: the ledger accounts for every source item'));
  assert.match(text, /✗ does not reconcile: 100 item\(s\) in 1 folder\(s\) not yet accounted for/);
  // Hostile text is just text here, shown as it is.
  assert.ok(text.includes(`${HOSTILE} & "quoted"`));
  assert.ok(text.includes(`eve"&'<b>@example.com`));
  // The problem cap.
  assert.equal(text.match(/Quota exceeded \(item \d+\)/g)?.length, 200);
  assert.ok(text.includes('… 50 more'));
  assert.ok(text.includes('renamed: "a/b" contains the separator'));
  assert.ok(text.includes('excluded: junk folders are not migrated'));
});

test('an error of the output stream rejects writePdf', async () => {
  let writes = 0;
  const broken = new Writable({
    write(_chunk, _enc, done) {
      done(++writes > 2 ? new Error('disk full') : null);
    },
  });
  await assert.rejects(writePdf(sampleReports(), meta, broken), /disk full/);
});

test('2,000 mailboxes stream to a file with bounded memory', async (t) => {
  await render('warm-up.pdf'); // fonts and PDFKit loaded, code compiled: not part of the growth
  const reports = manyReports(2000);
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const probe = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  let file = '';
  try {
    file = await render('large.pdf', reports);
  } finally {
    clearInterval(probe);
  }
  const growthMb = (peak - base) / 1024 / 1024;
  t.diagnostic(`RSS grew by ${growthMb.toFixed(0)} MB`);
  assert.ok(growthMb < 150, `RSS grew by ${growthMb.toFixed(0)} MB`);
  assert.ok(pdfPages(file) > 2000);
  const text = pdfText(file);
  assert.ok(text.includes('user1999@example.com') && text.includes('пользователь1993@пример.рф'));
  assert.ok(text.includes('✓ All 2,000 mailboxes reconcile'));
});
