/** The UI's typed client: generated types match the server's OpenAPI document; URLs and errors as the API gives them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ApiFailure, createClient, urlOf } from '../../web/api/client.js';
import { buildServer } from '../../src/server/app.js';
import { tempDataDir } from '../integration/helpers.js';

test('web/api/types.gen.ts is what scripts/gen-client.mjs makes of the current routes', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-client.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('urlOf fills path parameters (encoded) and leaves out empty query values', () => {
  assert.equal(urlOf('/api/mailboxes/{id}', { id: 12 }), '/api/mailboxes/12');
  assert.equal(urlOf('/api/x/{name}', { name: 'a/b c' }), '/api/x/a%2Fb%20c');
  assert.equal(
    urlOf('/api/mailboxes', {}, { search: 'ann & bob', status: undefined, offset: 0, sort: '' }),
    '/api/mailboxes?search=ann+%26+bob&offset=0',
  );
});

/** A client whose fetch goes through app.inject (no socket), carrying the session cookie. */
function injectClient(app: FastifyInstance, csrf: () => string | undefined, cookie: { value?: string }) {
  return createClient({
    csrfToken: csrf,
    fetch: async (input, init) => {
      const res = await app.inject({
        method: init?.method as 'GET',
        url: input as string,
        headers: {
          ...(init?.headers as Record<string, string>),
          ...(cookie.value ? { cookie: cookie.value } : {}),
        },
        payload: init?.body as string | undefined,
      });
      const set = res.cookies.find((c) => c.name === 'cutover_session');
      if (set) cookie.value = `cutover_session=${set.value}`;
      return new Response(res.statusCode === 204 ? null : res.body, {
        status: res.statusCode,
        headers: { 'content-type': String(res.headers['content-type'] ?? '') },
      });
    },
  });
}

test('the client logs in, sends the CSRF token, and turns error bodies into ApiFailure with code and hint', async () => {
  const app = await buildServer({ dataDir: tempDataDir() });
  try {
    const session0: { csrf?: string } = {};
    const cookie: { value?: string } = {};
    const call = injectClient(app, () => session0.csrf, cookie);
    const refused = await call('GET /api/mailboxes').catch((e: unknown) => e);
    assert.ok(refused instanceof ApiFailure);
    assert.equal(refused.status, 401);
    assert.equal(refused.code, 'UNAUTHENTICATED');
    assert.match(refused.hint ?? '', /Log in/);

    await call('POST /api/setup', { body: { user: 'admin', password: 'correct horse battery' } });
    const session = await call('POST /api/login', {
      body: { user: 'admin', password: 'correct horse battery' },
    });
    assert.equal(session.user, 'admin');
    const page = await call('GET /api/mailboxes', { query: { limit: 5 } });
    assert.deepEqual([page.total, page.limit], [0, 5]);

    // Without the token a state change is refused; with it, it goes through.
    const noCsrf = await call('POST /api/alerts/{id}/complete', { path: { id: 1 } }).catch((e: unknown) => e);
    assert.equal((noCsrf as ApiFailure).code, 'CSRF_FAILED');
    session0.csrf = session.csrfToken;
    const missing = await call('POST /api/alerts/{id}/complete', { path: { id: 1 } }).catch(
      (e: unknown) => e,
    );
    assert.equal((missing as ApiFailure).status, 404);
  } finally {
    await app.close();
  }
});
