/** Operator setup, login, sessions, CSRF and the login rate limit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/db.js';
import { ADMIN, errorBody, loggedIn, server } from './helpers.js';
import { tempDataDir } from '../integration/helpers.js';
import { buildServer } from '../../src/server/app.js';

test('setup creates the admin once; short passwords and later setups are refused', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const short = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { user: 'a', password: 'x'.repeat(11) },
  });
  assert.equal(short.statusCode, 400);
  assert.match(errorBody(short).message, /body\.password must NOT have fewer than 12 characters/);
  assert.equal((await app.inject({ method: 'POST', url: '/api/setup', payload: ADMIN })).statusCode, 201);
  const again = await app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { user: 'evil', password: 'y'.repeat(20) },
  });
  assert.equal(again.statusCode, 409);
  assert.equal(errorBody(again).code, 'SETUP_DONE');
});

test('the password is stored as a salted scrypt hash and the session token only as a SHA-256 hash', async () => {
  const dataDir = tempDataDir();
  const app = await buildServer({ dataDir });
  const { cookies } = await loggedIn(app);
  await app.close();
  const store = await openStore(dataDir);
  try {
    const users = await store.db.selectFrom('users').selectAll().execute();
    assert.equal(users.length, 1);
    assert.match(users[0]!.password_hash, /^scrypt\$/);
    assert.ok(!users[0]!.password_hash.includes(ADMIN.password));
    const sessions = await store.db.selectFrom('sessions').selectAll().execute();
    assert.equal(sessions.length, 1);
    assert.notEqual(sessions[0]!.token_hash, cookies.cutover_session);
    assert.match(sessions[0]!.token_hash, /^[0-9a-f]{64}$/);
  } finally {
    await store.close();
  }
});

test('login: wrong password 401, right one sets an HttpOnly SameSite=Strict cookie; session and logout', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const none = await app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
  assert.equal(none.statusCode, 401);
  assert.equal(errorBody(none).code, 'SETUP_REQUIRED');
  await app.inject({ method: 'POST', url: '/api/setup', payload: ADMIN });
  const wrong = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { ...ADMIN, password: 'not the password' },
  });
  assert.equal(wrong.statusCode, 401);
  assert.equal(errorBody(wrong).code, 'LOGIN_FAILED');
  assert.equal(wrong.headers['set-cookie'], undefined);
  const unknown = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { ...ADMIN, user: 'nobody' },
  });
  assert.equal(errorBody(unknown).code, 'LOGIN_FAILED');

  const right = await app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
  assert.equal(right.statusCode, 200);
  const setCookie = String(right.headers['set-cookie']);
  assert.match(setCookie, /^cutover_session=/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP: no Secure flag');
  const { csrfToken, user } = right.json<{ csrfToken: string; user: string }>();
  assert.equal(user, 'admin');
  const cookies = { cutover_session: right.cookies[0]!.value };

  const session = await app.inject({ method: 'GET', url: '/api/session', cookies });
  assert.equal(session.statusCode, 200);
  assert.equal(session.json<{ csrfToken: string }>().csrfToken, csrfToken);

  const noCsrf = await app.inject({ method: 'POST', url: '/api/logout', cookies });
  assert.equal(noCsrf.statusCode, 403);
  const out = await app.inject({
    method: 'POST',
    url: '/api/logout',
    cookies,
    headers: { 'x-csrf-token': csrfToken },
  });
  assert.equal(out.statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/api/session', cookies })).statusCode, 401);
});

test('a forged or missing session cookie is 401 with the error body', async (t) => {
  const app = await server();
  t.after(() => app.close());
  await loggedIn(app);
  for (const cookies of [{}, { cutover_session: 'forged' }] as Array<Record<string, string>>) {
    const r = await app.inject({ method: 'GET', url: '/api/session', cookies });
    assert.equal(r.statusCode, 401);
    assert.equal(errorBody(r).code, 'UNAUTHENTICATED');
  }
});

test('CSRF: state-changing requests without the token, or with a wrong one, are 403', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const { cookies, headers } = await loggedIn(app);
  for (const url of ['/api/alerts/1/complete', '/api/alerts/1/archive', '/api/logout']) {
    const missing = await app.inject({ method: 'POST', url, cookies });
    assert.equal(missing.statusCode, 403, url);
    assert.equal(errorBody(missing).code, 'CSRF_FAILED');
    assert.match(errorBody(missing).message, /missing/);
    assert.match(errorBody(missing).hint!, /X-CSRF-Token/);
    const wrong = await app.inject({ method: 'POST', url, cookies, headers: { 'x-csrf-token': 'nope' } });
    assert.equal(wrong.statusCode, 403, url);
    assert.match(errorBody(wrong).message, /does not match/);
  }
  // With the token the request goes through (404: no such alert).
  const ok = await app.inject({ method: 'POST', url: '/api/alerts/1/complete', cookies, headers });
  assert.equal(ok.statusCode, 404);
});

test('login attempts are rate-limited per IP with 429 and Retry-After', async (t) => {
  const app = await server();
  t.after(() => app.close());
  await app.inject({ method: 'POST', url: '/api/setup', payload: ADMIN });
  const bad = { ...ADMIN, password: 'wrong password!' };
  for (let i = 0; i < 10; i++)
    assert.equal((await app.inject({ method: 'POST', url: '/api/login', payload: bad })).statusCode, 401);
  const limited = await app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
  assert.equal(limited.statusCode, 429);
  assert.equal(errorBody(limited).code, 'RATE_LIMITED');
  const retry = Number(limited.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  // Another client is not affected.
  const other = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: ADMIN,
    remoteAddress: '10.0.0.2',
  });
  assert.equal(other.statusCode, 200);
});
