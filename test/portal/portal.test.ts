/**
 * The public credential page over HTTP (in-process), checked against a real Dovecot: only the link's own
 * mailbox is shown, the form token is bound to the link, wrong passwords are refused plainly, right ones
 * stored sealed, expired/revoked/tampered links refused, the attempt limit bites, and the operator routes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/store/db.js';
import { CredentialLinkRepo } from '../../src/store/credential-link-repo.js';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { tempDataDir } from '../integration/helpers.js';
import { loggedIn } from '../server/helpers.js';
import { formTokenOf, passwordlessProject, registerMailboxes, staticProjects } from './fixtures.js';

const USERS = [
  { user: 'alice', password: 'Alice-secret-pw-17' },
  { user: 'bob', password: 'Bob-secret-pw-23' },
];
let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let dataDir: string;
let ids: Map<string, number>;

before(async () => {
  [src, dst] = await Promise.all([startDovecot({ users: USERS }), startDovecot({ users: USERS })]);
  const project = passwordlessProject(src, dst, ['alice', 'bob']);
  project.destination.admin = { user: 'unused', password: { value: 'x' }, mode: 'master' }; // only the old password is asked
  dataDir = tempDataDir();
  const store = await openStore(dataDir);
  ids = await registerMailboxes(store, project);
  await store.close();
  app = await buildServer({
    dataDir,
    projects: staticProjects(project),
    publicUrl: 'https://migrate.example.test',
    portalLimits: { perLink: { max: 4, windowMs: 60_000 } },
  });
});
after(async () => {
  await app?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function issue(mailbox: string, session: Awaited<ReturnType<typeof loggedIn>>, days?: number) {
  const r = await app.inject({
    method: 'POST',
    url: `/api/mailboxes/${ids.get(mailbox)}/credential-link${days ? `?days=${days}` : ''}`,
    ...session,
  });
  assert.equal(r.statusCode, 201, r.body);
  const { url, expiresAt } = r.json<{ url: string; expiresAt: string }>();
  assert.match(url, /^https:\/\/migrate\.example\.test\/p\/[A-Za-z0-9_-]{43}$/);
  return { path: new URL(url).pathname, expiresAt };
}

const post = (url: string, fields: Record<string, string>, cookies?: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
    cookies,
  });

let session: Awaited<ReturnType<typeof loggedIn>>;

/** The credentials stage of the tracker: mailboxes, and how many have their passwords present and verified. */
const credentialCounts = async () =>
  (await app.inject({ method: 'GET', url: '/api/credentials/stages', cookies: session.cookies })).json<{
    credentials: unknown;
  }>().credentials;

test('the operator routes need a session; a link opens a page about that mailbox only', async () => {
  assert.equal((await app.inject({ method: 'GET', url: '/api/credentials' })).statusCode, 401);
  session = await loggedIn(app);
  const noCsrf = await app.inject({
    method: 'POST',
    url: `/api/mailboxes/${ids.get('alice')}/credential-link`,
    cookies: session.cookies,
  });
  assert.equal(noCsrf.statusCode, 403);
  const { path: link } = await issue('alice', session);
  const page = await app.inject({ method: 'GET', url: link });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Your mailbox <strong>alice<\/strong> is moving/);
  assert.match(page.body, /Password of your current mailbox \(alice\)/);
  assert.doesNotMatch(
    page.body,
    /Password of your new mailbox/,
    'the destination has an admin login: not asked',
  );
  assert.doesNotMatch(page.body, /bob/);
  assert.doesNotMatch(page.body, /<script/i);
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
});

