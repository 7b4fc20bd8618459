/**
 * The Credentials page in Debian's Chromium against a real Dovecot pair (no administrator logins, so every
 * mailbox needs both passwords): the tracker's credentials stage links to it; a link is issued, copied,
 * reissued (the old one stops working) and revoked; the operator enters a user's passwords on the personal page
 * (checked by real logins: verified); a CSV imports another user's (verified) and a wrong one unchecked
 * (provided), which a run then finds refused (failing, with why); the links export as CSV and XLSX.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { tempDataDir } from '../integration/helpers.js';
import { createAdmin, startUi, watchErrors } from './helpers.js';

const USERS = ['ann', 'ben', 'cat'].map((u) => ({ user: u, password: `Pw-${u}-7x` }));
const pw = (u: string) => USERS.find((x) => x.user === u)!.password;
let browser: Browser;
let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [browser, src, dst] = await Promise.all([
    launchChromium(),
    startDovecot({ users: USERS }),
    startDovecot({ users: USERS }),
  ]);
  const file = path.join(tempDataDir(), 'creds.yaml');
  fs.writeFileSync(
    file,
    `name: Creds
source: { host: 127.0.0.1, port: ${src.imapPort}, tls: none }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none }
mailboxes:
  - { source: ann }
  - { source: ben }
  - { source: cat }
`,
  );
  ({ app, baseUrl } = await startUi(tempDataDir(), file));
});
after(async () => {
  await Promise.all([browser?.close(), app?.close(), src?.stop(), dst?.stop()]);
});

const row = (page: Page, user: string) => page.locator('tbody tr', { hasText: `${user}` }).first();

async function download(page: Page, name: string): Promise<{ file: string; body: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  return { file: d.suggestedFilename(), body: fs.readFileSync(await d.path()) };
}

test('Credentials page: state per mailbox, links, operator entry, CSV import, failing, export', async () => {
  const context = await newContext(browser, baseUrl);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Creds' }).waitFor();
  await page.getByRole('link', { name: 'Open the Credentials page' }).click();
  await page.getByRole('heading', { name: 'Credentials – Creds' }).waitFor();
  await row(page, 'ann').waitFor();
  for (const u of ['ann', 'ben', 'cat']) assert.match(await row(page, u).innerText(), /none yet/);
  await screenshot(page, 'credentials-01-none');

  // Issue, copy, reissue (the first link stops working), revoke.
  await row(page, 'ann').getByRole('button', { name: 'Issue link' }).click();
  const field = page.getByLabel('Link of ann');
  await field.waitFor();
  const first = await field.inputValue();
  assert.match(first, new RegExp(`^${baseUrl}/p/[A-Za-z0-9_-]{43}$`));
  await row(page, 'ann')
    .getByText(/valid until/)
    .waitFor();
  await row(page, 'ann').getByRole('button', { name: 'Copy link' }).click();
  await row(page, 'ann').getByText('Link copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), first);
  await row(page, 'ann').getByRole('button', { name: 'Reissue link' }).click();
  await row(page, 'ann').getByText('the earlier one no longer works').waitFor();
  const second = await field.inputValue();
  assert.notEqual(second, first);
  const portal = await context.newPage();
  assert.equal((await portal.goto(first))?.status(), 410);
  assert.equal((await portal.goto(second))?.status(), 200);
  await row(page, 'ann').getByRole('button', { name: 'Revoke link' }).click();
  await row(page, 'ann').getByText('Link revoked').waitFor();
  assert.equal((await portal.goto(second))?.status(), 410);
  assert.doesNotMatch(await row(page, 'ann').innerText(), /valid until/);
  assert.equal(await row(page, 'ann').getByRole('button', { name: 'Copy link' }).count(), 0);
  await screenshot(page, 'credentials-02-links');

  // The operator enters ben's passwords on ben's personal page: checked by real logins.
  const [popup] = await Promise.all([
    context.waitForEvent('page'),
    row(page, 'ben').getByRole('link', { name: 'Enter the password' }).click(),
  ]);
  await popup.getByText('You are signed in as an operator').waitFor();
  await popup.locator('#source').fill(pw('ben'));
  await popup.locator('#destination').fill(pw('ben'));
  await popup.getByRole('button', { name: 'Check and save' }).click();
  await popup.getByText(/password of your current mailbox is correct/).waitFor();
  await popup.getByText(/password of your new mailbox is correct/).waitFor();
  await popup.close();

  // A CSV: cat's passwords checked and stored; a wrong one for ann refused, then imported unchecked.
  const csv = page.getByLabel('Credentials CSV text');
  await csv.fill(
    `source,source_password,destination_password\ncat,${pw('cat')},${pw('cat')}\nann,wrong-one,wrong-one\n`,
  );
  await page.getByRole('button', { name: 'Import passwords' }).click();
  const result = page.locator('.card table');
  await result.getByText('stored').waitFor();
  assert.match(await result.locator('tr', { hasText: 'cat' }).innerText(), /stored/);
  assert.match(await result.locator('tr', { hasText: 'ann' }).innerText(), /refused/);
  await row(page, 'cat').getByText('verified', { exact: true }).waitFor();
  assert.match(await row(page, 'ben').innerText(), /verified[\s\S]*by you/);
  assert.match(await row(page, 'ann').innerText(), /none yet/);
  await screenshot(page, 'credentials-03-imported');

  await csv.fill(`source,source_password,destination_password\nann,wrong-one,wrong-one\n`);
  await page.getByLabel('Check each password by logging in before keeping it').uncheck();
  await page.getByRole('button', { name: 'Import passwords' }).click();
  await row(page, 'ann').getByText('provided, not checked').waitFor();

  // A run finds ann's imported password refused: failing, with why.
  await page.getByRole('link', { name: 'Tracker' }).click();
  await page.getByRole('button', { name: /Start migration/ }).click();
  await page.getByRole('link', { name: 'Open the Credentials page' }).click();
  const deadline = Date.now() + 60_000;
  while (!/failing/.test(await row(page, 'ann').innerText())) {
    assert.ok(Date.now() < deadline, 'ann never became failing');
    await page.waitForTimeout(500);
    await page.reload();
    await row(page, 'ann').waitFor();
  }
  assert.match(await row(page, 'ann').innerText(), /refused the login/);
  await screenshot(page, 'credentials-04-failing');

  // Every mailbox's link, as CSV and XLSX.
  const c = await download(page, 'Export the links (CSV)');
  assert.equal(c.file, 'credential-links.csv');
  const lines = c.body.toString('utf8').trim().split(/\r?\n/);
  assert.equal(lines.length, 4, lines.join('\n'));
  for (const u of ['ann', 'ben', 'cat'])
    assert.ok(
      lines.some((l) => l.startsWith(`${u},`) && /\/p\/[A-Za-z0-9_-]{43}/.test(l)),
      u,
    );
  const x = await download(page, 'Export the links (XLSX)');
  assert.equal(x.file, 'credential-links.xlsx');
  assert.equal(x.body.subarray(0, 2).toString(), 'PK');
  assert.deepEqual(errors, []);
});
