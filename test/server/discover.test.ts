/**
 * Discovery and connection tests of a stored Microsoft 365 project against the LOCAL EMULATOR of Microsoft
 * Graph (test code: Graph cannot be reached from here): the source's mailboxes listed with those the project
 * has marked, the chosen ones added through the CSV import path, IMAP sources told to import a CSV.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { errorBody, loggedIn, projectBody, server } from './helpers.js';

let emu: GraphEmulator;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;

before(async () => {
  emu = await startGraphEmulator({});
  emu.store.addUser('ann@contoso.test');
  emu.store.addUser('bob@contoso.test');
  emu.store.addUser('gone@contoso.test', { enabled: false });
  emu.store.addUser('info@contoso.test', { mailbox: 'shared' });
  app = await server();
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
  await emu?.stop();
});

function graphSource() {
  const u = new URL(emu.baseUrl);
  return {
    kind: 'graph',
    host: u.hostname,
    port: Number(u.port),
    allowInvalidCertificates: true,
    admin: { user: emu.clientId, mode: 'master', password: emu.clientSecret },
    graph: { tenantId: emu.tenantId, baseUrl: emu.baseUrl, authorityHost: emu.authorityHost },
  };
}

async function create(name: string, over: Record<string, unknown>): Promise<number> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody(name, over),
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ id: number }>().id;
}

type Row = { source: string; destination: string; kind: string | null; suspended: boolean; known: boolean };

test('discover lists the Microsoft 365 mailboxes, marks known ones; the chosen ones are added', async () => {
  const id = await create('m365', {
    source: graphSource(),
    plan: { addressReplacements: [{ from: '@contoso.test', to: '@fabrikam.test' }] },
  });
  const bob = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes`,
    ...auth,
    payload: { sourceUser: 'bob@contoso.test', destUser: 'bob@fabrikam.test' },
  });
  assert.equal(bob.statusCode, 201, bob.body);

  const r = await app.inject({ method: 'POST', url: `/api/projects/${id}/discover`, ...auth, payload: {} });
  assert.equal(r.statusCode, 200, r.body);
  const found = r.json<{ rows: Row[]; suspendedLeftOut: number }>();
  assert.deepEqual(
    found.rows.map((x) => [x.source, x.destination, x.known]),
    [
      ['ann@contoso.test', 'ann@fabrikam.test', false],
      ['bob@contoso.test', 'bob@fabrikam.test', true],
      ['info@contoso.test', 'info@fabrikam.test', false],
    ],
  );
  assert.equal(found.suspendedLeftOut, 1);
  const all = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/discover`,
    ...auth,
    payload: { includeSuspended: true },
  });
  assert.ok(all.json<{ rows: Row[] }>().rows.some((x) => x.source === 'gone@contoso.test' && x.suspended));

  const add = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/discover/add`,
    ...auth,
    payload: {
      rows: found.rows.filter((x) => !x.known).map(({ source, destination }) => ({ source, destination })),
    },
  });
  assert.equal(add.statusCode, 200, add.body);
  assert.deepEqual(add.json(), { added: 2, updated: 0, conflicts: 0, errors: [] });
  const list = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/mailboxes`,
    cookies: auth.cookies,
  });
  assert.deepEqual(
    list
      .json<{ items: Array<{ sourceUser: string; destUser: string }> }>()
      .items.map((m) => `${m.sourceUser}>${m.destUser}`)
      .sort(),
    [
      'ann@contoso.test>ann@fabrikam.test',
      'bob@contoso.test>bob@fabrikam.test',
      'info@contoso.test>info@fabrikam.test',
    ],
  );
  const again = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/discover`,
    ...auth,
    payload: {},
  });
  assert.ok(again.json<{ rows: Row[] }>().rows.every((x) => x.known));
});

test('test connection logs in to Microsoft 365 with the stored app registration; a wrong secret says so', async () => {
  // App-only (master) logins act for a mailbox: the test uses the project's test mailbox.
  const id = await create('m365-test', { source: { ...graphSource(), testMailbox: 'ann@contoso.test' } });
  const ok = await app.inject({ method: 'POST', url: `/api/projects/${id}/test/source`, ...auth });
  assert.equal(ok.statusCode, 200, ok.body);
  const res = ok.json<{ ok: boolean; checks: Array<{ ok: boolean; label: string; error: unknown }> }>();
  assert.equal(res.ok, true, ok.body);
  assert.ok(res.checks.length > 0 && res.checks.every((c) => c.ok && c.error === null), ok.body);
  assert.ok(
    res.checks.some((c) => /ann@contoso.test/.test(c.label)),
    ok.body,
  );
  const bad = await create('m365-bad', {
    source: {
      ...graphSource(),
      testMailbox: 'ann@contoso.test',
      admin: { user: emu.clientId, mode: 'master', password: 'wrong-secret' },
    },
  });
  const no = await app.inject({ method: 'POST', url: `/api/projects/${bad}/test/source`, ...auth });
  assert.equal(no.statusCode, 200, no.body);
  const failed = no.json<{ ok: boolean; checks: Array<{ error: { message: string } | null }> }>();
  assert.equal(failed.ok, false);
  assert.ok(
    failed.checks.some((c) => c.error?.message),
    no.body,
  );
});

test('discover: an IMAP source is told to import a CSV; 401, 403 and validation', async () => {
  const id = await create('imap-only', {});
  const r = await app.inject({ method: 'POST', url: `/api/projects/${id}/discover`, ...auth, payload: {} });
  assert.equal(r.statusCode, 400, r.body);
  assert.match(errorBody(r).message, /cannot list its mailboxes/);
  assert.match(errorBody(r).hint ?? '', /CSV/);
  for (const url of [`/api/projects/${id}/discover`, `/api/projects/${id}/discover/add`]) {
    const payload = url.endsWith('add') ? { rows: [{ source: 'x@y' }] } : {};
    assert.equal((await app.inject({ method: 'POST', url, payload })).statusCode, 401, url);
    assert.equal(
      (await app.inject({ method: 'POST', url, cookies: auth.cookies, payload })).statusCode,
      403,
      url,
    );
  }
  const empty = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/discover/add`,
    ...auth,
    payload: { rows: [] },
  });
  assert.equal(empty.statusCode, 400);
  const odd = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/discover`,
    ...auth,
    payload: { everything: true },
  });
  assert.equal(odd.statusCode, 400);
  const none = await app.inject({ method: 'POST', url: '/api/projects/9999/discover', ...auth, payload: {} });
  assert.equal(none.statusCode, 404);
});