test('wrong password refused plainly, right one stored verified, never in a response or the database file', async () => {
  const { path: link } = await issue('alice', session);
  const form = formTokenOf((await app.inject({ method: 'GET', url: link })).body);
  const wrong = await post(link, { form, source: 'guess-1' });
  assert.equal(wrong.statusCode, 422);
  assert.match(
    wrong.body,
    /The password of your current mailbox \(alice\): The password is not correct: the mail server refused it\./,
  );
  const right = await post(link, { form, source: USERS[0]!.password });
  assert.equal(right.statusCode, 200);
  assert.match(right.body, /password of your current mailbox is correct and has been saved securely/);
  assert.ok(!right.body.includes(USERS[0]!.password));

  const list = await app.inject({ method: 'GET', url: '/api/credentials', cookies: session.cookies });
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes(USERS[0]!.password));
  const alice = list
    .json<{
      items: Array<{
        mailboxId: number;
        sides: Array<{ side: string; verifiedAt: string | null; enteredBy: string }>;
        link: unknown;
      }>;
    }>()
    .items.find((i) => i.mailboxId === ids.get('alice'))!;
  assert.deepEqual(
    alice.sides.map((s) => [s.side, s.enteredBy, Boolean(s.verifiedAt)]),
    [['source', 'portal', true]],
  );
  assert.ok(alice.link);
  assert.deepEqual(await credentialCounts(), {
    total: 2,
    present: 1,
    verified: 1,
  });

  for (const f of ['cutover.sqlite', 'cutover.sqlite-wal']) {
    const file = path.join(dataDir, f);
    if (fs.existsSync(file))
      assert.equal(fs.readFileSync(file).indexOf(USERS[0]!.password), -1, `${f} holds no plaintext`);
  }
});

test('form tokens are bound to their link; tampered, revoked and expired links are refused', async () => {
  const a = await issue('alice', session);
  const b = await issue('bob', session);
  const formA = formTokenOf((await app.inject({ method: 'GET', url: a.path })).body);
  assert.equal(
    (await post(b.path, { form: formA, source: USERS[1]!.password })).statusCode,
    403,
    "alice's form token on bob's link",
  );
  assert.equal((await post(b.path, { source: USERS[1]!.password })).statusCode, 403, 'no form token');

  const last = b.path.at(-1) === 'A' ? 'B' : 'A';
  const tampered = await app.inject({ method: 'GET', url: b.path.slice(0, -1) + last });
  assert.equal(tampered.statusCode, 404);
  assert.match(tampered.body, /This link is not valid/);

  const b2 = await issue('bob', session);
  const revoked = await app.inject({ method: 'GET', url: b.path });
  assert.equal(revoked.statusCode, 410);
  assert.match(revoked.body, /replaced by a newer one/);
  assert.equal((await app.inject({ method: 'GET', url: b2.path })).statusCode, 200);

  // Expire bob's live link in the store: the page says so.
  const store = await openStore(dataDir);
  try {
    const [live] = await new CredentialLinkRepo(store.db).live(new Date(), ids.get('bob'));
    await store.db
      .updateTable('credential_links')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', live!.id)
      .execute();
  } finally {
    await store.close();
  }
  const expired = await app.inject({ method: 'GET', url: b2.path });
  assert.equal(expired.statusCode, 410);
  assert.match(expired.body, /This link has expired/);
});

test('attempts per link are limited', async () => {
  const { path: link } = await issue('bob', session);
  const form = formTokenOf((await app.inject({ method: 'GET', url: link })).body);
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await post(link, { form, source: `wrong-${i}` })).statusCode);
  assert.deepEqual(codes, [422, 422, 422, 422, 429]);
  const limited = await post(link, { form, source: USERS[1]!.password });
  assert.equal(limited.statusCode, 429, 'even the right password waits once the limit is reached');
  assert.match(limited.body, /Too many attempts/);
  assert.ok(Number(limited.headers['retry-after']) > 0);
});

