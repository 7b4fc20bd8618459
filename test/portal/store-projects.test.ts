/**
 * The portal for a project made in the UI (stored, no project file): a mailbox added over the API gets a
 * personal link whose page checks the password against the project's servers (a real Dovecot).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { tempDataDir } from '../integration/helpers.js';
import { loggedIn } from '../server/helpers.js';
import { formTokenOf } from './fixtures.js';

const USERS = [{ user: 'frank', password: 'Frank-pw-1234' }];
let src: DovecotServer;
let app: FastifyInstance;

before(async () => {
  src = await startDovecot({ users: USERS });
  app = await buildServer({ dataDir: tempDataDir(), commsIntervalMs: 0 });
});
after(async () => {
  await app?.close();
  await src?.stop();
});

test('a stored project: the link page asks for the old password and checks it on the project source', async () => {
  const auth = await loggedIn(app);
  const server = { kind: 'imap', host: '127.0.0.1', port: src.imapPort, tls: 'none' };
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: {
      name: 'ui-made',
      source: server,
      destination: { ...server, admin: { user: 'frank', mode: 'password', password: 'x' } },
    },
  });
  assert.equal(p.statusCode, 201, p.body);
  const projectId = p.json<{ id: number }>().id;
  const m = await app.inject({
    method: 'POST',
    url: `/api/projects/${projectId}/mailboxes`,
    ...auth,
    payload: { sourceUser: 'frank' },
  });
  assert.equal(m.statusCode, 201, m.body);
  const mailboxId = m.json<{ id: number }>().id;
  const link = await app.inject({
    method: 'POST',
    url: `/api/mailboxes/${mailboxId}/credential-link`,
    ...auth,
  });
  const path = new URL(link.json<{ url: string }>().url, 'http://x').pathname;
  const page = await app.inject({ method: 'GET', url: path });
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /Password of your current mailbox \(frank\)/);
  assert.doesNotMatch(page.body, /Password of your new mailbox/, 'the destination has an admin login');
  const post = (source: string) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ form: formTokenOf(page.body), source }).toString(),
    });
  assert.equal((await post('nope')).statusCode, 422);
  assert.equal((await post(USERS[0]!.password)).statusCode, 200);
  const stages = await app.inject({ method: 'GET', url: '/api/credentials/stages', cookies: auth.cookies });
  assert.deepEqual(stages.json<{ credentials: unknown }>().credentials, {
    total: 1,
    present: 1,
    verified: 1,
  });
});
