/**
 * Every operation in the OpenAPI document that declares a session is refused without one (401), and every
 * one that declares the CSRF header is refused without it (403) — so a new route cannot forget either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorBody, loggedIn, server } from './helpers.js';

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
