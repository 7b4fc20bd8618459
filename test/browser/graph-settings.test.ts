/**
 * The Microsoft 365 settings of a project in Debian's Chromium against a real server (`buildServer` on a
 * loopback port): the destination's write path (with what each keeps and needs), Exchange's IMAP endpoint and
 * the per-mailbox budgets are set in the form, stored through the API, read back by the API and by the form
 * after a reload, changed and cleared again. Nothing here logs in to Microsoft 365 (no connection test), so
 * no Graph emulator is needed; a source has budgets but no write path (the API refuses one there).
 */
import assert from 'node:assert/strict';
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
  [browser, { app, baseUrl }] = await Promise.all([launchChromium(), startUi(tempDataDir())]);
});
after(async () => {
  await Promise.all([browser?.close(), app?.close()]);
});

type GraphOut = Record<string, unknown> | null;

/** The stored Graph settings of project `name`, read through the API with the page's session. */
async function storedGraph(page: Page, name: string): Promise<{ source: GraphOut; destination: GraphOut }> {
  const res = await page.request.get('/api/projects');
  assert.equal(res.status(), 200);
  const list = (await res.json()) as {
    items: Array<{ name: string; source: { graph: GraphOut }; destination: { graph: GraphOut } }>;
  };
  const p = list.items.find((x) => x.name === name);
  assert.ok(p, `project ${name} is listed`);
  return { source: p.source.graph, destination: p.destination.graph };
}

/** Choose Microsoft 365 for `side` and give it an app registration. */
async function graphSide(page: Page, side: 'source' | 'destination', tenant: string): Promise<void> {
  await page.locator(`[name="${side}.kind"]`).selectOption('graph');
  await page.locator(`[name="${side}.tenantId"]`).fill(tenant);
  await page.locator(`[name="${side}.adminUser"]`).fill(`app-${side}`);
  await page.locator(`[name="${side}.password"]`).fill(`secret-${side}`);
}

test('Microsoft 365 write path, IMAP endpoint and budgets are set in the browser and read back', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByText('No project yet.').waitFor();

  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Tenant move');
  await graphSide(page, 'source', 'old.onmicrosoft.com');
  await graphSide(page, 'destination', 'new.onmicrosoft.com');

  // A source is read through Graph: budgets, but no write path or IMAP endpoint.
  assert.equal(await page.locator('[name="source.writePath"]').count(), 0);
  assert.equal(await page.locator('[name="source.imapHost"]').count(), 0);
  await page.locator('[name="source.requestBudget"]').fill('6000');

  // Each write path says what it keeps and what it needs; the IMAP endpoint shows only where IMAP is used.
  const note = page
    .locator('fieldset', { hasText: 'Destination: where the mail goes' })
    .locator('.write-path-note');
  assert.equal(await page.locator('[name="destination.writePath"]').inputValue(), 'json');
  assert.match(await note.innerText(), /Graph JSON: keeps .*In-Reply-To\/References.*Needs Mail\.ReadWrite/);
  assert.equal(await page.locator('[name="destination.imapHost"]').count(), 0);
  await page.locator('[name="destination.writePath"]').selectOption('imap');
  assert.match(await note.innerText(), /keeps the whole message.*IMAP\.AccessAsApp.*FullAccess/);
  await page.locator('[name="destination.imapHost"]').fill('imap.new.example');
  await page.locator('[name="destination.imapPort"]').fill('1993');
  await page.locator('[name="destination.requestBudget"]').fill('5000');
  await page.locator('[name="destination.uploadBudgetMB"]').fill('100');
  await screenshot(page, 'graph-settings-01-form');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: 'Tenant move' }).waitFor();

  // Stored as sent (the API's own answer), and shown again by the form after a reload.
  assert.deepEqual(await storedGraph(page, 'Tenant move'), {
    source: { tenantId: 'old.onmicrosoft.com', requestBudget: 6000 },
    destination: {
      tenantId: 'new.onmicrosoft.com',
      writePath: 'imap',
      imapHost: 'imap.new.example',
      imapPort: 1993,
      requestBudget: 5000,
      uploadBudgetMB: 100,
    },
  });
  await page.reload();
  await page.getByRole('heading', { name: 'Tenant move' }).waitFor();
  const value = (field: string) => page.locator(`[name="${field}"]`).inputValue();
  assert.equal(await value('destination.writePath'), 'imap');
  assert.equal(await value('destination.imapHost'), 'imap.new.example');
  assert.equal(await value('destination.imapPort'), '1993');
  assert.equal(await value('destination.requestBudget'), '5000');
  assert.equal(await value('destination.uploadBudgetMB'), '100');
  assert.equal(await value('source.requestBudget'), '6000');
  assert.equal(await value('source.uploadBudgetMB'), '');

  // Over Graph's documented limit: refused by the API, the reason beside the button.
  await page.locator('[name="destination.uploadBudgetMB"]').fill('200');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const refused = page.locator('form .problem');
  await refused.waitFor();
  assert.match(await refused.innerText(), /destination › graph › uploadBudgetMB.*must be <= 150/);

  // auto with the budget cleared (the default applies again); the secrets stay stored.
  await page.locator('[name="destination.writePath"]').selectOption('auto');
  assert.match(await note.innerText(), /4 MB create request/);
  await page.locator('[name="destination.uploadBudgetMB"]').fill('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved.').waitFor();
  const after = await storedGraph(page, 'Tenant move');
  assert.deepEqual(after.destination, {
    tenantId: 'new.onmicrosoft.com',
    writePath: 'auto',
    imapHost: 'imap.new.example',
    imapPort: 1993,
    requestBudget: 5000,
  });
  await page.reload();
  await page.getByRole('heading', { name: 'Tenant move' }).waitFor();
  assert.equal(await value('destination.writePath'), 'auto');
  assert.equal(await value('destination.uploadBudgetMB'), '');
  assert.equal(
    await page.locator('[name="destination.password"]').getAttribute('placeholder'),
    'stored – leave empty to keep it',
  );
  await screenshot(page, 'graph-settings-02-stored');
  assert.deepEqual(errors, []);
});
