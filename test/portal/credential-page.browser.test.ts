/**
 * The credential page in Chromium as a phone user meets it, with JavaScript turned off (a plain form): a wrong
 * password is refused with a clear message, the right one (checked against the real Dovecot) accepted, an
 * expired or tampered link refused, the attempt limit bites, and the database file never holds the password.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext } from 'playwright-core';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/store/db.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { launchChromium, screenshot } from '../harness/chromium.js';
import { tempDataDir } from '../integration/helpers.js';
import { loggedIn } from '../server/helpers.js';
import { passwordlessProject, registerMailboxes, staticProjects } from './fixtures.js';

const USERS = [
  { user: 'carol', password: 'Carol-real-pw-99' },
  { user: 'dave', password: 'Dave-real-pw-42' },
];
const PHONE_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let base: string;
let dataDir: string;
let ids: Map<string, number>;
let browser: Browser;
let phone: BrowserContext;

before(async () => {
  [src, dst] = await Promise.all([startDovecot({ users: USERS }), startDovecot({ users: USERS })]);
  const project = passwordlessProject(src, dst, ['carol', 'dave']);
  dataDir = tempDataDir();
  const store = await openStore(dataDir);
  ids = await registerMailboxes(store, project);
  await store.close();
  app = await buildServer({
    dataDir,
    projects: staticProjects(project),
    portalLimits: { perLink: { max: 3, windowMs: 600_000 } },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  phone = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    userAgent: PHONE_UA,
  });
});
after(async () => {
  await browser?.close();
  await app?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function linkFor(mailbox: string): Promise<string> {
  const session = await loggedIn(app).catch(async () => {
    // Already set up by an earlier test: log in only.
    const l = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { user: 'admin', password: 'correct horse battery' },
    });
    return {
      cookies: { cutover_session: l.cookies.find((c) => c.name === 'cutover_session')!.value },
      headers: { 'x-csrf-token': l.json<{ csrfToken: string }>().csrfToken },
    };
  });
  const r = await app.inject({
    method: 'POST',
    url: `/api/mailboxes/${ids.get(mailbox)}/credential-link`,
    ...session,
  });
  return `${base}${r.json<{ url: string }>().url}`;
}

test('wrong password refused plainly, then the right ones accepted (real logins), without JavaScript', async () => {
  const page = await phone.newPage();
  await page.goto(await linkFor('carol'));
  assert.equal(await page.locator('h1').textContent(), 'Your mailbox is moving');
  assert.match((await page.locator('main').textContent())!, /Your mailbox carol is moving/);
  assert.doesNotMatch(await page.content(), /dave/);
  await page.fill('#source', 'not-my-password');
  await page.fill('#destination', USERS[0]!.password);
  await page.click('button[type=submit]');
  const alert = page.locator('[role=alert]');
  assert.match(
    (await alert.textContent())!,
    /The password of your current mailbox \(carol\): The password is not correct: the mail server refused it\./,
  );
  assert.match(
    (await page.locator('[role=status]').textContent())!,
    /password of your new mailbox is correct and has been saved/,
  );
  await screenshot(page, 'portal-wrong-password');

  await page.fill('#source', USERS[0]!.password);
  await page.click('button[type=submit]');
  assert.match(
    (await page.locator('[role=status]').first().textContent())!,
    /password of your current mailbox is correct and has been saved securely/,
  );
  assert.match((await page.locator('main').textContent())!, /We have everything we need/);
  await screenshot(page, 'portal-accepted');
  await page.close();

  const store = await openStore(dataDir);
  try {
    const states = await new CredentialRepo(store.db).states(ids.get('carol'));
    assert.deepEqual(
      states.map((s) => [s.side, Boolean(s.verifiedAt)]),
      [
        ['destination', true],
        ['source', true],
      ],
    );
  } finally {
    await store.close();
  }
  for (const f of fs.readdirSync(dataDir).filter((n) => n.startsWith('cutover.sqlite')))
    assert.equal(
      fs.readFileSync(path.join(dataDir, f)).indexOf(USERS[0]!.password),
      -1,
      `${f} does not hold the password in clear`,
    );
});

test('a tampered or expired link is refused with what to do', async () => {
  const link = await linkFor('dave');
  const page = await phone.newPage();
  const tampered = link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA');
  const r1 = await page.goto(tampered);
  assert.equal(r1!.status(), 404);
  assert.match(
    (await page.locator('[role=alert]').textContent())!,
    /This link is not valid\. Check that you opened the whole link/,
  );
  const store = await openStore(dataDir);
  try {
    await store.db
      .updateTable('credential_links')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('mailbox_id', '=', ids.get('dave')!)
      .execute();
  } finally {
    await store.close();
  }
  const r2 = await page.goto(link);
  assert.equal(r2!.status(), 410);
  assert.match(
    (await page.locator('[role=alert]').textContent())!,
    /This link has expired\. Ask your IT contact for a new one\./,
  );
  await page.close();
});

test('the attempt limit bites: after three tries the form is refused, whatever the password', async () => {
  const page = await phone.newPage();
  await page.goto(await linkFor('dave'));
  for (let i = 0; i < 3; i++) {
    await page.fill('#source', `guess-${i}`);
    await page.fill('#destination', USERS[1]!.password); // required while missing: the browser would not post without it
    await page.click('button[type=submit]');
    assert.match((await page.locator('[role=alert]').first().textContent())!, /not correct/);
  }
  await page.fill('#source', USERS[1]!.password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('button[type=submit]'),
  ]);
  assert.equal(response.status(), 429);
  assert.match(
    (await page.locator('[role=alert]').textContent())!,
    /Too many attempts\. For your security, wait \d+ minute/,
  );
  await screenshot(page, 'portal-rate-limited');
  await page.close();
});
