/** GET /api/connectors: the connector kinds as the web form builds its server fields from them. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { descriptors } from '../../src/connectors/registry.js';
import { loggedIn, server } from './helpers.js';

let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;

before(async () => {
  app = await server();
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
});

test('the connector kinds say their sides, default ports and settings block; a session is needed', async () => {
  const anonymous = await app.inject({ method: 'GET', url: '/api/connectors' });
  assert.equal(anonymous.statusCode, 401);
  const r = await app.inject({ method: 'GET', url: '/api/connectors', cookies: auth.cookies });
  assert.equal(r.statusCode, 200);
  const items = r.json<{ items: Array<Record<string, unknown>> }>().items;
  const byKind = new Map(items.map((c) => [c.kind, c]));
  assert.deepEqual(
    [...byKind.keys()],
    descriptors.filter((d) => !d.urlOnly).map((d) => d.kind),
    "every kind a project can name, in the registry's order",
  );
  for (const kind of ['imap', 'pop3', 'graph', 'gmail']) assert.ok(byKind.has(kind), kind);
  for (const kind of ['mbox', 'file']) assert.ok(!byKind.has(kind), `${kind} is the one-off form's only`);
  assert.deepEqual(byKind.get('pop3')!.roles, ['source']);
  assert.deepEqual(byKind.get('imap')!.defaultPorts, { tls: 993, starttls: 143, none: 143 });
  assert.deepEqual(byKind.get('pop3')!.defaultPorts, { tls: 995, starttls: 110, none: 110 });
  assert.equal(byKind.get('graph')!.hosted, true);
  assert.equal(byKind.get('graph')!.settingsKey, 'graph');
  assert.ok((byKind.get('graph')!.settingsFields as string[]).includes('tenantId'));
  assert.equal(byKind.get('imap')!.settingsKey, 'imap');
  assert.deepEqual(byKind.get('imap')!.settingsFields, ['sievePort']);
  assert.ok(!byKind.has('sieve'), 'ManageSieve is named through the IMAP server in a project');
  assert.equal(byKind.get('gmail')!.discovery, true);
});
