/**
 * Per-user consent for Microsoft 365 from the personal link, over HTTP against the Graph EMULATOR's
 * Entra ID endpoints (Microsoft cannot be reached here; the emulator serves https with a self-signed
 * certificate, accepted through allowInvalidCertificates): PKCE S256 and a state bound to the link; the
 * account from the ID token's preferred_username checked against the mailbox login; the consent verified
 * by a real Graph call and the refresh token stored sealed; a migration from the emulator into a real
 * Dovecot then runs with it (redeeming it), copying every message once. Wrong account and denied consent
 * end on pages that say what to do, storing nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ProjectConfig } from '../../src/config/types.js';
import { defaultPlan } from '../../src/config/plan.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { readAll, send } from '../../src/connectors/graph/graph-transport.js';
import { silentProgress } from '../../src/engine/progress.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { credentialContext } from '../../src/services/credential-service.js';
import { decodeOAuthCredential } from '../../src/services/oauth-credential.js';
import { runMigration } from '../../src/services/migration-service.js';
import { openStore } from '../../src/store/db.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { emulatorServer } from '../emulators/graph/graph-project.js';
import { listAll, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { servePortalWithLinks, storedCredential } from './fixtures.js';

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const PW = { alice: 'pw-alice-dest', bob: 'pw-bob-dest' };
const options = { itemTypes: ['mail' as const], folders: { map: [], regex: [], include: [], exclude: [] } };

let emu: GraphEmulator;
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
  [emu, dovecot] = await Promise.all([
    startGraphEmulator({ latencyMs: 1 }),
    startDovecot({
      users: [
        { user: 'alice', password: PW.alice },
        { user: 'bob', password: PW.bob },
      ],
    }),
  ]);
  for (const u of [ALICE, BOB]) emu.store.addUser(u);
  for (let i = 1; i <= 4; i++) raws.push(makeMessage({ subject: `consent ${i}` }));
  emu.seed(
    ALICE,
    ['Inbox'],
    raws.slice(0, 3).map((raw) => ({ raw, flags: ['\\Seen'] })),
  );
  emu.seed(ALICE, ['Projekte'], [{ raw: raws[3]! }]);
  // The app registration (admin, mode master) is the OAuth client the users consent to.
  const source = emulatorServer(emu);
  const destination = parseServerUrl(`imap://alice:${PW.alice}@127.0.0.1:${dovecot.imapPort}`).server;
  destination.admin = { user: 'alice', password: { value: PW.alice }, mode: 'password' };
  project = {
    name: 'oauth-ms-e2e',
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
    // Each user signs in: the app registration is the OAuth client, not an impersonation right.
    plan: { ...defaultPlan(), mode: 'oauth' },
  };
  ({ app, base, dataDir, ids, links } = await servePortalWithLinks(project));
});
after(async () => {
  await app?.close();
  await Promise.all([emu?.stop(), dovecot?.stop()]);
});

/** GET over https, accepting the emulator's self-signed certificate; status and Location. */
async function getInsecure(url: URL): Promise<{ status: number; location: string; body: string }> {
  const res = await send(url.toString(), { method: 'GET', insecure: true }, 'test');
  const body = (await readAll(res)).toString('utf8');
  return { status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), body };
}

/** Start the sign-in from the personal link and follow the redirects by hand, as a browser would. */
async function signIn(user: string) {
  const start = await fetch(`${base}${links.get(user)!}/oauth/source`, { redirect: 'manual' });
  assert.equal(start.status, 303);
  const authorize = new URL(start.headers.get('location')!);
  const consent = await getInsecure(authorize);
  assert.equal(consent.status, 302, consent.body);
  assert.ok(consent.location.startsWith(`${base}/p/oauth/callback?`), consent.location);
  const done = await fetch(consent.location, { redirect: 'manual' });
  return { authorize, callback: consent.location, status: done.status, html: await done.text() };
}

/** The credential states and sealed source credential of `user`'s mailbox. */
const stored = (user: string) => storedCredential(dataDir, ids.get(user)!);

test("in the plan's oauth mode the personal page offers Sign in with Microsoft for the Microsoft 365 side", async () => {
  const page = await fetch(`${base}${links.get(BOB)!}`);
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(html, /<a class="button" href="[^"]*\/oauth\/source">Sign in with Microsoft<\/a>/);
  assert.doesNotMatch(html, /name="source"/, 'no password field for the side signed in with Microsoft');
});

test('denied consent stores nothing and says to choose Allow', async () => {
  emu.consent.choice = { user: ALICE, deny: true };
  const r = await signIn(ALICE);
  assert.equal(r.status, 403);
  assert.match(r.html, /You did not allow access, so nothing was saved/);
  assert.match(r.html, /Open your personal page<\/a> and press the sign-in button again/);
  assert.deepEqual((await stored(ALICE)).states, []);
});

