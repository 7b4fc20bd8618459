/**
 * `cutover report --format html|pdf` after a real migration between two Dovecot servers: the files say
 * what the text report says — every item accounted for, the folder names (Cyrillic included) as text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, tempDataDir, url } from './helpers.js';
import { ensurePoppler, pdfText } from '../reports/poppler.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = [{ user: 'hugo', password: 'pw-hugo' }];

before(async () => {
  await ensurePoppler();
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
  await seedMessages(src, 'hugo', 'pw-hugo', 'INBOX', [
    { raw: makeMessage({ subject: 'one' }) },
    { raw: makeMessage({ subject: 'two' }) },
  ]);
  await seedMessages(src, 'hugo', 'pw-hugo', 'Входящие проекты', [{ raw: makeMessage({ subject: 'три' }) }]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

test('HTML and PDF reports of a real migration', async () => {
  const dir = tempDataDir();
  const m = await cli([
    'migrate',
    '--from',
    url(src, 'hugo', 'pw-hugo'),
    '--to',
    url(dst, 'hugo', 'pw-hugo'),
    '--data-dir',
    dir,
    '--no-progress',
  ]);
  assert.equal(m.code, 0, m.stderr);

  const html = await cli(['report', '--data-dir', dir, '--format', 'html']);
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stdout, /^<!DOCTYPE html>/i);
  assert.match(html.stdout, /Входящие проекты/);
  assert.match(html.stdout, /hugo/);

  const pdf = path.join(dir, 'report.pdf');
  const p = await cli(['report', '--data-dir', dir, '--format', 'pdf', '--output', pdf]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(fs.readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  const text = pdfText(pdf);
  assert.match(text, /hugo/);
  assert.match(text, /Входящие проекты/);
  assert.match(text, /reconcile/i);

  const noFile = await cli(['report', '--data-dir', dir, '--format', 'pdf']);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /--output report\.pdf/);
});
