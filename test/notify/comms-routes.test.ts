/** The operator's communications routes over HTTP with a real SMTP receiver: overview, templates, preview, test send, send now, messages per mailbox. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { defaultPlan } from '../../src/config/plan.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { resolveTarget } from '../../src/cli/context.js';
import { openStore } from '../../src/store/db.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { errorBody, loggedIn } from '../server/helpers.js';
import { registerMailboxes, staticProjects } from '../portal/fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

let smtp: SmtpReceiver;
let app: FastifyInstance;
let bare: FastifyInstance;
let ids: Map<string, number>;
/** The stored project the mailboxes belong to (the routes are per project). */
let pid: number;
let session: Awaited<ReturnType<typeof loggedIn>>;

before(async () => {
  smtp = await startSmtpReceiver();
  const project: ProjectConfig = resolveTarget({
    from: 'imaps://erin%40old.example:x@imap.old.example',
    to: 'imaps://erin%40new.example:x@imap.new.example',
  }).project;
  project.plan = {
    ...defaultPlan(),
    communications: 'contact',
    contact: 'desk@new.example',
    notifyFrom: new Date(Date.now() - 3600_000),
    cutoverAt: new Date(Date.now() + 10 * 86_400_000),
  };
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  ids = await registerMailboxes(store, project);
  pid = await new ProjectRepo(store.db).insert(project.name, '{}');
  await store.db.updateTable('mailboxes').set({ project_id: pid }).execute();
  await store.close();
  const common = {
    dataDir,
    projects: staticProjects(project),
    publicUrl: 'https://m.example.test',
    commsIntervalMs: 0,
  };
  app = await buildServer({
    ...common,
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'it@new.example' },
  });
  session = await loggedIn(app);
  bare = await buildServer({ ...common, dataDir: tempDataDir() });
});
after(async () => {
  await app?.close();
  await bare?.close();
  await smtp?.stop();
});

test('overview: the schedule from the plan and the volume warning for a point of contact', async () => {
  const r = await app.inject({ method: 'GET', url: `/api/projects/${pid}/comms`, cookies: session.cookies });
  assert.equal(r.statusCode, 200, r.body);
  const o = r.json<{
    communications: string;
    smtpConfigured: boolean;
    warnings: string[];
    schedule: Array<{ kind: string }>;
  }>();
  assert.equal(o.communications, 'contact');
  assert.equal(o.smtpConfigured, true);
  assert.match(
    o.warnings.join('\n'),
    /desk@new\.example receives one message per user to forward: 1 mailbox/,
  );
  assert.deepEqual(
    o.schedule.map((w) => w.kind),
    ['announcement', 'reminder', 'pre-cutover', 'dns-change'],
  );
});

test('templates: edit with a typo refused (400), preview, reset; a test send arrives', async () => {
  const bad = await app.inject({
    method: 'PUT',
    url: `/api/projects/${pid}/comms/templates/reminder`,
    ...session,
    payload: { subject: '{{lnk}}', text: 't', html: 'h' },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(errorBody(bad).message, /uses \{\{lnk\}\}, which Cutover does not know/);
  const ok = await app.inject({
    method: 'PUT',
    url: `/api/projects/${pid}/comms/templates/reminder`,
    ...session,
    payload: { subject: 'Still missing: {{address}}', text: '{{link}}', html: '<a href="{{link}}">go</a>' },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  const preview = await app.inject({
    method: 'GET',
    url: `/api/projects/${pid}/comms/templates/reminder/preview`,
    cookies: session.cookies,
  });
  assert.equal(preview.json<{ subject: string }>().subject, 'Still missing: jane.doe@old.example');
  const list = await app.inject({
    method: 'GET',
    url: `/api/projects/${pid}/comms/templates`,
    cookies: session.cookies,
  });
  assert.deepEqual(
    list
      .json<Array<{ kind: string; edited: boolean }>>()
      .filter((t) => t.edited)
      .map((t) => t.kind),
    ['reminder'],
  );
  assert.equal(
    (await app.inject({ method: 'DELETE', url: `/api/projects/${pid}/comms/templates/reminder`, ...session }))
      .statusCode,
    204,
  );
  const sent = await app.inject({
    method: 'POST',
    url: `/api/projects/${pid}/comms/test`,
    ...session,
    payload: { kind: 'announcement', to: 'me@new.example' },
  });
  assert.deepEqual(sent.json(), { status: 'sent' });
  assert.equal(smtp.to('me@new.example')[0]!.subject.startsWith('[test] Your mailbox is moving on'), true);
});

test('send now: the due announcement goes to the contact once; the mailbox lists it', async () => {
  const run = await app.inject({ method: 'POST', url: `/api/projects/${pid}/comms/run`, ...session });
  assert.equal(run.statusCode, 200, run.body);
  assert.deepEqual(
    run
      .json<{ attempts: Array<{ event: string; status: string }> }>()
      .attempts.map((a) => [a.event, a.status]),
    [['announcement', 'sent']],
  );
  assert.equal(
    (await app.inject({ method: 'POST', url: `/api/projects/${pid}/comms/run`, ...session })).json<{
      sent: number;
    }>().sent,
    0,
  );
  const msgs = await app.inject({
    method: 'GET',
    url: `/api/mailboxes/${ids.get('erin@old.example')}/messages`,
    cookies: session.cookies,
  });
  assert.deepEqual(
    msgs
      .json<Array<{ event: string; recipient: string; status: string; subject: string }>>()
      .map((m) => [m.event, m.recipient, m.status, m.subject.slice(0, 48)]),
    [['announcement', 'desk@new.example', 'sent', '[to forward to erin@old.example] Your mailbox is']],
  );
  const [mail] = smtp.to('desk@new.example');
  assert.match(mail!.raw, /https:\/\/m\.example\.test\/p\/[A-Za-z0-9_-]{43}/);
});

test('without SMTP: sending is refused with what to set', async () => {
  const s = await loggedIn(bare);
  const r = await bare.inject({
    method: 'POST',
    url: `/api/projects/${pid}/comms/test`,
    ...s,
    payload: { kind: 'announcement', to: 'me@new.example' },
  });
  assert.equal(r.statusCode, 409);
  assert.match(errorBody(r).hint!, /CUTOVER_SMTP_URL/);
});
