/**
 * The store suite, on SQLite and PostgreSQL alike (test/store/dialects.ts): the pass summary each mailbox
 * row carries for the tracker (store/pass-summary.ts, migration 0020t). Written by the repositories as the
 * engine writes passes and verifications, it must equal what the passes and verifications say — the same
 * as a full recompute and as the migration's filling of a store that had the rows before the columns —
 * and the tracker's stages and verification figures read from it must classify as the rows say.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Store } from '../../src/store/db.js';
import { MailboxRepo, type PassCounters } from '../../src/store/mailbox-repo.js';
import { fillPassSummary0020 } from '../../src/store/migrations.js';
import { refreshPassSummary, WRITING_NOW } from '../../src/store/pass-summary.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { TrackerRepo } from '../../src/store/tracker-repo.js';
import { VerificationRepo } from '../../src/store/verification-repo.js';
import { forEachDialect } from './dialects.js';

const COLUMNS = [
  'synced_at',
  'last_pass_started_at',
  'last_pass_status',
  'last_pass_failed',
  'last_pass_error',
  'clean_pass_started_at',
  'written_at',
  'verified_id',
] as const;

const counters = (copied: number, failed = 0): PassCounters => ({
  copied,
  present: 0,
  skipped: 0,
  failed,
  flagsSynced: 0,
  bytes: copied * 1000,
  throttledMs: 0,
});

/** Every mailbox's summary columns, by source login, numbers normalised. */
async function summaries(store: Store) {
  const rows = await store.db
    .selectFrom('mailboxes')
    .select(['source_user', ...COLUMNS])
    .orderBy('source_user')
    .execute();
  return rows.map((r) => ({
    ...r,
    last_pass_failed: r.last_pass_failed === null ? null : Number(r.last_pass_failed),
    verified_id: r.verified_id === null ? null : Number(r.verified_id),
  }));
}

