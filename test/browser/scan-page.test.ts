/**
 * The Scan page in Debian's Chromium against a Dovecot pair (the destination takes messages up to 1 MB), after
 * `serve --project FILE`: scan every mailbox and watch it end, read the problems per mailbox and folder (bob's
 * 2 MB message will be skipped), scan only the ticked mailbox after more mail arrived, compare with the earlier
 * scan, and export CSV, XLSX and JSON. The tracker's initial-sync stage links here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { tempDataDir } from '../integration/helpers.js';
import { createAdmin, download, startUi, watchErrors } from './helpers.js';

const MB = 1024 * 1024;
const USERS = ['ann', 'bob'].map((u) => ({ user: u, password: `Pw-${u}-long` }));
let src: DovecotServer;
let dst: DovecotServer;
let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [src, dst, browser] = await Promise.all([
    startDovecot({ users: USERS }),
    startDovecot({ users: USERS, maxMailSize: MB }),
    launchChromium(),
  ]);
  await seedMessages(
    src,
    'ann',
    'Pw-ann-long',
    'INBOX',
    [1, 2, 3].map((i) => ({ raw: makeMessage({ subject: `a${i}` }) })),
  );
  await seedMessages(src, 'ann', 'Pw-ann-long', 'Projects', [{ raw: makeMessage({ subject: 'plan' }) }]);
  await seedMessages(src, 'bob', 'Pw-bob-long', 'INBOX', [
    { raw: makeMessage({ subject: 'small' }) },
    { raw: makeMessage({ subject: 'big', sizeBytes: 2 * MB }) },
  ]);
  const file = path.join(tempDataDir(), 'scan.yaml');
  const both = (u: string) =>
    `{ source: ${u}, password: "Pw-${u}-long", destinationPassword: "Pw-${u}-long" }`;
  fs.writeFileSync(
    file,
    `name: Scanned
source: { host: 127.0.0.1, port: ${src.imapPort}, tls: none }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none }
mailboxes:
  - ${both('ann')}
  - ${both('bob')}
`,
  );
  ({ app, baseUrl } = await startUi(tempDataDir(), file));
});
after(async () => {
  await Promise.all([browser?.close(), app?.close(), src?.stop(), dst?.stop()]);
});

test('Scan page: scan all, problems per mailbox and folder, scan one, compare, export', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Scanned' }).waitFor();
  await page.getByRole('link', { name: 'Scan the mailboxes first' }).click();
  await page.getByRole('heading', { name: 'Scan – Scanned' }).waitFor();
  await page.getByText('No scan yet: start one above.').waitFor();

  await page.getByRole('button', { name: 'Scan every mailbox (2)' }).click();
  const result = page.locator('table.scan-mailboxes');
  await result.waitFor({ timeout: 60_000 });
  const ann = result.locator('tr', { hasText: 'ann' }).first();
  const bob = result.locator('tr', { hasText: 'bob' }).first();
  assert.match(await ann.innerText(), /done\s+2\s+4\b/);
  assert.match(await ann.innerText(), /nothing/);
  assert.match(
    await bob.innerText(),
    /1 item\(s\) larger than the destination accepts: they will be skipped/,
  );
  await bob.getByRole('button', { name: /bob/ }).click();
  const folders = page.locator('tr.folder-rows');
  assert.match(await folders.innerText(), /INBOX\s+INBOX\s+2\s+[\d.]+ MB\s+1 too large/);
  await screenshot(page, 'scan-01-all');

  // More mail for ann; scan only her, compare with the first scan.
  await seedMessages(
    src,
    'ann',
    'Pw-ann-long',
    'INBOX',
    [1, 2].map((i) => ({ raw: makeMessage({ subject: `new ${i}` }) })),
  );
  await page.locator('.scan-pick').getByLabel('ann').check();
  await page.getByRole('button', { name: 'Scan the 1 ticked' }).click();
  await page.getByRole('status').waitFor({ state: 'detached', timeout: 60_000 });
  await page.getByText(/^Scan #2 /).waitFor();
  const scans = page.getByLabel('Scan shown');
  assert.match(await scans.locator('option').first().innerText(), /^#2, /);
  await page
    .getByLabel('Compare with')
    .selectOption({ label: await page.getByLabel('Compare with').locator('option').nth(1).innerText() });
  const changes = page.locator('table.scan-changes');
  await changes.waitFor();
  assert.match(
    await changes.locator('tr', { hasText: 'ann' }).innerText(),
    /ann\s+\+2\s+\+[\d.]+ (B|KB)\s+unchanged/,
  );
  assert.match(
    await changes.locator('tr', { hasText: 'bob' }).innerText(),
    /not in this scan \(only in #1\): nothing to compare/,
  );
  assert.match(await result.innerText(), /ann\s+done\s+2\s+6\b/);
  await screenshot(page, 'scan-02-compared');

  const csv = await download(page, 'CSV');
  assert.equal(csv.file, 'scan-2-vs-1.csv');
  assert.match(csv.body.toString(), /ann.*Projects/);
  const xlsx = await download(page, 'XLSX');
  assert.equal(xlsx.file, 'scan-2-vs-1.xlsx');
  assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK');
  const json = await download(page, 'JSON');
  const parsed = JSON.parse(json.body.toString()) as {
    scanId: number;
    mailboxes: Array<{ mailbox: string; messages: number }>;
    changes: unknown[];
  };
  assert.equal(parsed.scanId, 2);
  assert.deepEqual(
    parsed.mailboxes.map((m) => [m.mailbox, m.messages]),
    [['ann', 6]],
  );
  assert.ok(parsed.changes.length >= 1);
  assert.deepEqual(errors, []);
});
