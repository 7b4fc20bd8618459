/**
 * The consent flow's state on its own (a clock under the test's control): signed and bound to a link and a
 * side, refused when changed, expired after 10 minutes, usable once (remembered in the store, so also after
 * a restart); the PKCE challenge is the S256 of the verifier the server re-derives. And the server's request
 * log never shows a callback's code or state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTsxScript } from '../security/tsx-script.js';
import { createHash, randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/security/secret-box.js';
import { OAuthStates, STATE_TTL_MS } from '../../src/services/oauth-state.js';
import { oauthResultPage } from '../../src/portal/oauth-pages.js';
import { openStore } from '../../src/store/db.js';
import { UsedNonceRepo } from '../../src/store/used-nonce-repo.js';
import { tempDataDir } from '../integration/helpers.js';

test('a state is bound, expires after 10 minutes and works once, even across a restart', async (t) => {
  let now = Date.UTC(2026, 11, 6, 4, 0, 0);
  const dataDir = tempDataDir();
  let store = await openStore(dataDir);
  t.after(() => store.close());
  const box = new SecretBox(randomBytes(32));
  const states = new OAuthStates(box, new UsedNonceRepo(store.db), () => now);
  const { state, challenge } = states.issue('a'.repeat(64), 'source');
  const ok = await states.check(state);
  assert.ok(ok.ok);
  assert.equal(ok.state.linkHash, 'a'.repeat(64));
  assert.equal(ok.state.side, 'source');
  assert.equal(createHash('sha256').update(states.verifier(ok.state)).digest('base64url'), challenge);

  const other = new OAuthStates(new SecretBox(randomBytes(32)), new UsedNonceRepo(store.db), () => now);
  assert.deepEqual(await other.check(state), { ok: false, why: 'invalid' }, 'another key does not accept it');
  const [body, mac] = state.split('.') as [string, string];
  const swapped = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), side: 'destination' }),
  ).toString('base64url');
  assert.deepEqual(await states.check(`${swapped}.${mac}`), { ok: false, why: 'invalid' });

  now += STATE_TTL_MS + 1;
  assert.deepEqual(await states.check(state), { ok: false, why: 'expired' });
  const page = oauthResultPage({ kind: 'state', why: 'expired' });
  assert.equal(page.status, 400);
  assert.match(page.html, /took too long \(more than 10 minutes\)/);

  const fresh = states.issue('b'.repeat(64), 'destination');
  const c = await states.check(fresh.state);
  assert.ok(c.ok);
  assert.equal(await states.use(c.state), true);
  assert.deepEqual(await states.check(fresh.state), { ok: false, why: 'used' });
  assert.equal(await states.use(c.state), false, 'a second use (a racing callback) loses');

  // A restarted server (a new store handle and a new OAuthStates) still knows the state was used.
  await store.close();
  store = await openStore(dataDir);
  const restarted = new OAuthStates(box, new UsedNonceRepo(store.db), () => now);
  assert.deepEqual(await restarted.check(fresh.state), { ok: false, why: 'used' });
});

test('request logs show neither the link token nor the callback code and state', async () => {
  const token = 'SECRETtokenSECRETtokenSECRETtokenSECRETtok';
  const app = new URL('../../src/server/app.ts', import.meta.url).href;
  const script = `
    const { buildServer } = await import(${JSON.stringify(app)});
    const app = await buildServer({ dataDir: ${JSON.stringify(tempDataDir())}, logger: true, commsIntervalMs: 0 });
    await app.inject({ method: 'GET', url: '/p/${token}/oauth/source' });
    await app.inject({ method: 'GET', url: '/p/oauth/callback?code=SECRETCODE&state=SECRETSTATE.x' });
    await app.close();`;
  const log = await runTsxScript(script);
  assert.match(log, /"url":"\/p\/\[link\]\/oauth\/source"/);
  assert.match(log, /"url":"\/p\/oauth\/callback"/);
  for (const secret of [token, 'SECRETCODE', 'SECRETSTATE']) assert.ok(!log.includes(secret), log);
});
