/**
 * Per-user consent for Google Workspace from the personal page, over HTTP against the Gmail EMULATOR's
 * authorization and token endpoints (Google cannot be reached here): the page offers "Sign in with Google",
 * the flow uses PKCE S256 and a state bound to the link; the right account's consent is verified by a real
 * API call and stored sealed, and a migration then runs with it into a real Dovecot. Wrong account, denied
 * consent, an unticked mail permission, and replayed or tampered states are refused with a page that says
 * what to do, storing nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ProjectConfig } from '../../src/config/types.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { silentProgress } from '../../src/engine/progress.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { credentialContext } from '../../src/services/credential-service.js';
import { decodeOAuthCredential } from '../../src/services/oauth-credential.js';
import { runMigration } from '../../src/services/migration-service.js';
import { openStore } from '../../src/store/db.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, labelsFor } from '../emulators/gmail/gmail-fixture.js';
import { listAll, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { servePortalWithLinks, storedCredential } from './fixtures.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const PW = { alice: 'pw-alice-dest', bob: 'pw-bob-dest' };
const options = { itemTypes: ['mail' as const], folders: { map: [], regex: [], include: [], exclude: [] } };

let emu: GmailEmulator;
let dovecot: DovecotServer;
let app: FastifyInstance;
let base: string;
let dataDir: string;
let project: ProjectConfig;
let ids: Map<string, number>;
const raws: Buffer[] = [];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let links: Map<string, string>;

before(async () => {
  emu = await GmailEmulator.start({ users: [ALICE, BOB], unitsPerSecond: 1000 });
  dovecot = await startDovecot({
    users: [
      { user: 'alice', password: PW.alice },
      { user: 'bob', password: PW.bob },
    ],
  });
  for (let i = 1; i <= 3; i++) {
    raws.push(makeMessage({ subject: `consent ${i}` }));
    emu.seed(ALICE, raws[i - 1]!, labelsFor(['INBOX'], ['\\Seen']));
  }
  const source = gmailServer(emu, {
    oauthClient: { id: emu.auth.client.id, secret: { value: emu.auth.client.secret } },
    authUrl: `${emu.url}/o/oauth2/v2/auth`,
  });
  delete source.admin; // no domain-wide delegation: each user consents
  const destination = parseServerUrl(`imap://alice:${PW.alice}@127.0.0.1:${dovecot.imapPort}`).server;
  destination.admin = { user: 'alice', password: { value: PW.alice }, mode: 'password' }; // only the old side is asked
  project = {
    name: 'oauth-e2e',
    source,
    destination,
    defaults: options,
    mailboxes: [ALICE, BOB].map((u) => ({
      sourceUser: u,
      destUser: u.split('@')[0]!,
      starred: false,
      options,
    })),
    concurrency: { mailboxes: 1, foldersPerMailbox: 2 },
    limits: {},
  };
  ({ app, base, dataDir, ids, links } = await servePortalWithLinks(project));
});
after(async () => {
  await app?.close();
  await Promise.all([emu?.stop(), dovecot?.stop()]);
});

/** Press "Sign in with Google" on a personal page and follow the redirects by hand, as a browser would. */
async function signIn(user: string) {
  const pageHtml = await (await fetch(base + links.get(user)!)).text();
  const href = /<a class="button" href="([^"]+\/oauth\/source)">Sign in with Google<\/a>/.exec(pageHtml)?.[1];
  assert.ok(href, pageHtml);
  const start = await fetch(base + href, { redirect: 'manual' });
  assert.equal(start.status, 303);
  const authorize = new URL(start.headers.get('location')!);
  const consent = await fetch(authorize, { redirect: 'manual' });
  assert.equal(consent.status, 302, await consent.text());
  const callback = consent.headers.get('location')!;
  assert.ok(callback.startsWith(`${base}/p/oauth/callback?`), callback);
  const done = await fetch(callback, { redirect: 'manual' });
  return { authorize, callback, status: done.status, html: await done.text() };
}

/** The credential states and sealed source credential of `user`'s mailbox. */
const stored = (user: string) => storedCredential(dataDir, ids.get(user)!);

test('the personal page offers Sign in with Google instead of a password field for the Google side', async () => {
  const html = await (await fetch(base + links.get(ALICE)!)).text();
  assert.match(html, /Sign in with Google/);
  assert.doesNotMatch(html, /type="password"/, 'no password for a Google mailbox');
  assert.doesNotMatch(html, /<script/i);
});

