/**
 * Limits that a restart must not reset: a guesser who has used up the login allowance of an address or of an
 * account, or the portal's allowance of bad links, is still refused by a server restarted on the same data
 * directory (the counters live in the store). The OAuth side — a used consent state stays used — is
 * test/portal/oauth-state.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tempDataDir } from '../integration/helpers.js';
import { OPERATOR, operator, request, serve } from './serve.js';

test('login and portal limits survive a restart', async (t) => {
  const dataDir = tempDataDir();
  const args = ['--trust-proxy', '127.0.0.1', '--data-dir', dataDir];
  const via = (ip: string) => ({ 'x-forwarded-for': ip });
  const login = (base: string, ip: string, password = 'wrong password!') =>
    request(base, { method: 'POST', path: '/api/login', headers: via(ip), body: { ...OPERATOR, password } });
  const badLink = (base: string, ip: string) =>
    request(base, { path: `/p/${randomBytes(32).toString('base64url')}`, headers: via(ip) });

  let s = await serve(args);
  t.after(() => s.stop());
  const token = /setup\?token=([\w-]+)/.exec(s.out())?.[1]; // behind a proxy: the first run needs it
  await operator(s.base, { token, headers: via('198.51.100.1') });
  // One address floods (adding 5 failures to the account), 15 others fail once each: the account is locked;
  // one address tries 30 bad links.
  for (let i = 0; i < 10; i++) assert.equal((await login(s.base, '203.0.113.1')).status, 401);
  assert.equal((await login(s.base, '203.0.113.1')).status, 429);
  for (let i = 1; i <= 15; i++) assert.equal((await login(s.base, `10.0.0.${i}`)).status, 401);
  assert.equal((await login(s.base, '10.0.1.1', OPERATOR.password)).status, 429, 'account locked');
  for (let i = 0; i < 30; i++) assert.equal((await badLink(s.base, '203.0.113.2')).status, 404);
  assert.equal((await badLink(s.base, '203.0.113.2')).status, 429);

  await s.stop();
  s = await serve(args);
  assert.equal((await login(s.base, '203.0.113.1')).status, 429, 'the flooding address');
  const locked = await login(s.base, '10.0.2.1', OPERATOR.password);
  assert.equal(locked.status, 429, 'the locked account');
  assert.match(locked.json<{ message: string }>().message, /this account/);
  assert.equal((await badLink(s.base, '203.0.113.2')).status, 429, 'the link guesser');
  assert.equal((await badLink(s.base, '203.0.113.3')).status, 404, 'another client is not limited');
});
