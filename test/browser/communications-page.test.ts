/**
 * The Communications page in Debian's Chromium, sending through a real SMTP receiver: who receives messages,
 * the schedule from the plan, a template edited (a misspelt placeholder refused), previewed, test-sent and put
 * back to the default; "send what is due now" delivers the announcement with each user's personal link, and
 * the log shows every message — to whom, for which mailbox, when, sent or refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { tempDataDir } from '../integration/helpers.js';
import { startSmtpReceiver, type SmtpReceiver } from '../notify/smtp-receiver.js';
import { logIn, projectBody } from '../server/helpers.js';
import { createAdmin, startUi, watchErrors } from './helpers.js';

let browser: Browser;
let smtp: SmtpReceiver;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [browser, smtp] = await Promise.all([launchChromium(), startSmtpReceiver()]);
  smtp.refuse.add('bob@example.test');
  const day = 86_400_000;
  // Announced an hour ago: the first reminder evening is at least 20 hours after it, so whatever the hour the
  // test runs at, only the announcement is due (announced a day ago, a run between 18:00 and 24:00 UTC found
  // that evening's reminder due as well).
  const hour = 3_600_000;
  const date = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);
  const file = path.join(tempDataDir(), 'comms.yaml');
  fs.writeFileSync(
    file,
    `name: Letters
source: { host: 127.0.0.1, port: 1143, tls: none }
destination: { host: 127.0.0.1, port: 2143, tls: none }
mailboxes:
  - { source: ann@example.test }
  - { source: bob@example.test }
plan:
  timezone: UTC
  cutover: "${date(10 * day)}"
  notifyFrom: "${date(-hour)}"
  communications: users
`,
  );
  ({ app, baseUrl } = await startUi(tempDataDir(), file, {
    publicUrl: true,
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'it@example.test' },
    commsIntervalMs: 0,
  }));
});
after(async () => {
  await Promise.all([browser?.close(), app?.close(), smtp?.stop()]);
});

test('Communications page: schedule, templates with preview and test send, send due, the log', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Letters' }).waitFor();
  await page.getByRole('link', { name: 'Write to the users' }).click();
  await page.getByRole('heading', { name: 'Communications – Letters' }).waitFor();
  await page.getByText('Each user, at their own address.').waitFor();

  const schedule = page.locator('table', { hasText: 'Until' });
  await schedule.waitFor();
  const rows = await schedule.locator('tbody tr').allInnerTexts();
  assert.match(rows[0]!, /Announcement[\s\S]*due/);
  assert.ok(
    rows.some((r) => /The day before the cutover[\s\S]*later/.test(r)),
    rows.join('\n'),
  );
  assert.ok(
    rows.some((r) => /DNS change/.test(r)),
    rows.join('\n'),
  );
  await page.getByText('No message has been sent yet.').waitFor();
  await screenshot(page, 'communications-01-schedule');

  // Edit the announcement: a misspelt placeholder is refused, a good edit saved and previewed.
  const subject = page.getByLabel('Subject');
  await subject.fill('Your mailbox moves {{cutoverDat}}');
  await page.getByRole('button', { name: 'Save the template' }).click();
  await page
    .getByRole('alert')
    .getByText(/subject uses {{cutoverDat}}/)
    .waitFor();
  await subject.fill('Your mailbox moves on {{cutoverDate}} ({{project}})');
  await page.getByRole('button', { name: 'Save the template' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByRole('option', { name: /Announcement.*– edited/ }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.locator('.preview');
  await preview.waitFor();
  assert.match(await preview.innerText(), /Subject: Your mailbox moves on .+ \(Letters\)/);
  assert.match(await preview.locator('pre').innerText(), /EXAMPLE-PERSONAL-LINK/);
  const frame = page.frameLocator('iframe[title="HTML preview"]');
  await frame.locator('body', { hasText: 'EXAMPLE-PERSONAL-LINK' }).waitFor();
  await screenshot(page, 'communications-02-preview');

  await page.getByLabel('Send a test to').fill('me@example.test');
  await page.getByRole('button', { name: 'Send the test' }).click();
  await page.getByText('Test sent to me@example.test.').waitFor();
  const tested = smtp.to('me@example.test');
  assert.equal(tested.length, 1);
  assert.match(tested[0]!.subject, /Your mailbox moves on .+ \(Letters\)/);

  // Send what is due: the edited announcement, with a personal link, to ann; bob's address is refused.
  await page.getByRole('button', { name: 'Send what is due now' }).click();
  await page.getByText(/Sent 1 message\(s\); 1 failed/).waitFor();
  const ann = smtp.to('ann@example.test');
  assert.equal(ann.length, 1);
  assert.match(ann[0]!.subject, /Your mailbox moves on/);
  assert.match(ann[0]!.raw, new RegExp(`${baseUrl}/p/[A-Za-z0-9_-]{43}`));
  assert.equal(smtp.to('bob@example.test').length, 0);

  const log = page.locator('table.comms-log');
  await log.locator('tbody tr').nth(2).waitFor();
  const entries = await log.locator('tbody tr').allInnerTexts();
  assert.equal(entries.length, 3, entries.join('\n'));
  assert.ok(
    entries.some((e) => /ann@example\.test\s+ann@example\.test\s+announcement[\s\S]*sent/.test(e)),
    entries.join('\n'),
  );
  assert.ok(
    entries.some((e) => /bob@example\.test[\s\S]*announcement[\s\S]*refused/.test(e)),
    entries.join('\n'),
  );
  assert.ok(
    entries.some((e) => /me@example\.test\s+—\s+test of the announcement[\s\S]*sent/.test(e)),
    entries.join('\n'),
  );
  await screenshot(page, 'communications-03-log');

  // Pressing again sends nothing twice.
  await page.getByRole('button', { name: 'Send what is due now' }).click();
  await page.getByText('Nothing was due').waitFor();
  assert.equal(smtp.to('ann@example.test').length, 1);

  await page.getByRole('button', { name: 'Back to the default' }).click();
  await page.getByText('Back to the default.').waitFor();
  await page.getByRole('button', { name: 'Back to the default' }).waitFor({ state: 'detached' });
  assert.doesNotMatch(await subject.inputValue(), /Your mailbox moves on/);

  // A second project: its page sends to its own mailbox only, and neither log shows the other's messages.
  const auth = await logIn(app);
  const other = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('Other', {
      plan: {
        mode: 'admin',
        communications: 'users',
        notifyFrom: new Date(Date.now() - 86_400_000).toISOString(),
        cutover: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      },
    }),
  });
  assert.equal(other.statusCode, 201, other.body);
  const added = await app.inject({
    method: 'POST',
    url: `/api/projects/${other.json<{ id: number }>().id}/mailboxes`,
    ...auth,
    payload: { sourceUser: 'cy@example.test' },
  });
  assert.equal(added.statusCode, 201, added.body);
  await page.reload();
  await page.getByRole('combobox', { name: 'Project', exact: true }).selectOption({ label: 'Other' });
  await page.getByRole('heading', { name: 'Communications – Other' }).waitFor();
  await page.getByText('No message has been sent yet.').waitFor();
  await page.getByRole('button', { name: 'Send what is due now' }).click();
  await page.getByText('Sent 1 message(s).').waitFor();
  await log.locator('tbody tr').first().waitFor();
  const otherEntries = await log.locator('tbody tr').allInnerTexts();
  assert.equal(otherEntries.length, 1, otherEntries.join('\n'));
  assert.match(otherEntries[0]!, /cy@example\.test\s+cy@example\.test\s+announcement[\s\S]*sent/);
  assert.equal(smtp.to('cy@example.test').length, 1);
  assert.equal(smtp.to('ann@example.test').length, 1, 'the other project sends nothing to ann again');
  await screenshot(page, 'communications-04-other-project');

  await page.getByRole('combobox', { name: 'Project', exact: true }).selectOption({ label: 'Letters' });
  await page.getByRole('heading', { name: 'Communications – Letters' }).waitFor();
  await log.locator('tbody tr').nth(2).waitFor();
  const again = await log.locator('tbody tr').allInnerTexts();
  assert.equal(again.length, 3, again.join('\n'));
  assert.ok(!again.some((e) => /cy@example\.test/.test(e)), again.join('\n'));
  assert.deepEqual(errors, []);
});
