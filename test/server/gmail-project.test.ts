/**
 * A stored Google Workspace project against the LOCAL Gmail EMULATOR (test code: Google cannot be reached
 * from here): the service-account key is taken once, stored sealed and never returned; test connection
 * and discovery work with it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../src/store/db.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { tempDataDir } from '../integration/helpers.js';
import { loggedIn, projectBody, server } from './helpers.js';

let emu: GmailEmulator;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;
const dataDir = tempDataDir();

before(async () => {
  emu = await GmailEmulator.start({ users: ['alice@example.test', 'bert@example.test'] });
  app = await server({ dataDir });
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
  await emu?.stop();
});

function gmailSource(key: string) {
  return {
    kind: 'gmail',
    host: '127.0.0.1',
    port: Number(new URL(emu.url).port),
    tls: 'none',
    testMailbox: 'alice@example.test',
    admin: { user: emu.admin, mode: 'master', password: key },
    gmail: { apiUrl: emu.url, directoryUrl: emu.url, tokenUrl: emu.tokenUrl, quotaUnitsPerSecond: 10 },
  };
}

test('Gmail project: the key is stored sealed and never shown; test connection and discovery use it', async () => {
  const key = fs.readFileSync(emu.keyPath, 'utf8');
  const privateKey = (JSON.parse(key) as { private_key: string }).private_key;
  const created = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('workspace', { source: gmailSource(key) }),
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.ok(!created.body.includes('PRIVATE KEY') && !created.body.includes(privateKey.slice(40, 80)));
  const id = created.json<{ id: number }>().id;

  const t = await app.inject({ method: 'POST', url: `/api/projects/${id}/test/source`, ...auth });
  assert.equal(t.statusCode, 200, t.body);
  const res = t.json<{ ok: boolean; checks: Array<{ ok: boolean; label: string }> }>();
  assert.equal(res.ok, true, t.body);
  assert.ok(
    res.checks.some((c) => c.ok && /alice@example\.test/.test(c.label)),
    t.body,
  );

  const d = await app.inject({ method: 'POST', url: `/api/projects/${id}/discover`, ...auth, payload: {} });
  assert.equal(d.statusCode, 200, d.body);
  const users = d.json<{ rows: Array<{ source: string }> }>().rows.map((r) => r.source);
  assert.ok(users.includes('alice@example.test') && users.includes('bert@example.test'), d.body);

  const store = await openStore(dataDir);
  const rows = await store.db.selectFrom('projects').select('settings').execute();
  await store.close();
  for (const r of rows) assert.ok(!r.settings.includes('PRIVATE KEY'));
});
