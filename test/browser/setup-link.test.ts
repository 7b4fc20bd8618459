/**
 * The first run of a server that listens beyond its machine, as a new operator meets it in Debian's
 * Chromium: `cutover serve --host 0.0.0.0` (the built CLI) prints a setup link; the UI opened without it
 * says where the token is, and opened from it creates the admin, drops the token from the address bar
 * and lands on the tracker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { tempDataDir } from '../integration/helpers.js';
import { serve, type Served } from '../security/serve.js';
import { ADMIN, ensureWebBuilt, watchErrors } from './helpers.js';

let browser: Browser;
let s: Served;

before(async () => {
  ensureWebBuilt();
  [browser, s] = await Promise.all([
    launchChromium(),
    serve(['--host', '0.0.0.0', '--data-dir', tempDataDir()]),
  ]);
});
after(async () => {
  await Promise.all([browser?.close(), s?.stop()]);
});

test('the printed setup link creates the admin; the plain address says the token is needed', async () => {
  const link = /first run: open (\S+\/setup\?token=[\w-]+) /.exec(s.out())?.[1];
  assert.ok(link, s.out());
  const page = await (await newContext(browser)).newPage();
  const errors = watchErrors(page);

  // Without the link: the page opens on the first-run form, says the link is needed, and the server refuses.
  await page.goto(new URL('/', link).href);
  await page.getByRole('heading', { name: 'First run: create the admin account' }).waitFor();
  assert.match(await page.locator('main').innerText(), /needs the one-time setup link/);
  assert.equal(await page.getByRole('button', { name: /First run\?/ }).count(), 0);
  await page.getByLabel('Name').fill(ADMIN.user);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Password again').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  const problem = page.getByRole('alert');
  await problem.waitFor();
  assert.match(await problem.innerText(), /needs its setup token[\s\S]*SETUP_TOKEN_REQUIRED/);
  await screenshot(page, 'setup-link-01-no-token');

  // From the link: straight to the first-run form, and in.
  await page.goto(link);
  await page.getByRole('heading', { name: 'First run: create the admin account' }).waitFor();
  assert.match(await page.locator('main').innerText(), /opened from the setup link/);
  await page.getByLabel('Name').fill(ADMIN.user);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Password again').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await page.getByText('No project yet.').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.doesNotMatch(page.url(), /token/);
  await screenshot(page, 'setup-link-02-signed-in');
  assert.deepEqual(errors, []);
});
