/** Browser steps more than one test takes: creating a project against a Dovecot pair through the UI. */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/chromium.js';
import type { DovecotServer } from '../harness/dovecot.js';

/**
 * Create a project on the Projects page (plain IMAP on loopback, a master user on both sides, ann as the test
 * mailbox): the source's password is first given wrong, which Test connection must name, then corrected.
 */
export async function createProject(
  page: Page,
  p: {
    name: string;
    src: DovecotServer;
    dst: DovecotServer;
    master: { user: string; password: string };
    /** A pace for the run (so a test can watch it going). */
    messagesPerSecond?: number;
  },
): Promise<void> {
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByLabel('Name', { exact: true }).fill(p.name);
  if (p.messagesPerSecond) await page.locator('[name="messagesPerSecond"]').fill(String(p.messagesPerSecond));
  for (const [side, server] of [
    ['source', p.src],
    ['destination', p.dst],
  ] as const) {
    await page.locator(`[name="${side}.host"]`).fill('127.0.0.1');
    await page.locator(`[name="${side}.tls"]`).selectOption('none');
    await page.locator(`[name="${side}.port"]`).fill(String(server.imapPort));
    await page.locator(`[name="${side}.testMailbox"]`).fill('ann');
    await page.locator(`[name="${side}.adminMode"]`).selectOption('master');
    await page.locator(`[name="${side}.adminUser"]`).fill(p.master.user);
    await page
      .locator(`[name="${side}.password"]`)
      .fill(side === 'source' ? 'wrong password' : p.master.password);
  }
  await page.locator('[name="excludeFolders"]').fill('Junk\nSpam');
  // Where the destination's filters go (ManageSieve); kept as given, nothing uses it unless filters move.
  await page.locator('[name="destination.sievePort"]').fill('4190');
  // And where its contacts, calendars and tasks are (a CalDAV/CardDAV server beside it).
  await page.locator('[name="destination.groupwareUrl"]').fill('https://dav.example.org:8443/dav/');
  // A port out of range is refused by the API; the reason shows beside the button that sent it.
  await page.locator('[name="source.port"]').fill('70000');
  await page.getByRole('button', { name: 'Create project' }).click();
  const refused = page.locator('form .problem');
  await refused.waitFor();
  assert.match(
    await refused.innerText(),
    /Not accepted: “source › port” must be <= 65535\. Correct the value/,
  );
  await screenshot(page, '03-project-refused');
  await page.locator('[name="source.port"]').fill(String(p.src.imapPort));
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: p.name }).waitFor();
  // Stored as sent: after a reload the form shows it again.
  await page.reload();
  await page.getByRole('heading', { name: p.name }).waitFor();
  assert.equal(await page.locator('[name="excludeFolders"]').inputValue(), 'Junk\nSpam');
  assert.equal(await page.locator('[name="destination.sievePort"]').inputValue(), '4190');
  assert.equal(await page.locator('[name="source.sievePort"]').inputValue(), '');
  assert.equal(
    await page.locator('[name="destination.groupwareUrl"]').inputValue(),
    'https://dav.example.org:8443/dav/',
  );

  const source = page.locator('fieldset', { hasText: 'Source: where the mail is now' });
  await source.getByRole('button', { name: 'Test connection' }).click();
  await source.getByText('connection failed').waitFor();
  assert.match(await source.locator('.problem').innerText(), /AUTH_FAILED/);
  await screenshot(page, '03-project-test-failed');

  await source.locator('[name="source.password"]').fill(p.master.password);
  await source.getByRole('button', { name: 'Save and test connection' }).click();
  await source.getByText('connection works').waitFor();
  await source.getByText(/\d+ capabilities/).click();
  assert.match(await source.locator('.connection-result').innerText(), /IMAP4rev1/);

  const destination = page.locator('fieldset', { hasText: 'Destination: where the mail goes' });
  await destination.getByRole('button', { name: 'Test connection' }).click();
  await destination.getByText('connection works').waitFor();
  assert.match(
    await destination.locator('.connection-result').innerText(),
    /largest message accepted 1\.0 MB/,
  );
  await screenshot(page, '03-project');

  await page.locator('nav').getByRole('link', { name: 'Projects' }).click();
  const row = page.locator('table.grid tr', { hasText: p.name });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`IMAP 127\\.0\\.0\\.1:${p.src.imapPort}`));
  await screenshot(page, '03-projects');
}
