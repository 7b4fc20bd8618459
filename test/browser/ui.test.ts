/**
 * The web UI end to end in Debian's Chromium against a real server and a real Dovecot pair: first-run setup,
 * log in (and a refused password shown in words), the tracker, the mailbox table (search), a mailbox's
 * folders and passes, acting on an alert. Screenshots of each page go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { resolveTarget } from '../../src/cli/context.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { silentProgress } from '../../src/engine/progress.js';
import { runMigration } from '../../src/services/migration-service.js';
import { runScan } from '../../src/services/scan-service.js';
import { openStore } from '../../src/store/db.js';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { tempDataDir, url } from '../integration/helpers.js';
import { ADMIN, startUi, watchErrors } from './helpers.js';

const MB = 1024 * 1024;
const users = [
  { user: 'ann', password: 'pw-ann' },
  { user: 'bob', password: 'pw-bob' },
];
const MASTER = { user: 'migrator', password: 'pw-master' };
let src: DovecotServer;
let dst: DovecotServer;
let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

function project(): ProjectConfig {
  const one = (u: string, p: string) => resolveTarget({ from: url(src, u, p), to: url(dst, u, p) }).project;
  const a = one('ann', 'pw-ann');
  return { ...a, mailboxes: [...a.mailboxes, ...one('bob', 'pw-bob').mailboxes] };
}

before(async () => {
  [src, dst, browser] = await Promise.all([
    startDovecot({ users, masterUser: MASTER }),
    // A 1 MB message limit at the destination: ann's 2 MB message raises an oversize-items alert.
    startDovecot({ users, maxMailSize: MB, masterUser: MASTER }),
    launchChromium(),
  ]);
  await seedMessages(src, 'ann', 'pw-ann', 'INBOX', [
    { raw: makeMessage({ subject: 'hello' }) },
    { raw: makeMessage({ subject: 'big', sizeBytes: 2 * MB }) },
  ]);
  await seedMessages(src, 'ann', 'pw-ann', 'Projects', [{ raw: makeMessage({ subject: 'plan' }) }]);
  await seedMessages(src, 'bob', 'pw-bob', 'INBOX', [{ raw: makeMessage({ subject: 'hi bob' }) }]);
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  try {
    await runScan(store, project(), { progress: silentProgress });
    await runMigration(store, project(), { progress: silentProgress });
  } finally {
    await store.close();
  }
  ({ app, baseUrl } = await startUi(dataDir));
});
after(async () => {
  await Promise.all([browser?.close(), app?.close(), src?.stop(), dst?.stop()]);
});

test('an operator sets up, logs in and looks at the migration in the browser', async (t) => {
  const context = await newContext(browser, baseUrl);
  const page: Page = await context.newPage();
  const errors = watchErrors(page);

  await t.test(
    'first run: logging in offers to create the admin, which then lands on the tracker',
    async () => {
      await page.goto('/');
      await page.getByLabel('Name').fill(ADMIN.user);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'First run: create the admin account' }).waitFor();
      await page.getByLabel('Password again').fill(ADMIN.password);
      await screenshot(page, '01-setup');
      await page.getByRole('button', { name: 'Create admin and log in' }).click();
      await page.getByRole('heading', { name: 'Tracker' }).waitFor();
      await screenshot(page, '02-tracker');
    },
  );

  await t.test('a wrong password is refused in words; the right one logs in', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Name').fill(ADMIN.user);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const problem = page.getByRole('alert');
    await problem.waitFor();
    assert.match(await problem.innerText(), /LOGIN_FAILED/);
    await screenshot(page, '03-login-refused');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Tracker' }).waitFor();
  });

  await t.test(
    'a project against the Dovecot pair: a wrong password is named, the right one shows what the server offers',
    async () => {
      await page.getByRole('link', { name: 'Projects' }).click();
      await page.getByRole('link', { name: 'New project' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Head office');
      for (const [side, server] of [
        ['source', src],
        ['destination', dst],
      ] as const) {
        await page.locator(`[name="${side}.host"]`).fill('127.0.0.1');
        await page.locator(`[name="${side}.tls"]`).selectOption('none');
        await page.locator(`[name="${side}.port"]`).fill(String(server.imapPort));
        await page.locator(`[name="${side}.testMailbox"]`).fill('ann');
        await page.locator(`[name="${side}.adminMode"]`).selectOption('master');
        await page.locator(`[name="${side}.adminUser"]`).fill(MASTER.user);
        await page
          .locator(`[name="${side}.password"]`)
          .fill(side === 'source' ? 'wrong password' : MASTER.password);
      }
      await page.getByRole('button', { name: 'Create project' }).click();
      await page.getByRole('heading', { name: 'Head office' }).waitFor();

      const source = page.locator('fieldset', { hasText: 'Source: where the mail is now' });
      await source.getByRole('button', { name: 'Test connection' }).click();
      await source.getByText('connection failed').waitFor();
      assert.match(await source.locator('.problem').innerText(), /AUTH_FAILED/);
      await screenshot(page, '04-project-test-failed');

      await source.locator('[name="source.password"]').fill(MASTER.password);
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
      await screenshot(page, '05-project');
    },
  );

  await t.test('a throttling window is added, saved and still there after a reload', async () => {
    await page.getByRole('link', { name: 'Throttling' }).click();
    await page.getByText('No windows: the project').waitFor();
    await page.getByRole('button', { name: 'Add a window' }).click();
    await page.getByLabel('Sat (window 1)').check();
    await page.getByLabel('Mon (window 1)').uncheck();
    await page.getByLabel('From (window 1)').fill('19:30');
    await page.getByLabel('To (window 1)').fill('06:00');
    await page.getByLabel('Mailboxes at once (window 1)').fill('3');
    await page.getByRole('button', { name: 'Save windows' }).click();
    await page.getByText('Saved. Running work follows').waitFor();
    await page.reload();
    await page.getByLabel('From (window 1)').waitFor();
    assert.equal(await page.getByLabel('From (window 1)').inputValue(), '19:30');
    assert.equal(await page.getByLabel('To (window 1)').inputValue(), '06:00');
    assert.equal(await page.getByLabel('Mailboxes at once (window 1)').inputValue(), '3');
    assert.equal(await page.getByLabel('Mon (window 1)').isChecked(), false);
    assert.equal(await page.getByLabel('Sat (window 1)').isChecked(), true);
    await screenshot(page, '06-throttling');
  });

  await t.test('the mailbox table lists both mailboxes and searches on the server', async () => {
    await page.getByRole('link', { name: 'Mailboxes' }).click();
    await page.getByRole('link', { name: 'bob' }).waitFor();
    assert.equal(await page.locator('table.grid tbody tr').count(), 2);
    await screenshot(page, '07-mailboxes');
    await page.getByLabel('Search mailboxes').fill('bo');
    await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 1);
    assert.match(await page.locator('table.grid tbody').innerText(), /bob/);
  });

  await t.test("a mailbox's page shows its folders, passes and alerts", async () => {
    await page.getByLabel('Search mailboxes').fill('');
    await page.getByRole('link', { name: 'ann' }).click();
    await page.getByRole('heading', { name: 'Folders' }).waitFor();
    const folders = await page.locator('table.grid').first().innerText();
    assert.match(folders, /INBOX/);
    assert.match(folders, /Projects/);
    assert.match(await page.locator('.alert-list').innerText(), /oversize/i);
    await screenshot(page, '08-mailbox-ann');
  });

  await t.test('an alert marked completed leaves the active list and shows under completed', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    const alert = page.locator('.alert', { hasText: /oversize/i }).first();
    await alert.waitFor();
    await screenshot(page, '09-alerts');
    await alert.getByRole('button', { name: 'Mark completed' }).click();
    await page
      .locator('.alert', { hasText: /oversize/i })
      .first()
      .waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Completed' }).click();
    await page
      .locator('.alert', { hasText: /oversize/i })
      .first()
      .waitFor();
  });

  assert.deepEqual(errors, []);
  await context.close();
});
