/** Alert actions over the API: get, project list, complete/archive, auto-archive by type (now and later), undo, e-mail. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertFeed } from '../../src/services/alert-feed.js';
import { RunEvents } from '../../src/services/run-events.js';
import { AlertAdminRepo } from '../../src/store/alert-admin-repo.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { openStore } from '../../src/store/db.js';
import { startSmtpReceiver } from '../notify/smtp-receiver.js';
import { tempDataDir } from '../integration/helpers.js';
import { errorBody, loggedIn, projectBody, server } from './helpers.js';

type Alert = { id: number; projectId: number | null; mailbox: string | null; type: string; status: string };

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dataDir = tempDataDir();
  const app = await server({ dataDir });
  const auth = await loggedIn(app);
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('alerts'),
  });
  const id = p.json<{ id: number }>().id;
  const csv = 'source\nann\nben\ncat\n';
  await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  // A second handle on the same store, as the scan or the engine would raise alerts.
  const store = await openStore(dataDir);
  t.after(async () => {
    await store.close();
    await app.close();
  });
  const mb = new Map(
    (await store.db.selectFrom('mailboxes').select(['id', 'source_user']).execute()).map((r) => [
      r.source_user,
      Number(r.id),
    ]),
  );
  return { app, auth, id, store, mb, repo: new AlertRepo(store.db) };
}

const raise = (repo: AlertRepo, mailboxId: number, type: string) =>
  repo.raise({
    mailboxId,
    type,
    level: type === 'quota-too-small' ? 'critical' : 'advisory',
    text: `${type} here`,
  });

test('alerts: auth, get by id, project list, complete and undo', async (t) => {
  const { app, auth, id, mb, repo } = await setup(t);
  const a1 = await raise(repo, mb.get('ann')!, 'quota-too-small');
  await raise(repo, mb.get('ben')!, 'oversize-items');
  for (const [method, url] of [
    ['GET', `/api/alerts/${a1}`],
    ['GET', `/api/projects/${id}/alerts`],
    ['POST', `/api/alerts/${a1}/auto-archive`],
    ['POST', '/api/alerts/undo'],
    ['POST', `/api/alerts/${a1}/email`],
  ] as const) {
    assert.equal((await app.inject({ method, url })).statusCode, 401, url);
    if (method === 'POST')
      assert.equal(
        (await app.inject({ method, url, cookies: auth.cookies, payload: {} })).statusCode,
        403,
        url,
      );
  }
  const got = await app.inject({ method: 'GET', url: `/api/alerts/${a1}`, cookies: auth.cookies });
  assert.equal(got.statusCode, 200);
  assert.deepEqual(
    (({ projectId, mailbox, type, status }) => ({ projectId, mailbox, type, status }))(got.json<Alert>()),
    { projectId: id, mailbox: 'ann', type: 'quota-too-small', status: 'active' },
  );
  assert.equal(
    (await app.inject({ method: 'GET', url: '/api/alerts/999', cookies: auth.cookies })).statusCode,
    404,
  );
  const list = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/alerts?level=critical`,
    cookies: auth.cookies,
  });
  assert.deepEqual(
    list.json<{ items: Alert[]; total: number }>().items.map((a) => a.id),
    [a1],
  );
  const paged = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/alerts?limit=1&offset=1`,
    cookies: auth.cookies,
  });
  assert.equal(paged.json<{ items: Alert[]; total: number }>().total, 2);
  assert.equal(paged.json<{ items: Alert[] }>().items.length, 1);

  const done = await app.inject({ method: 'POST', url: `/api/alerts/${a1}/complete`, ...auth });
  assert.equal(done.json<Alert>().status, 'completed');
  const undo = await app.inject({
    method: 'POST',
    url: '/api/alerts/undo',
    ...auth,
    payload: { projectId: id },
  });
  assert.equal(undo.statusCode, 200, undo.body);
  assert.deepEqual(undo.json<{ restoredAlertIds: number[] }>().restoredAlertIds, [a1]);
  assert.equal(
    (await app.inject({ method: 'GET', url: `/api/alerts/${a1}`, cookies: auth.cookies })).json<Alert>()
      .status,
    'active',
  );
  const nothing = await app.inject({
    method: 'POST',
    url: '/api/alerts/undo',
    ...auth,
    payload: { projectId: id },
  });
  assert.equal(nothing.statusCode, 409);
  assert.match(errorBody(nothing).message, /no alert action to undo/);
});

test('auto-archive: every alert of the type in the project, now and later; undo removes the rule', async (t) => {
  const { app, auth, mb, repo, store } = await setup(t);
  const o1 = await raise(repo, mb.get('ann')!, 'oversize-items');
  const o2 = await raise(repo, mb.get('ben')!, 'oversize-items');
  const other = await raise(repo, mb.get('cat')!, 'folder-renamed');
  const r = await app.inject({ method: 'POST', url: `/api/alerts/${o1}/auto-archive`, ...auth });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json<{ alertIds: number[]; ruleType: string }>().alertIds.sort(), [o1, o2].sort());
  const status = async (aid: number) =>
    (await store.db.selectFrom('alerts').select('status').where('id', '=', aid).executeTakeFirstOrThrow())
      .status;
  assert.equal(await status(o2), 'archived');
  assert.equal(await status(other), 'active');
  // Raised later: archived on arrival; another type is not.
  const later = await raise(repo, mb.get('cat')!, 'oversize-items');
  assert.equal(await status(later), 'archived');
  assert.equal(await status(await raise(repo, mb.get('ann')!, 'scan-failed')), 'active');

  const undo = await app.inject({ method: 'POST', url: '/api/alerts/undo', ...auth, payload: {} });
  assert.deepEqual(undo.json<{ restoredAlertIds: number[] }>().restoredAlertIds.sort(), [o1, o2].sort());
  assert.equal(await status(o1), 'active');
  const afterUndo = await raise(repo, mb.get('ben')!, 'oversize-items');
  assert.equal(afterUndo, o2, 'the active alert of that type is refreshed, not duplicated');
  assert.equal(await status(afterUndo), 'active', 'no rule any more');
});

test('e-mail an alert: 501 in plain words without SMTP; sent once per recipient with it', async (t) => {
  const { app, auth, mb, repo, store } = await setup(t);
  const a = await raise(repo, mb.get('ann')!, 'quota-too-small');
  delete process.env.CUTOVER_SMTP_URL;
  const off = await app.inject({
    method: 'POST',
    url: `/api/alerts/${a}/email`,
    ...auth,
    payload: { to: 'boss@example.com' },
  });
  assert.equal(off.statusCode, 501);
  assert.equal(errorBody(off).code, 'NOT_CONFIGURED');
  assert.match(errorBody(off).message, /SMTP is not configured/);
  assert.match(errorBody(off).hint!, /CUTOVER_SMTP_URL/);
  const bad = await app.inject({
    method: 'POST',
    url: `/api/alerts/${a}/email`,
    ...auth,
    payload: { to: 'not an address' },
  });
  assert.equal(bad.statusCode, 400);

  const smtp = await startSmtpReceiver();
  t.after(() => smtp.stop());
  process.env.CUTOVER_SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
  process.env.CUTOVER_SMTP_FROM = 'Cutover <cutover@example.com>';
  t.after(() => {
    delete process.env.CUTOVER_SMTP_URL;
    delete process.env.CUTOVER_SMTP_FROM;
  });
  const send = () =>
    app.inject({
      method: 'POST',
      url: `/api/alerts/${a}/email`,
      ...auth,
      payload: { to: 'boss@example.com', note: 'please look' },
    });
  const sent = await send();
  assert.equal(sent.statusCode, 200, sent.body);
  assert.deepEqual(sent.json(), { status: 'sent' });
  assert.equal((await send()).json<{ status: string }>().status, 'already-sent');
  const got = smtp.to('boss@example.com');
  assert.equal(got.length, 1);
  assert.match(got[0]!.raw, /please look/);
  const recorded = await store.db.selectFrom('alert_emails').select('status').orderBy('id').execute();
  assert.deepEqual(
    recorded.map((r) => r.status),
    ['not-configured', 'sent', 'already-sent'],
  );
});

test('alerts raised or changed anywhere reach the project event stream once each', async (t) => {
  const { app, auth, id, mb, repo, store } = await setup(t);
  const hub = new RunEvents(60_000);
  const got: Array<{ alertId: number; change: string }> = [];
  hub.subscribe((e) => e.type === 'alert' && got.push(e.data));
  // A long interval: the test drives the polls.
  const feed = new AlertFeed({ alerts: new AlertAdminRepo(store.db), events: () => hub }, 60_000);
  const stop = feed.watch(id);
  t.after(() => feed.close());
  const a = await raise(repo, mb.get('ann')!, 'scan-failed');
  await feed.poll(id);
  await feed.poll(id);
  assert.deepEqual(got, [{ alertId: a, change: 'raised' }]);
  await new Promise((r) => setTimeout(r, 5)); // a later timestamp than the raise
  await app.inject({ method: 'POST', url: `/api/alerts/${a}/archive`, ...auth });
  await feed.poll(id);
  assert.deepEqual(got.at(-1), { alertId: a, change: 'changed' });
  assert.equal(got.length, 2);
  stop();
  await raise(repo, mb.get('ben')!, 'scan-failed');
  await feed.poll(id);
  assert.equal(got.length, 2, 'nothing once nobody watches');
});
