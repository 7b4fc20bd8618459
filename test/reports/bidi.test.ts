/** Right-to-left runs in a left-to-right line (the PDF report's reduced UAX #9), and font splitting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visualRuns } from '../../src/reports/bidi.js';
import { splitByFont } from '../../src/reports/pdf-fonts.js';

test('left-to-right text is one run, untouched', () => {
  assert.deepEqual(visualRuns('INBOX/Входящие Εισερχόμενα 42'), ['INBOX/Входящие Εισερχόμενα 42']);
  assert.deepEqual(visualRuns(''), []);
});

test('an RTL name followed by Latin: the RTL run first, the rest after it', () => {
  assert.deepEqual(visualRuns('مريم@example.sa'), ['مريم', '@example.sa']);
  // "(3)" follows the Hebrew, so it belongs to it (N0): shown as "Folder (3) סנכנ רואד".
  assert.deepEqual(visualRuns('Folder דואר נכנס (3)'), ['Folder ', '(', '3', 'דואר נכנס )']);
  assert.deepEqual(visualRuns('דואר (INBOX)'), ['דואר', ' (INBOX)']);
});

test('RTL words keep their order inside one run; numbers stay left-to-right', () => {
  // Runs come in visual order; each RTL run is shaped (and reversed) as a whole by the font engine.
  assert.deepEqual(visualRuns('ملف 2024 بريد'), [' بريد', '2024', 'ملف ']);
  assert.deepEqual(visualRuns('البريد الوارد'), ['البريد الوارد']);
});

test('brackets inside an RTL run are mirrored; neutral-only RTL runs are reversed here', () => {
  assert.deepEqual(visualRuns('א (ב)'), ['א )ב(']);
  assert.deepEqual(visualRuns('א 1 -> 2 ב'), [' ב', '2', ' <- ', '1', 'א ']);
});

test('explicit bidi controls are dropped, so a name cannot reorder the line', () => {
  assert.deepEqual(visualRuns('invoice\u202Efdp.exe'), ['invoicefdp.exe']);
});

test('CJK goes to the CJK font when there is one', () => {
  assert.deepEqual(splitByFont('Mail 受信 トレイ/x', true), [
    { text: 'Mail ', cjk: false },
    { text: '受信 トレイ', cjk: true },
    { text: '/x', cjk: false },
  ]);
  assert.deepEqual(splitByFont('受信トレイ', false), [{ text: '受信トレイ', cjk: false }]);
});
