/**
 * Item types Cutover cannot move yet (contacts, calendars, tasks) are shown disabled with the reason
 * on the project page and on a mailbox's own choice: mail and filters are live checkboxes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { tempDataDir } from '../integration/helpers.js';
import { createAdmin, startUi, watchErrors } from './helpers.js';

let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  const dir = tempDataDir();
  const file = path.join(dir, 'p.yaml');
  fs.writeFileSync(
    file,
    `name: Types
source: { host: 127.0.0.1, port: 1143, tls: none }
destination: { host: 127.0.0.1, port: 2143, tls: none }
mailboxes:
  - { source: ann }
`,
  );
  [browser, { app, baseUrl }] = await Promise.all([launchChromium(), startUi(tempDataDir(), file)]);
});
after(async () => {
  await Promise.all([browser?.close(), app?.close()]);
});

/** Mail and filters are live; every other type is disabled and says why. */
async function mailAndFiltersLive(page: Page, scope: string): Promise<void> {
  const box = page.locator(scope).locator('.item-types');
  assert.equal(await box.getByRole('checkbox', { name: 'mail', exact: true }).isEnabled(), true);
  assert.equal(await box.getByRole('checkbox', { name: 'filters', exact: true }).isEnabled(), true);
  for (const t of ['contacts', 'calendars', 'tasks']) {
    const c = box.getByRole('checkbox', { name: new RegExp(`^${t}`) });
    assert.equal(await c.isDisabled(), true, t);
    assert.equal(await c.isChecked(), false, t);
    assert.match(await box.locator('label', { hasText: t }).innerText(), /not moved yet/, t);
  }
}

test('contacts, calendars and tasks are disabled with the reason; filters can be chosen', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Types' }).waitFor();

  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('link', { name: 'Types' }).click();
  await page.getByRole('heading', { name: 'Types' }).waitFor();
  await mailAndFiltersLive(page, 'fieldset:has(legend:text("What to move"))');
  await screenshot(page, 'item-types-01-project');

  await page.getByRole('link', { name: 'Mailboxes' }).click();
  await page.getByRole('button', { name: 'Add a mailbox' }).click();
  await page.getByLabel("Its own item types (else the project's)").check();
  await mailAndFiltersLive(page, 'form');
  await screenshot(page, 'item-types-02-mailbox');
  assert.deepEqual(errors, []);
});
