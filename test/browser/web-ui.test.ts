/** Serving the built UI (src/server/web-ui.ts): index.html for the UI's paths, hashed assets, /api untouched. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { defaultWebRoot } from '../../src/server/web-ui.js';
import { tempDataDir } from '../integration/helpers.js';
import { ensureWebBuilt } from './helpers.js';

let app: FastifyInstance;
before(async () => {
  ensureWebBuilt();
  app = await buildServer({ dataDir: tempDataDir() });
});
after(async () => app?.close());

test('the UI paths answer index.html, uncached, with a strict content security policy', async () => {
  for (const url of ['/', '/mailboxes/12', '/projects/new?x=1']) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 200, url);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.match(r.body, /<div id="root"><\/div>/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  }
});

test('hashed assets are cached for good; a missing one is a 404, never index.html', async () => {
  const js = readdirSync(path.join(defaultWebRoot(), 'assets')).find((f) => /^main-\w+\.js$/.test(f))!;
  const r = await app.inject({ url: `/assets/${js}` });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /javascript/);
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  const missing = await app.inject({ url: '/assets/main-OLDBUILD.js' });
  assert.equal(missing.statusCode, 404);
  assert.doesNotMatch(missing.body, /<html/);
});

test('/api paths keep their JSON answers: the OpenAPI document, and 404 for an unknown route', async () => {
  const doc = await app.inject({ url: '/api/openapi.json' });
  assert.equal(doc.statusCode, 200);
  assert.equal(doc.json<{ openapi: string }>().openapi, '3.1.0');
  const unknown = await app.inject({ url: '/api/no-such-thing' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json<{ code: string }>().code, 'NOT_FOUND');
  const post = await app.inject({ method: 'POST', url: '/mailboxes' });
  assert.equal(post.statusCode, 404);
});
