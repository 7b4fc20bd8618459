/**
 * The Plan page in Debian's Chromium after `serve --project FILE` (time zone Europe/Paris): the tracker's
 * final-sync stage links to it; the suggested cutover comes with why; the order summary names every critical
 * warning; the plan is edited in place (cutover from the suggestion, communications, domains, phases, address
 * replacements), survives a reload, and its phases and exports follow.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { tempDataDir } from '../integration/helpers.js';
import { createAdmin, download, startUi, watchErrors } from './helpers.js';

let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  const file = path.join(tempDataDir(), 'plan.yaml');
  fs.writeFileSync(
    file,
    `name: Planned
source: { host: 127.0.0.1, port: 1143, tls: none }
destination: { host: 127.0.0.1, port: 2143, tls: none }
mailboxes:
  - { source: ann }
  - { source: bob }
plan:
  timezone: Europe/Paris
`,
  );
  [browser, { app, baseUrl }] = await Promise.all([launchChromium(), startUi(tempDataDir(), file)]);
});
after(async () => {
  await Promise.all([browser?.close(), app?.close()]);
});

test('Plan page: suggestion with why, warnings, edit in place, phases, export', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Planned' }).waitFor();
  await page.getByRole('link', { name: 'Set the cutover on the Plan page' }).click();
  await page.getByRole('heading', { name: 'Plan – Planned' }).waitFor();

  const suggestion = page.locator('.suggestion');
  await suggestion.waitFor();
  assert.match(
    await suggestion.innerText(),
    /Suggested cutover: \d{4}-\d\d-\d\d 18:00 \(Europe\/Paris\)\.[\s\S]*Friday at 18:00 in Europe\/Paris/,
  );
  const summary = page.locator('.summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Cutover\s+not set yet/);
  assert.match(await summary.innerText(), /2 mailbox\(es\) have no source credentials yet/);
  assert.match(await summary.innerText(), /2 mailbox\(es\) have no destination credentials yet/);
  // Neither side has an admin login: the Credentials column says both passwords are still needed.
  const annRow = await page.getByRole('row').filter({ hasText: /^ann/ }).first().innerText();
  assert.match(annRow, /source: user's password needed/);
  assert.match(annRow, /destination: user's password needed/);
  await screenshot(page, 'plan-01-new');

  const form = page.getByRole('form', { name: 'Plan' });
  await form.getByRole('button', { name: 'Use the suggested date' }).click();
  const cutover = await form.locator('[name="cutover"]').inputValue();
  assert.match(cutover, /^\d{4}-\d\d-\d\dT18:00$/);
  await form.locator('[name="notifyFrom"]').fill('2026-01-05T09:00');
  await form.getByLabel('Communications go to').selectOption('contact');
  await form.getByRole('button', { name: 'Save the plan' }).click();
  await page.getByText('Plan saved.').waitFor();
  await summary
    .getByText('Communications go to a point of contact, but none is named: set a contact on the Plan page.')
    .waitFor();
  assert.doesNotMatch(await summary.innerText(), /plan\.\w|project file|cutover \w+`|source\.admin/);

  await form.locator('[name="contact"]').fill('it@example.test');
  await form.locator('[name="domains"]').fill('example.test');
  await form.locator('[name="catchUp"]').fill('2');
  await form.locator('[name="replacements"]').fill('@old.example → @example.test');
  await form.getByRole('button', { name: 'Save the plan' }).click();
  await page.getByText('Plan saved.').waitFor();
  await summary.getByText('it@example.test').waitFor();
  assert.doesNotMatch(await summary.innerText(), /plan\.contact is not set/);

  await page.reload();
  await page.locator('.summary').waitFor();
  assert.equal(await form.locator('[name="cutover"]').inputValue(), cutover);
  assert.equal(await form.locator('[name="notifyFrom"]').inputValue(), '2026-01-05T09:00');
  assert.equal(await form.locator('[name="contact"]').inputValue(), 'it@example.test');
  assert.equal(await form.locator('[name="replacements"]').inputValue(), '@old.example → @example.test');
  assert.match(
    await summary.innerText(),
    new RegExp(`Cutover\\s+${cutover.replace('T', ' ')} \\(Europe/Paris\\)`),
  );
  assert.match(await summary.innerText(), /DNS\s+self-service for example\.test/);
  const phases = await page.locator('table.phases').innerText();
  assert.match(phases, new RegExp(`Final sync at cutover\\s+${cutover.replace('T', ' ')}`));
  assert.equal((phases.match(/Catch-up pass/g) ?? []).length, 2);
  assert.match(await page.getByText('Next run:').innerText(), /Next run: Pre-stage \(older items\)/);
  await screenshot(page, 'plan-02-saved');

  const csv = await download(page, 'CSV');
  assert.equal(csv.file, 'plan.csv');
  assert.match(csv.body.toString(), /^mailbox,destination,/);
  assert.match(csv.body.toString(), /\nann,ann,no,/);
  const xlsx = await download(page, 'XLSX');
  assert.equal(xlsx.file, 'plan.xlsx');
  assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK');

  // The tracker's final-sync stage now knows the cutover.
  await page.getByRole('link', { name: 'Tracker' }).click();
  assert.doesNotMatch(await page.locator('.stages').innerText(), /no cutover date yet/);
  assert.deepEqual(errors, []);
});
