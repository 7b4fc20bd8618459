/**
 * The item types on the project page and on a mailbox's own choice: mail, filters, contacts, calendars and
 * tasks are all live checkboxes, none marked as not moved yet.
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

/** Every item type is a live checkbox, none with a "not yet" reason. */
async function allTypesLive(page: Page, scope: string): Promise<void> {
  const box = page.locator(scope).locator('.item-types');
  for (const t of ['mail', 'filters', 'contacts', 'calendars', 'tasks']) {
    const c = box.getByRole('checkbox', { name: t, exact: true });
    assert.equal(await c.isEnabled(), true, t);
    assert.doesNotMatch(await box.locator('label', { hasText: t }).innerText(), /not moved yet/, t);
  }
}

test('every item type can be chosen, on the project and on a mailbox', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Types' }).waitFor();

  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('link', { name: 'Types' }).click();
  await page.getByRole('heading', { name: 'Types' }).waitFor();
  await allTypesLive(page, 'fieldset:has(legend:text("What to move"))');
  await screenshot(page, 'item-types-01-project');

  await page.getByRole('link', { name: 'Mailboxes' }).click();
  await page.getByRole('button', { name: 'Add a mailbox' }).click();
  await page.getByLabel("Its own item types (else the project's)").check();
  await allTypesLive(page, 'form');
  await screenshot(page, 'item-types-02-mailbox');
  assert.deepEqual(errors, []);
});
