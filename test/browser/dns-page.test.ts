/**
 * The DNS page in Debian's Chromium against a real Knot server holding example.test as the old provider left
 * it: the tracker's DNS stage links to the page (no API path shown to a person); the page shows the records
 * needed, the live ones and the difference, hands over the zone file, checks (not ready), applies the change by
 * signed RFC 2136 update, and checks again (ready).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, screenshot } from '../harness/chromium.js';
import { startKnot, TEST_ZONE, type DnsTestServer } from '../harness/dns-server.js';
import { tempDataDir } from '../integration/helpers.js';
import { createAdmin, startUi, watchErrors } from './helpers.js';

let browser: Browser;
let dns: DnsTestServer;
let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  [browser, dns] = await Promise.all([launchChromium(), startKnot()]);
  process.env.CUTOVER_TEST_TSIG = dns.updateKey.secret;
  const file = path.join(tempDataDir(), 'dns.yaml');
  fs.writeFileSync(
    file,
    `name: Domains
source: { host: 127.0.0.1, port: 1143, tls: none }
destination: { host: 127.0.0.1, port: 2143, tls: none }
mailboxes:
  - { source: ann@${TEST_ZONE} }
plan:
  cutover: "2027-01-10T18:00"
  timezone: UTC
  domains: [${TEST_ZONE}]
  dns: dynamic
  dnsServer: { host: 127.0.0.1, port: ${dns.port}, keyName: ${dns.updateKey.name}, keySecret: { env: CUTOVER_TEST_TSIG } }
  dnsTarget: { kind: imap, mxHost: mx.new.example }
`,
  );
  ({ app, baseUrl } = await startUi(tempDataDir(), file));
});
after(async () => {
  delete process.env.CUTOVER_TEST_TSIG;
  await Promise.all([browser?.close(), app?.close(), dns?.stop()]);
});

test('DNS page: needed, live, difference, zone file, check, apply, check again', async () => {
  const page = await (await newContext(browser, baseUrl)).newPage();
  const errors = watchErrors(page);
  await createAdmin(page);
  await page.getByRole('heading', { name: 'Tracker – Domains' }).waitFor();

  // The tracker's DNS stage: a link to the page, no API path.
  await page.locator('.stage', { hasText: 'DNS' }).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /\/api\/|POST /);
  await page.getByRole('link', { name: 'Open the DNS page' }).click();
  await page.getByRole('heading', { name: 'DNS – Domains' }).waitFor();
  const domain = page.locator('article', { hasText: TEST_ZONE });
  await domain.waitFor();
  let text = await domain.innerText();
  assert.match(text, /not checked yet/);
  assert.match(text, /Needed[\s\S]*example\.test MX 10 mx\.new\.example/);
  assert.match(text, /Live now[\s\S]*example\.test MX 10 mx1\.old-mail\.example/);
  assert.match(text, /Difference[\s\S]*Replace example\.test MX 10 mx1\.old-mail\.example/);
  await screenshot(page, 'dns-01-before');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    domain.getByRole('link', { name: `Download the zone file of ${TEST_ZONE}` }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${TEST_ZONE}.zone`);
  const zone = fs.readFileSync(await download.path(), 'utf8');
  assert.match(zone, /MX\s+10 mx\.new\.example\./);
  assert.doesNotMatch(zone, /mx1\.old-mail\.example/);

  await page.getByRole('button', { name: 'Check now' }).click();
  await domain.getByText('not ready').waitFor();
  assert.match(await domain.innerText(), /Last checked .*: Not visible at the last check/);
  await screenshot(page, 'dns-02-not-ready');

  await page.getByRole('button', { name: `Apply the changes to 127.0.0.1:${dns.port}` }).click();
  await page.getByText(/Sent \d+ change\(s\) for example\.test/).waitFor();
  await domain.getByText('Nothing to change: the live records are the needed ones.').waitFor();
  await page.getByRole('button', { name: 'Check now' }).click();
  await domain.getByText('ready: every record is visible').waitFor();
  text = await domain.innerText();
  assert.match(text, /Live now[\s\S]*example\.test MX 10 mx\.new\.example/);
  await screenshot(page, 'dns-03-ready');

  await page.getByRole('link', { name: 'Tracker' }).click();
  const stage = page.locator('.stage', { hasText: 'DNS' });
  await stage.getByText('Last checked').waitFor();
  assert.match(await stage.innerText(), /done\s*1/);
  assert.deepEqual(errors, []);
});
