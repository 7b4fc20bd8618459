/**
 * The web UI end to end in Debian's Chromium against a real server (`buildServer` on a loopback port) and a
 * real Dovecot pair: first-run setup and log in, a project with Test connection, a throttling window, a CSV
 * import with a bad row, a migration started from the tracker and watched to the end, a mailbox's folders and
 * item errors, acting on an alert. Screenshots of each page go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { tempDataDir } from '../integration/helpers.js';
import { ADMIN, startUi, watchErrors } from './helpers.js';
import { createProject } from './steps.js';
import { actOnAlerts, downloadReports } from './steps-results.js';

const MB = 1024 * 1024;
const BOB = 32;
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
let dataDir: string;

before(async () => {
  [src, dst, browser] = await Promise.all([
    startDovecot({ users, masterUser: MASTER }),
    // A 1 MB message limit at the destination: ann's 2 MB message is skipped with its reason.
    startDovecot({ users, maxMailSize: MB, masterUser: MASTER }),
    launchChromium(),
  ]);
  await seedMessages(src, 'ann', 'pw-ann', 'INBOX', [
    { raw: makeMessage({ subject: 'hello' }) },
    { raw: makeMessage({ subject: 'big', sizeBytes: 2 * MB }) },
  ]);
  await seedMessages(src, 'ann', 'pw-ann', 'Projects', [{ raw: makeMessage({ subject: 'plan' }) }]);
  // Bob's 8 folders of 4 at the project's pace of 4 messages a second keep the run going long enough to
  // watch and pause (the rate limiter paces each folder's batch, at most a second's budget at a time).
  for (let f = 1; f <= 8; f++)
    await seedMessages(
      src,
      'bob',
      'pw-bob',
      `Folder ${f}`,
      Array.from({ length: 4 }, (_, i) => ({ raw: makeMessage({ subject: `bob ${f}.${i}` }) })),
    );
  dataDir = tempDataDir();
  ({ app, baseUrl } = await startUi(dataDir));
});
after(async () => {
  await Promise.all([browser?.close(), app?.close(), src?.stop(), dst?.stop()]);
});

test('an operator sets up, connects the servers, imports mailboxes, migrates and checks the result in the browser', async (t) => {
  const context = await newContext(browser, baseUrl);
  const page: Page = await context.newPage();
  const errors = watchErrors(page);

  await t.test(
    'first run: a fresh install opens on the set-up form, which then lands on the tracker',
    async () => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'First run: create the admin account' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Log in', exact: true }).count(), 0);
      await page.getByLabel('Name').fill(ADMIN.user);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByLabel('Password again').fill(ADMIN.password);
      await screenshot(page, '01-setup');
      await page.getByRole('button', { name: 'Create admin and log in' }).click();
      await page.getByText('No project yet.').waitFor();
    },
  );

  await t.test('a wrong password is refused in words; the right one logs in', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    // Once an admin exists, only the log-in form: no way to start a second "first run".
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await page.getByLabel('Password again').count(), 0);
    await page.getByLabel('Name').fill(ADMIN.user);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const problem = page.getByRole('alert');
    await problem.waitFor();
    assert.match(await problem.innerText(), /LOGIN_FAILED/);
    await screenshot(page, '02-login-refused');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Tracker' }).waitFor();
  });

  await t.test(
    'a project against the Dovecot pair: a wrong password is named, the right one shows what the server offers',
    async () => {
      await createProject(page, { name: 'Head office', src, dst, master: MASTER, messagesPerSecond: 4 });
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
    assert.match(await page.locator('p.now').innerText(), /Allowed right now: (3|4) mailboxes at once/);
    await screenshot(page, '04-throttling');
  });

  await t.test(
    'a CSV import previews each row, names the bad one by line, and stores the good ones',
    async () => {
      await page.getByRole('link', { name: 'Mailboxes' }).click();
      await page.getByRole('link', { name: 'Import CSV' }).click();
      await page
        .getByLabel('CSV text')
        .fill('source,destination,star\nann,ann,yes\nbob,bob,no\ncarol,carol,perhaps\n');
      await page.getByRole('button', { name: 'Check (preview)' }).click();
      const bad = page.locator('.problem', { hasText: 'Rows that will not be imported' });
      await bad.waitFor();
      assert.match(await bad.innerText(), /Line 4/);
      await screenshot(page, '05-import-preview');
      await page.getByRole('button', { name: 'Import 2 mailboxes' }).click();
      await page.getByText('Imported: 2 added').waitFor();
      await page.getByRole('link', { name: 'See the mailboxes' }).click();
      await page.getByRole('link', { name: 'bob' }).waitFor();
      assert.equal(await page.locator('table.mailboxes tbody tr').count(), 2);
      assert.equal(await page.getByRole('button', { name: 'Unstar ann' }).count(), 1);
      await page.getByRole('button', { name: 'Star bob' }).click();
      await page.getByRole('button', { name: 'Unstar bob' }).waitFor();
      await page.getByLabel('Search mailboxes').fill('bo');
      await page.waitForFunction(() => document.querySelectorAll('table.mailboxes tbody tr').length === 1);
      await screenshot(page, '06-mailboxes');
      await page.getByLabel('Search mailboxes').fill('');
    },
  );

  await t.test(
    'a mailbox gets its own item types and date range; a bulk action unstars the ticked one',
    async () => {
      const annRow = page.locator('table.mailboxes tr', { hasText: 'ann' });
      await annRow.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('form', { name: 'Edit ann' });
      await form.getByLabel('Its own item types').check();
      // Every type can be ticked; ann keeps mail only (the row below says so).
      assert.equal(await form.getByRole('checkbox', { name: 'contacts', exact: true }).isEnabled(), true);
      assert.equal(await form.getByRole('checkbox', { name: 'contacts', exact: true }).isChecked(), false);
      await form.getByLabel('Only items since').fill('2000-01-01');
      await screenshot(page, '06-mailbox-edit');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await annRow.getByText('mail · since 2000-01-01').waitFor();

      await page.getByLabel('Select bob').check();
      const bulk = page.locator('.bulk');
      await bulk.getByText('1 ticked').waitFor();
      await bulk.getByRole('button', { name: 'Unstar' }).click();
      await bulk.getByText('Unstar: 1 mailbox.').waitFor();
      await page.getByRole('button', { name: 'Star bob' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Unstar ann' }).count(), 1);
    },
  );

  await t.test('"Find on the source" against an IMAP server says why it cannot list mailboxes', async () => {
    await page.getByRole('link', { name: 'Find on the source' }).click();
    await page.getByRole('button', { name: 'Look up' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /cannot list its mailboxes.*Import the mailboxes from a CSV/);
    await screenshot(page, '06-discover-imap');
    await page.locator('.crumbs').getByRole('link', { name: 'Mailboxes' }).click();
  });

  await t.test('a migration started on the tracker is watched until every mailbox is done', async () => {
    await page.getByRole('link', { name: 'Tracker' }).click();
    await page.getByRole('button', { name: 'Start migration (every mailbox)' }).click();
    // While it runs: live progress and the throughput chart; then pause and resume it.
    await page.getByRole('heading', { name: 'This pass' }).waitFor({ timeout: 30_000 });
    await page.locator('svg.chart').waitFor({ timeout: 30_000 });
    await screenshot(page, '07-tracker-running');
    await page.getByRole('button', { name: 'Pause project' }).click();
    await page.getByRole('button', { name: 'Resume project' }).waitFor({ timeout: 30_000 });
    await page.locator('.run-controls').getByText('paused').waitFor({ timeout: 30_000 });
    await screenshot(page, '07-tracker-paused');
    await page.getByRole('button', { name: 'Resume project' }).click();
    await page.getByText('last pass ended').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('.run-controls').innerText(), /2 done, 0 failed, 0 stopped/);
    await page.locator('.by-status').getByText('2 done').waitFor();
    const initialSync = page.locator('button.stage', { hasText: 'Initial sync' });
    await initialSync.getByText(/done\s*2/).waitFor();
    // A finished pass proves each destination ready, scan or not.
    await page
      .locator('button.stage', { hasText: 'Destination ready' })
      .getByText(/done\s*2/)
      .waitFor();
    // Drill-down: nobody fetched a mail-client profile, so "Client set-up" still waits for both mailboxes.
    await page.locator('button.stage', { hasText: 'Client set-up' }).click();
    const drill = page.locator('.drill');
    await drill.getByRole('link', { name: 'bob' }).waitFor();
    assert.match(await drill.innerText(), /ann/);
    await screenshot(page, '07-tracker-done');
    // What the tracker says is what the destination holds, across the pause: ann's two small messages, all of bob's once.
    const count = async (user: string, pw: string) =>
      (await listAll(dst, user, pw)).reduce((n, f) => n + f.messages.length, 0);
    assert.deepEqual([await count('ann', 'pw-ann'), await count('bob', 'pw-bob')], [2, BOB]);
  });

  await t.test(
    "a mailbox's page shows its folders, the pass and the skipped item with its reason",
    async () => {
      await page.locator('.by-status').getByText('2 done').click();
      await page.locator('table.mailboxes').getByRole('link', { name: 'ann' }).click();
      await page.getByRole('heading', { name: 'Folders' }).waitFor();
      const folders = await page.locator('table.grid').first().innerText();
      assert.match(folders, /INBOX/);
      assert.match(folders, /Projects/);
      assert.match(await page.locator('section').innerText(), /larger than the destination accepts/);
      await screenshot(page, '08-mailbox-ann');
    },
  );

  await t.test(
    "a mailbox's page says 'ledger only' until the destination is read back; Verify now shows the result",
    async () => {
      await page.locator('.pill').getByText('ledger only, not verified', { exact: true }).waitFor();
      await page.getByText(/Never verified/).waitFor();
      await page.getByRole('button', { name: 'Verify now' }).click();
      const last = page.locator('.verification').getByText(/Last verification/);
      await last.waitFor({ timeout: 60_000 });
      // ann: two messages copied, the oversize one skipped (not looked for).
      assert.match(
        await last.innerText(),
        /matches — 2 checked, 0 missing, 0 with other flags, 0 extra, 0 altered/,
      );
      await page.getByText('reconciles: every source item accounted for and read back').waitFor();
      await screenshot(page, '08-mailbox-ann-verified');
    },
  );

  await t.test('alerts: complete and undo, auto-archive the type and undo, e-mail refused in words', () =>
    actOnAlerts(page, dataDir),
  );

  await t.test(
    'reports: the project CSV downloads with every mailbox, a mailbox JSON reconciles, the printable page opens',
    () => downloadReports(page),
  );

  await t.test('a Microsoft 365 or Google Workspace side asks for its own login, not a host', async () => {
    await page.locator('nav').getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('link', { name: 'New project' }).click();
    await page.locator('[name="source.kind"]').selectOption('graph');
    await page.getByLabel('Tenant (directory id or domain)').waitFor();
    await page.getByLabel('App (client) id').waitFor();
    await page.getByLabel('Client secret').waitFor();
    assert.equal(await page.locator('[name="source.host"]').count(), 0);
    await page.locator('[name="destination.kind"]').selectOption('gmail');
    await page.getByLabel("Service account key (the JSON file's text)").waitFor();
    assert.equal(await page.locator('[name="destination.port"]').count(), 0);
    await screenshot(page, '13-project-cloud');
  });

  assert.deepEqual(errors, []);
  await context.close();
});
