/** Browser steps on the results of a migration: acting on alerts (and undoing), downloading reports. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { openStore } from '../../src/store/db.js';
import { screenshot } from '../harness/chromium.js';

/**
 * On a mailbox page (its id is in the URL): raise two alerts for it, then on the Alerts page complete one and
 * undo, auto-archive the other's type and undo, and e-mail one with no SMTP configured (refused in words).
 */
export async function actOnAlerts(page: Page, dataDir: string): Promise<void> {
  const annId = Number(page.url().split('/').pop());
  const store = await openStore(dataDir);
  try {
    // Raised as the scan raises them (the scan has no API yet).
    const alerts = new AlertRepo(store.db);
    await alerts.raise({
      mailboxId: annId,
      type: 'oversize-items',
      level: 'advisory',
      text: 'ann: 1 item(s) are larger than the destination accepts and will be skipped.',
    });
    await alerts.raise({
      mailboxId: annId,
      type: 'quota-too-small',
      level: 'critical',
      text: 'ann: the destination quota is too small.',
    });
  } finally {
    await store.close();
  }
  page.on('dialog', (d) => void d.accept());
  await page.getByRole('link', { name: 'Alerts' }).click();
  const oversize = page.locator('.alert', { hasText: 'oversize-items' });
  const quota = page.locator('.alert', { hasText: 'quota-too-small' });
  await oversize.waitFor();
  await quota.waitFor();
  await screenshot(page, '09-alerts');

  await oversize.getByRole('button', { name: 'Mark completed' }).click();
  await oversize.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Undo last action' }).click();
  await page.getByText(/Undone: marking completed – 1 alert back/).waitFor();
  await oversize.waitFor();

  await quota.getByRole('button', { name: /Auto-archive all/ }).click();
  await quota.waitFor({ state: 'detached' });
  await page.getByRole('tab', { name: 'Archived' }).click();
  await quota.waitFor();
  await page.getByRole('button', { name: 'Undo last action' }).click();
  await page.getByText(/Undone: auto-archiving of type quota-too-small/).waitFor();
  await page.getByRole('tab', { name: 'Active' }).click();
  await quota.waitFor();

  // No SMTP server is configured for this server: the refusal shows under the alert, in words.
  await oversize.getByRole('button', { name: 'E-mail to someone…' }).click();
  await oversize.getByLabel('To (e-mail address)').fill('helpdesk@example.org');
  await oversize.getByRole('button', { name: 'Send' }).click();
  const refusal = oversize.getByRole('alert');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /SMTP is not configured.*\(NOT_CONFIGURED\)/);
  await screenshot(page, '10-alert-email-refused');
}

/** On the Reports page: the project CSV, a mailbox's JSON (it reconciles) and the printable page. */
export async function downloadReports(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'Whole project' }).waitFor();
  await page.locator('table.reports').getByText('bob').first().waitFor();
  await screenshot(page, '11-reports');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).first().click(),
  ]);
  const csvText = await readFile(await csv.path(), 'utf8');
  assert.match(csvText, /ann/);
  assert.match(csvText, /bob/);

  const annRow = page.locator('table.reports tr', { hasText: 'ann' });
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    annRow.getByRole('link', { name: 'Download JSON' }).click(),
  ]);
  const report = JSON.parse(await readFile(await json.path(), 'utf8')) as
    { reconciles?: boolean } | Array<{ reconciles?: boolean }>;
  assert.equal((Array.isArray(report) ? report[0] : report)?.reconciles, true);

  const [printable] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('link', { name: 'Printable page' }).first().click(),
  ]);
  await printable.waitForLoadState();
  assert.match(await printable.locator('body').innerText(), /ann/);
  await screenshot(printable, '12-report-printable');
  await printable.close();
}