test('the operator opens the same page, enters a password as operator, and imports a CSV', async () => {
  const open = await app.inject({
    method: 'GET',
    url: `/api/mailboxes/${ids.get('bob')}/credential-page`,
    cookies: session.cookies,
  });
  assert.equal(open.statusCode, 303);
  const link = String(open.headers.location);
  const page = await app.inject({ method: 'GET', url: link, cookies: session.cookies });
  assert.match(page.body, /signed in as an operator/);

  const csv = `source,source_password\nbob,wrong-one\nalice,${USERS[0]!.password}\nnobody,x\n`;
  const r = await app.inject({
    method: 'POST',
    url: '/api/credentials/import',
    ...session,
    payload: { csv },
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.ok(!r.body.includes(USERS[0]!.password));
  const rows = r.json<{ rows: Array<{ line: number; mailbox: string; status: string; message: string }> }>()
    .rows;
  assert.deepEqual(
    rows.map((x) => [x.line, x.mailbox, x.status]),
    [
      [2, 'bob', 'refused'],
      [3, 'alice', 'stored'],
      [4, 'nobody', 'unknown'],
    ],
  );
  assert.match(rows[0]!.message, /not correct/);

  // bob's own page is rate-limited by now (previous test); a new link starts afresh for the operator.
  const fresh = await issue('bob', session);
  const form = formTokenOf(
    (await app.inject({ method: 'GET', url: fresh.path, cookies: session.cookies })).body,
  );
  const saved = await post(fresh.path, { form, source: USERS[1]!.password }, session.cookies);
  assert.equal(saved.statusCode, 200, saved.body);
  const list = await app.inject({ method: 'GET', url: '/api/credentials', cookies: session.cookies });
  const bob = list
    .json<{ items: Array<{ mailboxId: number; sides: Array<{ enteredBy: string }> }> }>()
    .items.find((i) => i.mailboxId === ids.get('bob'))!;
  assert.equal(bob.sides[0]!.enteredBy, 'operator');
});

test('CSV import: semicolons and a BOM, comments skipped, file order kept; verify=false stores unchecked', async () => {
  const csv = `\uFEFFSource;Source_Password\n# handed over by phone\nbob;wrong-${'x'.repeat(3)}\n\nghost;x\nalice;${USERS[0]!.password}\n`;
  const r = await app.inject({
    method: 'POST',
    url: '/api/credentials/import',
    ...session,
    payload: { csv },
  });
  assert.deepEqual(
    r
      .json<{ rows: Array<{ line: number; mailbox: string; status: string }> }>()
      .rows.map((x) => [x.line, x.mailbox, x.status]),
    [
      [3, 'bob', 'refused'],
      [5, 'ghost', 'unknown'],
      [6, 'alice', 'stored'],
    ],
  );
  const unchecked = await app.inject({
    method: 'POST',
    url: '/api/credentials/import',
    ...session,
    payload: { csv: 'source,source_password\nbob,anything\n', verify: false },
  });
  assert.equal(unchecked.json<{ rows: Array<{ status: string }> }>().rows[0]!.status, 'stored');
  const list = await app.inject({ method: 'GET', url: '/api/credentials', cookies: session.cookies });
  const bob = list
    .json<{
      items: Array<{ mailboxId: number; sides: Array<{ enteredBy: string; verifiedAt: string | null }> }>;
    }>()
    .items.find((i) => i.mailboxId === ids.get('bob'))!;
  assert.deepEqual(
    bob.sides.map((s) => [s.enteredBy, s.verifiedAt]),
    [['import', null]],
    'stored, marked unchecked',
  );
  assert.deepEqual(await credentialCounts(), {
    total: 2,
    present: 2,
    verified: 1,
  });
  const bad = await app.inject({
    method: 'POST',
    url: '/api/credentials/import',
    ...session,
    payload: { csv: 'mailbox,password\nx,y\n' },
  });
  assert.match(
    bad.json<{ rows: Array<{ message: string }> }>().rows[0]!.message,
    /header must name "source"/,
  );
});

test('links export: one row per mailbox, existing live links kept, each opening its own page; XLSX too', async () => {
  const live = await issue('alice', session);
  const r = await app.inject({ method: 'GET', url: '/api/credentials/links', cookies: session.cookies });
  assert.equal(r.statusCode, 200, r.body);
  assert.match(String(r.headers['content-type']), /^text\/csv/);
  const [head, ...rows] = r.body.trim().split('\r\n');
  assert.equal(head, 'source,destination,link,expires');
  assert.deepEqual(
    rows.map((x) => x.split(',').slice(0, 2)),
    [
      ['alice', 'alice'],
      ['bob', 'bob'],
    ],
  );
  const alice = rows[0]!.split(',')[2]!;
  assert.equal(new URL(alice).pathname, live.path, "alice's live link is kept, not replaced");
  for (const row of rows) {
    const [source, , link] = row.split(',');
    const page = await app.inject({ method: 'GET', url: new URL(link!).pathname });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`Password of your current mailbox \\(${source}\\)`));
  }
  const again = await app.inject({ method: 'GET', url: '/api/credentials/links', cookies: session.cookies });
  assert.equal(again.body, r.body, 'a second export gives the same links');
  const xlsx = await app.inject({
    method: 'GET',
    url: '/api/credentials/links?format=xlsx',
    cookies: session.cookies,
  });
  assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');
  assert.equal((await app.inject({ method: 'GET', url: '/api/credentials/links' })).statusCode, 401);
});
