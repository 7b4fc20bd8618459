/**
 * What a new user meets after `cutover serve --project FILE`, in Debian's Chromium against a Dovecot pair: the
 * fresh install opens on the set-up form; the file's own passwords log in; a mailbox the file gives no
 * password, one whose password the server refuses and one the destination does not have each raise a critical
 * alert saying what to do, and none of them shows "every source item accounted for".
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
import { ADMIN, startUi, watchErrors } from './helpers.js';

const USERS = ['ann', 'dan', 'eve', 'gus'].map((u) => ({ user: u, password: `Pw-${u}-long` }));
let src: DovecotServer;
let dst: DovecotServer;
let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [src, dst, browser] = await Promise.all([
    startDovecot({ users: USERS }),
    // gus has no mailbox at the destination.
    startDovecot({ users: USERS.filter((u) => u.user !== 'gus') }),
    launchChromium(),
  ]);
  for (const { user, password } of USERS)
    await seedMessages(src, user, password, 'INBOX', [{ raw: makeMessage({ subject: `${user} hello` }) }]);
  const dir = tempDataDir();
  const file = path.join(dir, 'acme.yaml');
  const both = (u: string, pw = `Pw-${u}-long`) =>
    `{ source: ${u}, password: "${pw}", destinationPassword: "${pw}" }`;
  fs.writeFileSync(
    file,
    `name: Acme
source: { host: 127.0.0.1, port: ${src.imapPort}, tls: none }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none }
mailboxes:
  - ${both('ann')}
  - { source: dan }
  - ${both('eve', 'not-eves-password')}
  - ${both('gus')}
`,
  );
  ({ app, baseUrl } = await startUi(tempDataDir(), file));
});
after(async () => {
  await Promise.all([browser?.close(), app?.close(), src?.stop(), dst?.stop()]);
});

test('serve --project: set-up form first, the file’s passwords work, failures raise alerts and never reconcile', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);

  // A fresh install: the set-up form, not a login form with a "First run?" link.
  await page.goto('/');
  await page.getByRole('heading', { name: 'First run: create the admin account' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /First run\?|^Log in$/ }).count(), 0);
  await screenshot(page, 'failures-01-fresh-install');
  await page.getByLabel('Name').fill(ADMIN.user);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Password again').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await page.getByRole('heading', { name: 'Tracker – Acme' }).waitFor();

  await page.getByRole('button', { name: 'Start migration (every mailbox)' }).click();
  await page.getByText('last pass ended').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('.run-controls').innerText(), /1 done, 3 failed/);
  await page.reload();
  await page.getByText('3 critical, 0 advisory').waitFor();
  const alerts = page.locator('.alert');
  await alerts.nth(2).waitFor();
  const texts = (await alerts.allInnerTexts()).join('\n');
  assert.match(texts, /dan: cannot be migrated: there is no password to log in with/);
  assert.match(texts, /eve: cannot be migrated: the source server refused the login/);
  assert.match(
    texts,
    /gus: cannot be migrated: the destination refused the login \(the mailbox does not exist there yet/,
  );
  // The last pass names every mailbox, also those that failed before their first folder.
  const pass = await page.locator('table.grid', { hasText: 'Progress' }).innerText();
  for (const u of ['ann', 'dan', 'eve', 'gus']) assert.match(pass, new RegExp(`^${u}\\t`, 'm'), pass);
  await screenshot(page, 'failures-02-tracker-alerts');

  // Each failed mailbox says why it is not accounted for; the one that worked reconciles by its ledger.
  for (const [user, why] of [
    ['dan', /the last pass failed before every item was accounted for \(No source credentials/],
    ['eve', /the last pass failed before every item was accounted for \(.*login refused/],
    ['gus', /the last pass failed before every item was accounted for \(.*login refused/],
  ] as const) {
    await page.goto('/mailboxes');
    await page.getByRole('link', { name: user, exact: true }).click();
    await page.getByRole('heading', { name: user }).waitFor();
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /every source item accounted for/, user);
    assert.match(text, why, user);
    await screenshot(page, `failures-03-mailbox-${user}`);
  }
  assert.deepEqual(errors, []);
});
