/**
 * Every operation in the OpenAPI document that declares a session is refused without one (401), and every
 * one that declares the CSRF header is refused without it (403) — so a new route cannot forget either. And
 * the edge in front of them: first-run setup with a setup token, the Host check with a public URL (every
 * operation), and client address and scheme taken from a trusted reverse proxy only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, errorBody, logIn, loggedIn, server } from './helpers.js';

type Op = { security?: Array<Record<string, string[]>>; operationId?: string };

test('every secured operation: 401 without a session, 403 without the CSRF header', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
    paths: Record<string, Record<string, Op>>;
  }>();
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const schemes = new Set((op.security ?? []).flatMap((s) => Object.keys(s)));
      if (!schemes.has('sessionCookie')) continue;
      // Any value fits the path: auth is checked before validation.
      const url = path.replace(/\{[^}]+\}/g, '1');
      const m = method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      const payload = m === 'GET' || m === 'DELETE' ? undefined : {};
      const anon = await app.inject({ method: m, url, payload });
      assert.equal(anon.statusCode, 401, `${m} ${path} without a session`);
      assert.equal(errorBody(anon).code, 'UNAUTHENTICATED');
      if (schemes.has('csrfHeader')) {
        const noCsrf = await app.inject({ method: m, url, payload, cookies: auth.cookies });
        assert.equal(noCsrf.statusCode, 403, `${m} ${path} without the CSRF header`);
        assert.equal(errorBody(noCsrf).code, 'CSRF_FAILED');
      } else assert.equal(m, 'GET', `${m} ${path} changes state but does not declare the CSRF header`);
      checked++;
    }
  assert.ok(checked >= 40, `${checked} operations checked`);
});

test('first run with a setup token: refused without it or with another, and for a weak password', async (t) => {
  const token = 'first-run-token-0123456789abcdef';
  const app = await server({ setupToken: token });
  t.after(() => app.close());
  const setup = (body: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/api/setup', payload: body });
  const none = await setup(ADMIN);
  assert.equal(none.statusCode, 403);
  assert.equal(errorBody(none).code, 'SETUP_TOKEN_REQUIRED');
  assert.equal((await setup({ ...ADMIN, token: `${token}x` })).statusCode, 403);
  assert.equal((await setup({ ...ADMIN, token: '' })).statusCode, 403);
  for (const password of ['             ', 'xxxxxxxxxxxxxxxx', 'abcdabcdabcdabcd', 'aabbaabbaabb1'])
    assert.equal(errorBody(await setup({ user: 'admin', password, token })).code, 'PASSWORD_WEAK', password);
  assert.equal(await app.setupPending(), true);
  assert.equal((await setup({ ...ADMIN, token })).statusCode, 201);
  assert.equal(await app.setupPending(), false);
  assert.equal((await setup({ ...ADMIN, token })).statusCode, 409);
  await logIn(app);
});

test('with a public URL, every operation refuses a foreign Host with 421, before anything else', async (t) => {
  const app = await server({ publicUrl: 'https://migrate.example.test/' });
  t.after(() => app.close());
  const auth = await loggedIn(app); // light-my-request's Host is localhost, from 127.0.0.1: this machine
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
    paths: Record<string, Record<string, Op>>;
  }>();
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths))
    for (const method of Object.keys(ops)) {
      const url = path.replace(/\{[^}]+\}/g, '1');
      const m = method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      const payload = m === 'GET' || m === 'DELETE' ? undefined : {};
      for (const host of ['evil.example', 'evil.example:8080', 'migrate.example.test.evil.example']) {
        const r = await app.inject({ method: m, url, payload, ...auth, headers: { ...auth.headers, host } });
        assert.equal(r.statusCode, 421, `${m} ${path} for ${host}`);
        assert.equal(errorBody(r).code, 'HOST_NOT_ALLOWED');
      }
      // A loopback name only from this machine: the same request from another address is refused.
      const outside = await app.inject({ method: m, url, payload, remoteAddress: '203.0.113.9' });
      assert.equal(outside.statusCode, 421, `${m} ${path} for localhost from outside`);
      checked++;
    }
  assert.ok(checked >= 55, `${checked} operations checked`);
  for (const url of ['/', '/p/whatever', '/api/nothing-here'])
    assert.equal((await app.inject({ url, headers: { host: 'evil.example' } })).statusCode, 421, url);
  const own = await app.inject({
    url: '/api/session',
    ...auth,
    headers: { ...auth.headers, host: 'migrate.example.test' },
  });
  assert.equal(own.statusCode, 200);
  const anon = await app.inject({
    url: '/api/session',
    headers: { host: 'migrate.example.test' },
    remoteAddress: '203.0.113.9',
  });
  assert.equal(anon.statusCode, 401, 'the right host from outside reaches the session gate');
});

test('behind a trusted proxy: client address and scheme from X-Forwarded-*, from the proxy only', async (t) => {
  const app = await server({ trustProxy: ['10.0.0.1'] });
  t.after(() => app.close());
  await loggedIn(app);
  const login = (remoteAddress: string, headers: Record<string, string>, password = ADMIN.password) =>
    app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { ...ADMIN, password },
      remoteAddress,
      headers,
    });
  const cookieOf = (r: Awaited<ReturnType<typeof login>>) =>
    r.cookies.find((c) => c.name === 'cutover_session');

  const proxied = await login('10.0.0.1', {
    'x-forwarded-for': '198.51.100.7',
    'x-forwarded-proto': 'https',
  });
  assert.equal(proxied.statusCode, 200);
  assert.equal(cookieOf(proxied)?.secure, true, 'Secure over https at the proxy');
  const direct = await login('203.0.113.5', {
    'x-forwarded-for': '198.51.100.7',
    'x-forwarded-proto': 'https',
  });
  assert.equal(direct.statusCode, 200);
  assert.notEqual(cookieOf(direct)?.secure, true, 'X-Forwarded-Proto from another peer is not believed');

  // One client floods through the proxy: it is cut off, another client through the same proxy is not.
  const flood = [];
  for (let i = 0; i < 12; i++)
    flood.push(
      (await login('10.0.0.1', { 'x-forwarded-for': '203.0.113.66' }, 'wrong password!')).statusCode,
    );
  assert.deepEqual(flood.slice(-2), [429, 429], flood.join(' '));
  assert.equal((await login('10.0.0.1', { 'x-forwarded-for': '198.51.100.8' })).statusCode, 200);
  // A peer that is not the proxy cannot pick its address: varying X-Forwarded-For still counts as one.
  const spoof = [];
  for (let i = 0; i < 11; i++)
    spoof.push(
      (await login('203.0.113.99', { 'x-forwarded-for': `192.0.2.${i}` }, 'wrong password!')).statusCode,
    );
  assert.equal(spoof.at(-1), 429, spoof.join(' '));
});
