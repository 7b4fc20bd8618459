/**
 * Issue 13's end-to-end test: a whole migration planned and run in Debian's Chromium alone, after start-up,
 * against a real Dovecot pair (the source reached through a master login, the destination with each user's own
 * password), a real Knot holding the old MX, and a real SMTP receiver. Scan, set the plan, send the
 * announcement, a user enters their new password from the link in it, the operator enters the other's, run,
 * apply and check the DNS change, see the report. Every page is saved under test-output/screenshots/e2e-*.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { startKnot, TEST_ZONE, type DnsTestServer } from '../harness/dns-server.js';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { tempDataDir } from '../integration/helpers.js';
import { startSmtpReceiver, type SmtpReceiver } from '../notify/smtp-receiver.js';
import { createAdmin, startUi, watchErrors } from './helpers.js';

const USERS = ['ann', 'bob'].map((u) => ({ user: `${u}@${TEST_ZONE}`, password: `Pw-${u}-new-9` }));
const MASTER = { user: 'migrator', password: 'Master-pw-1' };
const pw = (u: string) => USERS.find((x) => x.user === u)!.password;
let browser: Browser;
let src: DovecotServer;
let dst: DovecotServer;
let dns: DnsTestServer;
let smtp: SmtpReceiver;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [browser, src, dst, dns, smtp] = await Promise.all([
    launchChromium(),
    startDovecot({ users: USERS, masterUser: MASTER }),
    startDovecot({ users: USERS }),
    startKnot(),
    startSmtpReceiver(),
  ]);
  for (const { user, password } of USERS)
    for (const folder of ['INBOX', 'Projects'])
      await seedMessages(
        src,
        user,
        password,
        folder,
        [1, 2, 3].map((i) => ({ raw: makeMessage({ subject: `${user} ${folder} ${i}` }) })),
      );
  process.env.CUTOVER_TEST_TSIG = dns.updateKey.secret;
  process.env.CUTOVER_TEST_MASTER = MASTER.password;
  const file = path.join(tempDataDir(), 'whole.yaml');
  fs.writeFileSync(
    file,
    `name: Whole
source:
  host: 127.0.0.1
  port: ${src.imapPort}
  tls: none
  admin: { user: ${MASTER.user}, password: { env: CUTOVER_TEST_MASTER }, mode: master }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none }
mailboxes:
${USERS.map((u) => `  - { source: ${u.user} }`).join('\n')}
plan:
  timezone: UTC
  dns: dynamic
  dnsServer: { host: 127.0.0.1, port: ${dns.port}, keyName: ${dns.updateKey.name}, keySecret: { env: CUTOVER_TEST_TSIG } }
  dnsTarget: { kind: imap, mxHost: mx.new.example }
`,
  );
  ({ app, baseUrl } = await startUi(tempDataDir(), file, {
    publicUrl: true,
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'it@example.test' },
    commsIntervalMs: 0,
  }));
});
after(async () => {
  delete process.env.CUTOVER_TEST_TSIG;
  delete process.env.CUTOVER_TEST_MASTER;
  await Promise.all([browser?.close(), app?.close(), src?.stop(), dst?.stop(), dns?.stop(), smtp?.stop()]);
});

/** Nothing a person reads names an API path or a project-file key. */
async function plainWords(page: Page): Promise<void> {
  assert.doesNotMatch(
    await page.locator('main').innerText(),
    /\/api\/|\bPOST \/|plan\.[a-z]+[A-Z]?\w*\b|project file/,
  );
}