test('an Entra error other than refusal (e.g. consent_required) says to tell IT, storing nothing', async () => {
  emu.consent.choice = { user: ALICE, error: 'consent_required' };
  const r = await signIn(ALICE);
  assert.equal(r.status, 502);
  assert.match(r.html, /refused to start the sign-in \(consent_required\).*tell your IT contact/);
  assert.deepEqual((await stored(ALICE)).states, []);
});

test('signing in as another Microsoft account is refused plainly: you signed in as X, this link is for Y', async () => {
  emu.consent.choice = { user: ALICE };
  const r = await signIn(BOB);
  assert.equal(r.status, 403);
  assert.match(r.html, /You signed in as alice@contoso\.test, but this link is for bob@contoso\.test/);
  assert.deepEqual((await stored(BOB)).states, []);
});

test('the right account: Entra v2.0 endpoints, PKCE S256, stored sealed; a migration runs with it once', async () => {
  emu.consent.choice = { user: ALICE };
  const r = await signIn(ALICE);
  const q = r.authorize.searchParams;
  assert.equal(
    `${r.authorize.origin}${r.authorize.pathname}`,
    `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize`,
  );
  assert.equal(q.get('client_id'), emu.clientId);
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(
    q.get('scope'),
    `offline_access ${new URL(emu.baseUrl).origin}/Mail.ReadWrite openid email profile`,
  );
  assert.equal(q.get('login_hint'), ALICE);
  assert.equal(r.status, 200, r.html);
  assert.match(r.html, /you signed in as <strong>alice@contoso\.test<\/strong>/);

  const s = await stored(ALICE);
  assert.equal(s.states.length, 1);
  assert.ok(s.states[0]!.verifiedAt, 'verified by a real Graph call');
  const opened = decodeOAuthCredential(
    openSecretBox(dataDir).open(s.sealed!, credentialContext(s.id, 'source')),
  );
  assert.equal(opened?.provider, 'microsoft');
  assert.equal(opened?.account, ALICE);
  assert.match(opened?.refreshToken ?? '', /^emu-refresh-/);
  assert.ok(!r.html.includes(opened.refreshToken), 'no token in the page');
  for (const f of fs.readdirSync(dataDir).filter((n) => n.startsWith('cutover.sqlite')))
    assert.equal(
      fs.readFileSync(path.join(dataDir, f)).indexOf(opened.refreshToken),
      -1,
      `${f} holds no plain token`,
    );

  const replay = await fetch(r.callback);
  assert.equal(replay.status, 400);
  assert.match(await replay.text(), /already used once/);

  const tokensBefore = emu.stats.tokenRequests;
  const store = await openStore(dataDir);
  try {
    const outcomes = await runMigration(store, project, { progress: silentProgress, only: [ALICE] });
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, 4);
  } finally {
    await store.close();
  }
  assert.ok(emu.stats.tokenRequests > tokensBefore, 'the run asked Entra for a token');
  // The run redeemed the stored refresh token (the emulator rotates them: a redeemed one is used up).
  const redeem = await send(
    `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: emu.clientId,
        client_secret: emu.clientSecret,
        refresh_token: opened.refreshToken,
      }).toString(),
      insecure: true,
    },
    'test',
  );
  const answer = JSON.parse((await readAll(redeem)).toString('utf8')) as { error?: string };
  assert.equal(answer.error, 'invalid_grant', 'the run used the consent, not app-only access');

  const folders = new Map((await listAll(dovecot, 'alice', PW.alice)).map((f) => [f.path, f.messages]));
  assert.deepEqual(
    folders
      .get('INBOX')
      ?.map((m) => m.sha256)
      .sort(),
    raws.slice(0, 3).map(sha).sort(),
    'each Inbox message once, intact',
  );
  const other = [...folders.entries()].find(([p]) => p.endsWith('Projekte'));
  assert.deepEqual(
    other?.[1].map((m) => m.sha256),
    [sha(raws[3]!)],
  );
  // Entra rotated the refresh token as the run redeemed it: the stored credential follows, so the next run
  // (or a restarted Cutover) logs in with the new one instead of the retired one.
  const later = await stored(ALICE);
  const renewed = decodeOAuthCredential(
    openSecretBox(dataDir).open(later.sealed!, credentialContext(later.id, 'source')),
  );
  assert.match(renewed?.refreshToken ?? '', /^emu-refresh-/);
  assert.notEqual(renewed!.refreshToken, opened.refreshToken, 'the rotated token was sealed in its place');
  assert.ok(later.states[0]!.verifiedAt, 'still verified');
  const again = await openStore(dataDir);
  try {
    const outcomes = await runMigration(again, project, { progress: silentProgress, only: [ALICE] });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, 0, 'a delta pass: everything is there already');
  } finally {
    await again.close();
  }
});