test('denied consent stores nothing and says to choose Allow', async () => {
  emu.auth.consent = { user: ALICE, deny: true };
  const r = await signIn(ALICE);
  assert.equal(r.status, 403);
  assert.match(r.html, /You did not allow access, so nothing was saved/);
  assert.match(r.html, /Open your personal page<\/a> and press the sign-in button again/);
  assert.deepEqual((await stored(ALICE)).states, []);
});

test('another error from the sign-in service is not taken for a refusal: the page says to tell IT', async () => {
  emu.auth.consent = { user: ALICE, error: 'unauthorized_client' };
  const r = await signIn(ALICE);
  assert.equal(r.status, 502);
  assert.match(r.html, /refused to start the sign-in \(unauthorized_client\).*tell your IT contact/);
  assert.deepEqual((await stored(ALICE)).states, []);
});

test('signing in as another account is refused plainly: you signed in as X, this link is for Y', async () => {
  emu.auth.consent = { user: ALICE };
  const r = await signIn(BOB);
  assert.equal(r.status, 403);
  assert.match(r.html, /You signed in as alice@example\.test, but this link is for bob@example\.test/);
  assert.deepEqual((await stored(BOB)).states, []);
});

test('consent without the mail permission is refused', async () => {
  emu.auth.consent = { user: ALICE, dropMailScope: true };
  const r = await signIn(ALICE);
  assert.equal(r.status, 403);
  assert.match(r.html, /did not allow access to your mail/);
  assert.deepEqual((await stored(ALICE)).states, []);
});

test('the right account: PKCE S256 and state, verified, stored sealed, a replay refused; a run uses it', async () => {
  emu.auth.consent = { user: ALICE };
  const before = new Set(emu.auth.refreshTokens.keys());
  const r = await signIn(ALICE);
  const q = r.authorize.searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(q.get('scope'), 'https://mail.google.com/ openid email');
  assert.equal(q.get('access_type'), 'offline');
  assert.equal(q.get('redirect_uri'), `${base}/p/oauth/callback`);
  assert.equal(r.status, 200, r.html);
  assert.match(r.html, /you signed in as <strong>alice@example\.test<\/strong>/);
  const refreshTokens = [...emu.auth.refreshTokens.keys()].filter((t) => !before.has(t));
  assert.equal(refreshTokens.length, 1);
  assert.ok(!r.html.includes(refreshTokens[0]!), 'no token in the page');

  const s = await stored(ALICE);
  assert.equal(s.states.length, 1);
  assert.ok(s.states[0]!.verifiedAt, 'verified by a real API call');
  const opened = decodeOAuthCredential(
    openSecretBox(dataDir).open(s.sealed!, credentialContext(s.id, 'source')),
  );
  assert.equal(opened?.refreshToken, refreshTokens[0]);
  assert.equal(opened?.account, ALICE);
  assert.ok(opened?.accessToken && opened.accessExpiresAt);
  for (const f of fs.readdirSync(dataDir).filter((n) => n.startsWith('cutover.sqlite')))
    assert.equal(
      fs.readFileSync(path.join(dataDir, f)).indexOf(refreshTokens[0]!),
      -1,
      `${f} holds no plain token`,
    );

  const replay = await fetch(r.callback);
  assert.equal(replay.status, 400);
  assert.match(await replay.text(), /already used once/);

  const store = await openStore(dataDir);
  try {
    const outcomes = await runMigration(store, project, { progress: silentProgress, only: [ALICE] });
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, 3);
  } finally {
    await store.close();
  }
  const inbox = (await listAll(dovecot, 'alice', PW.alice)).find((f) => f.path === 'INBOX');
  assert.deepEqual(
    inbox?.messages.map((m) => m.sha256).sort(),
    raws.map(sha).sort(),
    'each message once, intact',
  );
});

test('a tampered or forged state is refused and stores nothing', async () => {
  emu.auth.consent = { user: BOB };
  const pageHtml = await (await fetch(base + links.get(BOB)!)).text();
  const href = /href="([^"]+\/oauth\/source)"/.exec(pageHtml)![1]!;
  const authorize = new URL((await fetch(base + href, { redirect: 'manual' })).headers.get('location')!);
  const state = authorize.searchParams.get('state')!;
  const [body, mac] = state.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { exp: number };
  const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3_600_000 })).toString(
    'base64url',
  );
  for (const bad of [`${forged}.${mac}`, `${body}.${mac.slice(0, -2)}AA`, 'nonsense']) {
    authorize.searchParams.set('state', bad);
    const consent = await fetch(authorize, { redirect: 'manual' });
    const done = await fetch(consent.headers.get('location')!);
    assert.equal(done.status, 400);
    assert.match(await done.text(), /did not come from your personal link/);
  }
  assert.deepEqual((await stored(BOB)).states, []);
});