test('a whole migration from the browser: scan, plan, announce, passwords, run, DNS, report', async () => {
  const context = await newContext(browser, baseUrl);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Whole' }).waitFor();
  await page.locator('.stage', { hasText: 'DNS' }).waitFor();
  await plainWords(page);
  await screenshot(page, 'e2e-01-tracker');

  // Scan.
  await page.getByRole('link', { name: 'Scan the mailboxes first' }).click();
  await page.getByRole('button', { name: 'Scan every mailbox (2)' }).click();
  const scanned = page.locator('table.scan-mailboxes');
  await scanned.waitFor({ timeout: 60_000 });
  assert.match(await scanned.locator('tr', { hasText: 'ann@' }).first().innerText(), /done\s+2\s+6\b/);
  await plainWords(page);
  await screenshot(page, 'e2e-02-scan');

  // Plan: cutover from the suggestion, notifications from now, to the users, the mail domain.
  await page.getByRole('link', { name: 'Plan', exact: true }).click();
  const form = page.getByRole('form', { name: 'Plan' });
  await form.getByRole('button', { name: 'Use the suggested date' }).click();
  await form.locator('[name="notifyFrom"]').fill(new Date(Date.now() - 3600_000).toISOString().slice(0, 16));
  await form.getByLabel('Communications go to').selectOption('users');
  await form.locator('[name="domains"]').fill(TEST_ZONE);
  await form.getByRole('button', { name: 'Save the plan' }).click();
  await page.getByText('Plan saved.').waitFor();
  await page.locator('.summary').getByText(`dynamic for ${TEST_ZONE}`).waitFor();
  await plainWords(page);
  await screenshot(page, 'e2e-03-plan');

  // The announcement, each user's personal link in it.
  await page.getByRole('link', { name: 'Communications' }).click();
  await page.getByRole('button', { name: 'Send what is due now' }).click();
  await page.getByText('Sent 2 message(s).').waitFor();
  await page.locator('table.comms-log tbody tr').nth(1).waitFor();
  await plainWords(page);
  await screenshot(page, 'e2e-04-communications');
  const mail = smtp.to(USERS[0]!.user);
  assert.equal(mail.length, 1);
  const link = new RegExp(`${baseUrl}/p/[A-Za-z0-9_-]{43}`).exec(mail[0]!.raw)?.[0];
  assert.ok(link, mail[0]!.raw);

  // ann opens her link (no operator session) and enters her new mailbox's password.
  const user = await (await newContext(browser)).newPage();
  await user.goto(link);
  await user.locator('#destination').fill(pw(USERS[0]!.user));
  await user.getByRole('button', { name: 'Check and save' }).click();
  await user.getByText(/password of your new mailbox is correct/).waitFor();
  await screenshot(user, 'e2e-05-portal');
  await user.context().close();

  // The operator enters bob's on the Credentials page.
  await page.getByRole('link', { name: 'Credentials' }).click();
  const bobRow = page.locator('tbody tr', { hasText: USERS[1]!.user }).first();
  const [popup] = await Promise.all([
    context.waitForEvent('page'),
    bobRow.getByRole('link', { name: 'Enter the password' }).click(),
  ]);
  await popup.locator('#destination').fill(pw(USERS[1]!.user));
  await popup.getByRole('button', { name: 'Check and save' }).click();
  await popup.getByText(/password of your new mailbox is correct/).waitFor();
  await popup.close();
  await page.reload();
  for (const u of USERS)
    await page
      .locator('tbody tr', { hasText: u.user })
      .first()
      .getByText('verified', { exact: true })
      .waitFor();
  await plainWords(page);
  await screenshot(page, 'e2e-06-credentials');

  // Run.
  await page.getByRole('link', { name: 'Tracker' }).click();
  await page.getByRole('button', { name: 'Start migration (every mailbox)' }).click();
  await page.locator('.by-status').getByText('2 done').waitFor({ timeout: 120_000 });
  await plainWords(page);
  // The final-sync stage states the cutover in words and offers the Plan page to see it, not to set it.
  const finalSync = page.locator('.stage', { hasText: 'Final sync' });
  assert.match(await finalSync.innerText(), /cutover \(\d{4}-\d\d-\d\d 18:00 UTC\)/);
  await page.getByRole('link', { name: 'See the cutover on the Plan page' }).waitFor();
  await screenshot(page, 'e2e-07-tracker-done');
  for (const u of USERS) {
    const at = await listAll(dst, u.user, u.password);
    const counts = Object.fromEntries(at.map((f) => [f.path, f.messages.length]));
    assert.equal(counts.INBOX, 3, JSON.stringify(counts));
    assert.equal(counts.Projects, 3, JSON.stringify(counts));
  }

  // DNS: apply the change to Knot and check it is visible.
  await page.getByRole('link', { name: 'Open the DNS page' }).click();
  await page.getByRole('button', { name: `Apply the changes to 127.0.0.1:${dns.port}` }).click();
  await page.getByText(/Sent \d+ change\(s\) for example\.test/).waitFor();
  await page.getByRole('button', { name: 'Check now' }).click();
  await page.getByText('ready: every record is visible').waitFor();
  await plainWords(page);
  await screenshot(page, 'e2e-08-dns');

  // The proof: read the destination back from the tracker's final-sync stage.
  await page.getByRole('link', { name: 'Tracker' }).click();
  await page.getByRole('button', { name: 'Verify now' }).click();
  await page.getByText('2 of 2 mailbox(es) match').waitFor({ timeout: 120_000 });
  await screenshot(page, 'e2e-09-verified');

  // The report: listed per mailbox, and the printable page says every mailbox reconciles.
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.locator('main table').first().waitFor();
  const report = await page.locator('main').innerText();
  for (const u of USERS) assert.match(report, new RegExp(u.user.replace('.', '\\.')));
  await plainWords(page);
  await screenshot(page, 'e2e-10-reports');
  const [printable] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('link', { name: 'Printable page' }).first().click(),
  ]);
  await printable.waitForLoadState();
  const text = await printable.locator('body').innerText();
  assert.match(text, /Migration report/);
  assert.match(text, /Mailboxes\s+2 \(2 reconcile\)/, text.slice(0, 600));
  assert.doesNotMatch(text, /not verified/);
  for (const u of USERS) assert.match(text, new RegExp(u.user.replace('.', '\\.')));
  await screenshot(printable, 'e2e-11-printable-report');
  await printable.close();
  assert.deepEqual(errors, []);
});
