/** "Test connection" against real Dovecot servers: capabilities when the login works, plain words when not. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { credentialContext } from '../../src/services/credential-service.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { openStore } from '../../src/store/db.js';
import { tempDataDir } from '../integration/helpers.js';
import { loggedIn, server } from './helpers.js';

let src: DovecotServer;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;
const dataDir = tempDataDir();

before(async () => {
  src = await startDovecot({
    users: [{ user: 'alice', password: 'pw-alice' }],
    masterUser: { user: 'admin', password: 'master-secret' },
  });
  app = await server({ dataDir });
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
  await src?.stop();
});

type Result = {
  ok: boolean;
  checks: Array<{
    label: string;
    ok: boolean;
    capabilities: string[];
    error: { code: string; message: string } | null;
  }>;
};

async function projectWith(name: string, source: Record<string, unknown>): Promise<number> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: {
      name,
      source: { kind: 'imap', host: '127.0.0.1', port: src.imapPort, tls: 'none', ...source },
      destination: { kind: 'imap', host: '127.0.0.1', port: src.imapPort, tls: 'none' },
    },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ id: number }>().id;
}

const run = async (id: number, side: string) => {
  const r = await app.inject({ method: 'POST', url: `/api/projects/${id}/test/${side}`, ...auth });
  assert.equal(r.statusCode, 200, r.body);
  return r.json<Result>();
};

test('a master login acting for the test mailbox reports the capabilities', async () => {
  const id = await projectWith('good', {
    testMailbox: 'alice',
    admin: { user: 'admin', mode: 'master', password: 'master-secret' },
  });
  const r = await run(id, 'source');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.checks.length, 1);
  assert.match(r.checks[0]!.label, /source mailbox alice/);
  assert.ok(
    r.checks[0]!.capabilities.some((c) => c.toUpperCase() === 'IMAP4REV1'),
    r.checks[0]!.capabilities.join(' '),
  );
});

test('a wrong password fails in plain words; no login to try is said too', async () => {
  const id = await projectWith('bad', {
    admin: { user: 'alice', mode: 'password', password: 'wrong' },
  });
  const r = await run(id, 'source');
  assert.equal(r.ok, false);
  assert.equal(r.checks[0]!.error?.code, 'AUTH_FAILED');
  assert.ok(r.checks[0]!.error.message.length > 10);
  const d = await run(id, 'destination');
  assert.equal(d.ok, false);
  assert.match(d.checks[0]!.error!.message, /Nothing to log in with/);
});

test('an unknown project is 404', async () => {
  const r = await app.inject({ method: 'POST', url: '/api/projects/999/test/source', ...auth });
  assert.equal(r.statusCode, 404);
});

test('without an admin login, the password a user handed over is what the test logs in with', async () => {
  const id = await projectWith('portal', {});
  const m = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes`,
    ...auth,
    payload: { sourceUser: 'alice' },
  });
  const mailboxId = m.json<{ id: number }>().id;
  const before = await run(id, 'source');
  assert.equal(before.ok, false);
  assert.match(before.checks[0]!.error!.message, /No source credentials for mailbox "alice"/);
  const store = await openStore(dataDir);
  try {
    const sealed = openSecretBox(dataDir).seal('pw-alice', credentialContext(mailboxId, 'source'));
    await new CredentialRepo(store.db).put({
      mailboxId,
      side: 'source',
      sealed,
      enteredBy: 'portal',
      verifiedAt: null,
    });
  } finally {
    await store.close();
  }
  const after = await run(id, 'source');
  assert.equal(after.ok, true, JSON.stringify(after));
});
