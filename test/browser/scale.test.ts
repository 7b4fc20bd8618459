/**
 * The mailbox table at 25,000 rows: imported through the API (one CSV), then paged, searched, filtered and
 * sorted in the browser — the server does the work, the page holds 100 rows. Prints how long a search took to
 * show (a figure for the report, not an assertion).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { tempDataDir } from '../integration/helpers.js';
import { ADMIN, startUi, watchErrors } from './helpers.js';

const N = 25_000;
let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [browser, { app, baseUrl }] = await Promise.all([launchChromium(), startUi(tempDataDir())]);
});
after(async () => {
  await Promise.all([browser?.close(), app?.close()]);
});

const server = { kind: 'imap', host: '127.0.0.1', port: 143, tls: 'none', admin: null } as const;

test('25,000 mailboxes: paging, search, filter and sort stay on the server', async () => {
  const context = await newContext(browser, baseUrl);
  const page = await context.newPage();
  const errors = watchErrors(page);

  // Set-up through the API with the browser's own cookies: admin, a project, 25,000 mailboxes (every 7th starred).
  await context.request.post('/api/setup', { data: ADMIN });
  const login = await context.request.post('/api/login', { data: ADMIN });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { 'x-csrf-token': csrfToken };
  const created = await context.request.post('/api/projects', {
    headers,
    data: { name: 'Big', source: server, destination: server },
  });
  assert.equal(created.status(), 201, await created.text());
  const { id } = (await created.json()) as { id: number };
  const lines = ['source,destination,star'];
  for (let i = 0; i < N; i++)
    lines.push(`user${String(i).padStart(5, '0')},new${i},${i % 7 === 0 ? 'yes' : 'no'}`);
  const imported = await context.request.post(`/api/projects/${id}/mailboxes/import/commit`, {
    headers,
    data: { csv: lines.join('\n') },
    timeout: 120_000,
  });
  assert.equal(imported.status(), 200, await imported.text());
  assert.equal(((await imported.json()) as { added: number }).added, N);

  await page.goto('/mailboxes');
  await page.getByText('Rows 1–100 of 25,000').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('table.mailboxes tbody tr').count(), 100);

  await page.getByRole('button', { name: 'Last »' }).first().click();
  await page.getByText('Rows 24,901–25,000 of 25,000').first().waitFor();
  assert.match(await page.locator('table.mailboxes tbody tr').last().innerText(), /user24999/);

  const t0 = Date.now();
  await page.getByLabel('Search mailboxes').fill('user12345');
  await page.getByText('Rows 1–1 of 1').waitFor();
  console.log(
    `# search over ${N} mailboxes shown after ${Date.now() - t0} ms (300 ms of it is the debounce)`,
  );
  assert.match(await page.locator('table.mailboxes tbody').innerText(), /new12345/);

  await page.getByLabel('Search mailboxes').fill('');
  await page.getByLabel('starred only').check();
  await page
    .getByText(`of ${Math.ceil(N / 7).toLocaleString('en')}`)
    .first()
    .waitFor();

  await page.getByRole('button', { name: 'Source login ▲' }).click();
  await page.waitForFunction(() =>
    /user24997/.test(document.querySelector('table.mailboxes tbody tr')?.textContent ?? ''),
  );
  await screenshot(page, '10-mailboxes-25000');
  assert.deepEqual(errors, []);
  await context.close();
});
