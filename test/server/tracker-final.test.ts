/**
 * The tracker's final-sync column from the passes the engine records (written through the real
 * MailboxRepo): before the plan's cutover every mailbox waits, whatever ran earlier; once the cutover is
 * past, a pass started after it that finished without failures is done, one under way is running, and
 * one that failed or left failed items needs attention, with the reason in the drill-down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { logIn, loggedIn, projectBody, server } from './helpers.js';

type StageBody = {
  key: string;
  colour: string;
  counts: { done: number; running: number; attention: number; waiting: number };
  note?: string;
};
const counters = (failed: number) => ({
  copied: 3,
  present: 0,
  skipped: 0,
  failed,
  flagsSynced: 0,
  bytes: 10,
  throttledMs: 0,
});

test('final-sync column: waiting before the cutover, then done / running / attention by pass', async (t) => {
  const dataDir = tempDataDir();
  let app = await server({ dataDir });
  let auth = await loggedIn(app);
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('final', { timezone: 'UTC', plan: { cutover: '2099-06-01T00:00' } }),
  });
  assert.equal(p.statusCode, 201, p.body);
  const id = p.json<{ id: number }>().id;
  const csv = ['source', ...Array.from({ length: 6 }, (_, i) => `u${i}`)].join('\n');
  await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  await app.close();

  // Passes as the engine records them: u0 clean, u1 with 2 failed items, u2 under way, u3 failed,
  // u4 only a dry run, u5 nothing. (The restart below marks u2's pass interrupted: still under way.)
  const store = await openStore(dataDir);
  const ids = (await store.db.selectFrom('mailboxes').select('id').orderBy('source_user').execute()).map(
    (r) => Number(r.id),
  );
  const repo = new MailboxRepo(store.db);
  await repo.finishPass(await repo.startPass(ids[0]!, false), 'done', counters(0));
  await repo.finishPass(await repo.startPass(ids[1]!, false), 'done', counters(2));
  await repo.startPass(ids[2]!, false);
  await repo.finishPass(await repo.startPass(ids[3]!, false), 'failed', counters(0), 'connection reset');
  await repo.finishPass(await repo.startPass(ids[4]!, true), 'done', counters(0));
  await store.close();

  app = await server({ dataDir });
  t.after(() => app.close());
  auth = await logIn(app);
  const finalStage = async () =>
    (await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker`, cookies: auth.cookies }))
      .json<{ stages: StageBody[] }>()
      .stages.find((s) => s.key === 'final-sync')!;

  let s = await finalStage();
  assert.deepEqual(s.counts, { done: 0, running: 0, attention: 0, waiting: 6 }, 'passes before the cutover');
  assert.equal(s.colour, 'grey');
  // The cutover in words a person reads (UTC, no ISO 'T'), as the tracker's final-sync stage shows it.
  assert.match(s.note!, /cutover \(2099-06-01 00:00 UTC\)/);

  // The cutover moves into the past: every pass above started after it.
  const patch = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${id}`,
    ...auth,
    payload: { plan: { cutover: '2026-01-01T00:00' } },
  });
  assert.equal(patch.statusCode, 200, patch.body);
  s = await finalStage();
  assert.deepEqual(s.counts, { done: 1, running: 1, attention: 2, waiting: 2 });
  assert.equal(s.colour, 'red');

  const drill = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/final-sync/mailboxes`,
    cookies: auth.cookies,
  });
  const d = drill.json<{
    items: Array<{ sourceUser: string; state: string; lastError: string | null }>;
    total: number;
  }>();
  assert.equal(d.total, 5);
  assert.deepEqual(
    d.items.map((m) => [m.sourceUser, m.state, m.lastError]),
    [
      ['u1', 'attention', '2 item(s) failed'],
      ['u3', 'attention', 'connection reset'],
      ['u2', 'running', null],
      ['u4', 'waiting', null],
      ['u5', 'waiting', null],
    ],
  );
});
