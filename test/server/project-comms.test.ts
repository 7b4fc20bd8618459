/**
 * Communications per project over the API with a real SMTP receiver: two projects (created as the UI creates
 * them) that both write to a point of contact. Sending what is due for one writes only to its own mailboxes, a
 * test send is kept in its own log, neither project's log shows the other's messages, and a template edited for one
 * is not the other's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { startSmtpReceiver, type SmtpReceiver } from '../notify/smtp-receiver.js';
import { loggedIn, projectBody, server } from './helpers.js';

let smtp: SmtpReceiver;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;

before(async () => {
  smtp = await startSmtpReceiver();
  app = await server({
    publicUrl: 'https://m.example.test',
    commsIntervalMs: 0,
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'it@new.example' },
  });
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
  await smtp?.stop();
});

/** A project writing to `contact`, with the announcement due now, and its mailboxes. */
async function project(name: string, contact: string, users: string[]): Promise<number> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody(name, {
      plan: {
        mode: 'admin',
        communications: 'contact',
        contact,
        notifyFrom: new Date(Date.now() - 3600_000).toISOString(),
        cutover: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      },
    }),
  });
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json<{ id: number }>().id;
  for (const u of users) {
    const m = await app.inject({
      method: 'POST',
      url: `/api/projects/${id}/mailboxes`,
      ...auth,
      payload: { sourceUser: u },
    });
    assert.equal(m.statusCode, 201, m.body);
  }
  return id;
}

type Log = { total: number; items: Array<{ recipient: string; mailbox: string | null; event: string }> };
const log = async (id: number): Promise<Log> => {
  const r = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/comms/messages`,
    cookies: auth.cookies,
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json<Log>();
};

test('each project sends to its own mailboxes and its log and templates are its own', async () => {
  const a = await project('Alpha', 'desk-a@new.example', ['ann']);
  const b = await project('Beta', 'desk-b@new.example', ['bob', 'cy']);

  const run = await app.inject({ method: 'POST', url: `/api/projects/${a}/comms/run`, ...auth });
  assert.equal(run.statusCode, 200, run.body);
  assert.equal(run.json<{ sent: number }>().sent, 1);
  assert.equal(smtp.to('desk-a@new.example').length, 1);
  assert.equal(smtp.to('desk-b@new.example').length, 0);

  const test = await app.inject({
    method: 'POST',
    url: `/api/projects/${b}/comms/test`,
    ...auth,
    payload: { kind: 'announcement', to: 'me-b@new.example' },
  });
  assert.deepEqual(test.json(), { status: 'sent' });

  const logA = await log(a);
  const logB = await log(b);
  assert.deepEqual(
    logA.items.map((m) => [m.mailbox, m.recipient, m.event]),
    [['ann', 'desk-a@new.example', 'announcement']],
  );
  assert.equal(logA.total, 1);
  assert.deepEqual(
    logB.items.map((m) => [m.mailbox, m.recipient]),
    [[null, 'me-b@new.example']],
  );
  assert.equal(logB.total, 1);

  // The overview counts the project's own mailboxes (one message per user for the contact to forward).
  const overview = await app.inject({
    method: 'GET',
    url: `/api/projects/${b}/comms`,
    cookies: auth.cookies,
  });
  assert.equal(overview.statusCode, 200, overview.body);
  const warnings = overview.json<{ warnings: string[] }>().warnings.join('\n');
  assert.match(warnings, /desk-b@new\.example receives one message per user to forward: 2 mailbox\(es\)/);

  // A template edited for one project is that project's alone.
  const edit = await app.inject({
    method: 'PUT',
    url: `/api/projects/${a}/comms/templates/announcement`,
    ...auth,
    payload: {
      subject: 'Alpha moves on {{cutoverDate}}',
      text: '{{link}}',
      html: '<a href="{{link}}">go</a>',
    },
  });
  assert.equal(edit.statusCode, 200, edit.body);
  const templates = async (id: number) =>
    (
      await app.inject({ method: 'GET', url: `/api/projects/${id}/comms/templates`, cookies: auth.cookies })
    ).json<Array<{ kind: string; subject: string; edited: boolean }>>();
  const annA = (await templates(a)).find((t) => t.kind === 'announcement')!;
  const annB = (await templates(b)).find((t) => t.kind === 'announcement')!;
  assert.deepEqual([annA.subject, annA.edited], ['Alpha moves on {{cutoverDate}}', true]);
  assert.equal(annB.edited, false);
  assert.doesNotMatch(annB.subject, /Alpha/);

  // An unknown project is not found.
  const none = await app.inject({
    method: 'GET',
    url: '/api/projects/999/comms/messages',
    cookies: auth.cookies,
  });
  assert.equal(none.statusCode, 404);
});
