/**
 * The HTML report: one self-contained document (no script, no external resource), every value from the
 * store escaped, verdicts and totals in words, problems capped per mailbox.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderHtml } from '../../src/reports/html.js';
import {
  ARABIC,
  ARABIC_FOLDER,
  CJK_FOLDER,
  CYRILLIC,
  GREEK_FOLDER,
  HEBREW_FOLDER,
  HOSTILE,
  LEDGER_ONLY,
  folder,
  mailbox,
  sampleReports,
} from './fixtures.js';

const meta = { project: 'Acme <migration> & "co"', generatedAt: new Date('2026-03-04T12:00:00Z') };
const html = renderHtml(sampleReports(), meta);
/** The sections of each mailbox, in report order (index 0 is everything before the first). */
const sections = html.split('<section class="mailbox"');

/** The text a browser would show: tags dropped, entities decoded. */
const text = (h: string) =>
  h
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

test('one self-contained, printable document', () => {
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.match(html, /<meta charset="utf-8">/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
  assert.match(html, /font-family: "DejaVu Sans", "Noto Sans"[^;]*"Noto Sans CJK SC"[^;]*sans-serif;/);
  assert.match(html, /@page \{ size: A4;/);
  assert.match(html, /section\.mailbox \{ break-before: page;/);
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|\ssrc=|url\(|@import/i);
  assert.doesNotMatch(html, /href="(?!#m\d+")/, 'only links to its own sections');
  assert.equal(sections.length, 6);
  assert.ok(html.trimEnd().endsWith('</html>'));
});

test('hostile names, reasons and statuses are escaped, and show as they were', () => {
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<b>@|<i>done/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quoted&quot;/);
  assert.match(html, /<title>Migration report — Acme &lt;migration&gt; &amp; &quot;co&quot;<\/title>/);
  const eve = text(sections[4]!);
  assert.ok(eve.includes(`eve"&'<b>@example.com`));
  assert.ok(eve.includes(`Last error: ${HOSTILE} 'single' "double" & amp`));
  assert.ok(eve.includes(`error: ${HOSTILE} & "quoted"`), 'folder error');
  assert.ok(eve.includes(`Error: ${HOSTILE}`), 'pass error');
  assert.ok(eve.includes(`skipped${HOSTILE}3${HOSTILE} & "quoted"`), 'problem row');
  assert.equal(
    escapeHtml(`a\u0000b\u001bc\td`),
    'a\uFFFDb\uFFFDc\td',
    'control characters do not reach the page',
  );
});

test('non-Latin names are written as they are, isolated for bidi', () => {
  for (const name of [
    CYRILLIC,
    ARABIC,
    ARABIC_FOLDER,
    HEBREW_FOLDER,
    GREEK_FOLDER,
    CJK_FOLDER,
    'Входящие/Отчёты',
  ])
    assert.ok(html.includes(`<bdi>${name}</bdi>`), name);
});

test('reconcile verdicts in words, per mailbox and for the project', () => {
  assert.match(
    sections[1]!,
    /<p class="verdict ok">✓ reconciles: every source item is accounted for and was read back from the destination \(verified 2026-03-04 09:02:00 UTC\)<\/p>/,
  );
  // Accounted for by the ledger, never read back: not "reconciles".
  assert.match(
    sections[3]!,
    /<p class="verdict unverified">ledger only, not verified: the ledger accounts for every source item, but nothing read the destination back yet; run `cutover verify`<\/p>/,
  );
  assert.doesNotMatch(sections[3]!, /✓ reconciles/);
  assert.match(
    sections[5]!,
    /<p class="verdict bad">✗ does not reconcile: 100 item\(s\) in 1 folder\(s\) not yet accounted for \(INBOX\): the last pass did not finish them<\/p>/,
  );
  assert.match(sections[4]!, /✗ does not reconcile: 1 folder\(s\) failed \(&lt;script&gt;/);
  assert.ok(
    text(sections[0]!).includes(
      `✗ 2 of 5 mailbox(es) do not reconcile: eve"&'<b>@example.com, bob@example.com`,
    ),
  );
  assert.ok(
    text(sections[0]!).includes(
      '– ledger only, not verified: 1 of 5 mailbox(es) are accounted for by the ledger but were not read back since their last pass',
    ),
  );
  const one = renderHtml([mailbox('a@x', [folder('INBOX', 3)])], meta);
  assert.match(
    one,
    /✓ The mailbox reconciles: every source item is accounted for and was read back from the destination/,
  );
  const unverified = renderHtml([mailbox('a@x', [folder('INBOX', 3)], LEDGER_ONLY)], meta);
  assert.doesNotMatch(unverified, /✓/);
  assert.match(unverified, /<td class="unverified">–<\/td>/);
});

test('project summary: totals, reconciling count, time span, throttling, renamed folders', () => {
  const summary = text(sections[0]!);
  // Source 1522 + 50 + 22 + 4 + 1000; copied 1486 + 50 + 22 + 3 + 650.
  assert.ok(summary.includes('Source items'));
  assert.match(
    sections[0]!,
    /<tr><td class="n">2,598<\/td><td class="n">2,211<\/td><td class="n">34<\/td><td class="n">3<\/td><td class="n">250<\/td><td class="n">100<\/td>/,
  );
  assert.ok(summary.includes('Mailboxes5 (2 reconcile, 1 not verified)'));
  // First real pass 07:45 on the 1st, last end 09:05 on the 2nd (the dry run on the 3rd does not count).
  assert.ok(
    summary.includes(
      'Migration time2026-03-01 07:45:00 UTC → 2026-03-02 09:05:00 UTC (25 h 20 min); 1 pass(es) not finished',
    ),
    summary,
  );
  assert.ok(summary.includes('Throttled2 min 00 s'));
  assert.ok(summary.includes('Folders11: 1 renamed, 1 excluded, 1 failed'));
  assert.ok(summary.includes('Statusdone 3, <i>done</i> 1, failed 1'));
  assert.ok(summary.includes('Generated 2026-03-04 12:00:00 UTC'));
});

test('per mailbox: totals, passes, folders with rename, exclusion and error', () => {
  const alice = sections[1]!;
  assert.match(alice, /<h2><bdi>alice@example\.com<\/bdi> → <bdi>alice@new\.example<\/bdi>/);
  assert.match(
    alice,
    /<td class="n">1,522<\/td><td class="n">1,486<\/td><td class="n">34<\/td><td class="n">2<\/td>/,
  );
  assert.match(alice, /<h3>Passes \(3\)<\/h3>/);
  assert.match(alice, /2026-03-01 09:00<\/td><td>1 h 30 min<\/td><td>done<\/td>/);
  assert.match(alice, /done <span class="muted">\(dry run\)<\/span>/);
  assert.match(
    alice,
    /<div class="note">renamed: <bdi>&quot;a\/b&quot; contains the separator; renamed to &quot;a∕b&quot;<\/bdi><\/div>/,
  );
  assert.match(alice, /<div class="note">excluded: <bdi>junk folders are not migrated<\/bdi><\/div>/);
  assert.match(alice, /<div class="muted">→ <bdi>Sent Items<\/bdi><\/div>/);
  assert.match(alice, /<h3>Problems \(2\)<\/h3>/);
  assert.match(sections[2]!, /No skipped or failed items\./);
});

test('problems are capped at 200 rows per mailbox with "… N more"', () => {
  const bob = sections[5]!;
  assert.equal(bob.match(/Quota exceeded \(item \d+\)/g)?.length, 200);
  assert.ok(bob.includes('(item 199)') && !bob.includes('(item 200)'));
  assert.match(bob, /<td class="more" colspan="4">… 50 more \(/);
  assert.match(bob, /<h3>Problems \(250\)<\/h3>/);
  assert.doesNotMatch(sections[1]!, /… \d+ more/);
});

test('an empty project still renders', () => {
  const empty = renderHtml([], meta);
  assert.match(empty, /No mailboxes in this project\./);
  assert.match(empty, /✓ All 0 mailboxes reconcile/);
  assert.match(text(empty), /Migration timeno pass yet/);
});