forEachDialect('store: the pass summary on the mailbox rows', ({ fresh }) => {
  it('follows passes and verifications, equals a recompute and the migration, and the tracker reads it', async () => {
    const store = await fresh();
    const p = await new ProjectRepo(store.db).insert('P', '{}');
    const members = new ProjectMailboxRepo(store.db);
    const add = (u: string) =>
      members.insert(p, { key: u, sourceUser: u, destUser: u, starred: false, options: {} });
    const [a, b, c] = [await add('a'), await add('b'), await add('c')];
    await add('d');
    const repo = new MailboxRepo(store.db);
    const verifications = new VerificationRepo(store.db);
    const before = new Date(Date.now() - 60_000).toISOString();

    // a: a clean pass, then verified.
    await repo.finishPass(await repo.startPass(a, false), 'done', counters(5));
    await verifications.record({
      mailboxId: a,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      mode: 'normal',
      result: 'matches',
      error: null,
      folders: [],
    });
    // b: a pass under way counts as writing now; a dry run changes nothing.
    await repo.finishPass(await repo.startPass(b, true), 'done', counters(9));
    await repo.startPass(b, false);
    assert.equal((await summaries(store))[1]!.written_at, WRITING_NOW);
    assert.equal((await summaries(store))[1]!.last_pass_status, 'running');
    // c: a pass that finished with failed items: synced, not clean.
    await repo.finishPass(await repo.startPass(c, false), 'done', counters(3, 2), null);
    // d: nothing at all.

    // A process that died left b's pass running: closing stale passes marks it interrupted, and the summary.
    await repo.closeStalePasses();
    const kept = await summaries(store);
    const [sa, sb, sc, sd] = kept;
    assert.ok(sa!.synced_at && sa!.clean_pass_started_at && sa!.verified_id);
    assert.equal(sa!.last_pass_status, 'done');
    assert.equal(sb!.last_pass_status, 'interrupted');
    assert.ok(sb!.written_at && sb!.written_at !== WRITING_NOW, 'an interrupted pass wrote until it ended');
    assert.equal(sb!.synced_at, null);
    assert.equal(sc!.last_pass_failed, 2);
    assert.equal(sc!.clean_pass_started_at, null);
    assert.ok(sc!.synced_at);
    assert.deepEqual(
      COLUMNS.map((k) => sd![k]),
      COLUMNS.map(() => null),
    );

    // A full recompute, and the migration's filling of columns left empty, find the same.
    await refreshPassSummary(store.db, {});
    assert.deepEqual(await summaries(store), kept);
    await store.db
      .updateTable('mailboxes')
      .set(Object.fromEntries(COLUMNS.map((k) => [k, null])))
      .execute();
    await fillPassSummary0020(store.db as unknown as Kysely<unknown>);
    assert.deepEqual(await summaries(store), kept);

    // The tracker reads it: final sync after `before`, initial sync, and the verifications.
    const tracker = new TrackerRepo(store.db);
    const ctx = { requiredSides: [], finalFrom: before };
    assert.deepEqual(await tracker.countsOf(p, ['final-sync', 'initial-sync'], ctx), {
      'final-sync': { done: 1, running: 1, attention: 1, waiting: 1 },
      'initial-sync': { done: 2, running: 1, attention: 0, waiting: 1 },
    });
    const reasons = await tracker.notDone(p, 'final-sync', ctx, { offset: 0, limit: 10 });
    assert.deepEqual(
      reasons.rows.map((r) => [r.sourceUser, r.state, r.lastError]),
      [
        ['c', 'attention', '2 item(s) failed'],
        ['b', 'running', null],
        ['d', 'waiting', null],
      ],
    );
    const later = { requiredSides: [], finalFrom: new Date(Date.now() + 60_000).toISOString() };
    assert.deepEqual(await tracker.counts(p, 'final-sync', later), {
      done: 0,
      running: 0,
      attention: 0,
      waiting: 4,
    });
    const v1 = await verifications.ofProject(p);
    assert.deepEqual([v1.mailboxes, v1.matches, v1.notVerified, v1.outdated], [4, 1, 3, 0]);
    // A pass that copies after the verification makes it outdated; one that copies nothing does not.
    await repo.finishPass(await repo.startPass(a, false), 'done', counters(0));
    assert.equal((await verifications.ofProject(p)).outdated, 0);
    await new Promise((r) => setTimeout(r, 5));
    await repo.finishPass(await repo.startPass(a, false), 'done', counters(1));
    const v2 = await verifications.ofProject(p);
    assert.deepEqual([v2.matches, v2.outdated, v2.notVerified], [0, 1, 3]);
  });

  it('closing stale passes spares a mailbox running for a run whose heartbeat is fresh', async () => {
    const store = await fresh();
    const p = await new ProjectRepo(store.db).insert('P', '{}');
    const members = new ProjectMailboxRepo(store.db);
    const add = (u: string) =>
      members.insert(p, { key: u, sourceUser: u, destUser: u, starred: false, options: {} });
    const [live, dead] = [await add('live'), await add('dead')];
    const repo = new MailboxRepo(store.db);
    for (const id of [live, dead]) {
      await repo.startPass(id, false);
      await store.db.updateTable('mailboxes').set({ status: 'running' }).where('id', '=', id).execute();
    }
    const at = new Date().toISOString();
    await store.db
      .insertInto('runs')
      .values({ id: 'r1', project_id: p, phase: null, dry_run: 0, state: 'running', created_at: at })
      .execute();
    const row = (mailbox_id: number, heartbeat_at: number) => ({
      run_id: 'r1',
      mailbox_id,
      source_user: String(mailbox_id),
      position: mailbox_id,
      state: 'running',
      worker: 'w',
      heartbeat_at,
    });
    // A worker renews the live mailbox's heartbeat; the dead one's stopped two minutes ago.
    await store.db
      .insertInto('run_mailboxes')
      .values([row(live, Date.now()), row(dead, Date.now() - 120_000)])
      .execute();
    await repo.closeStalePasses();
    const states = await store.db
      .selectFrom('mailboxes')
      .select(['source_user', 'status', 'last_pass_status'])
      .orderBy('source_user')
      .execute();
    assert.deepEqual(
      states.map((r) => [r.source_user, r.status, r.last_pass_status]),
      [
        ['dead', 'stopped', 'interrupted'],
        ['live', 'running', 'running'],
      ],
    );
  });
});
