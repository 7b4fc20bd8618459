/**
 * The store suite, part 2, on SQLite and PostgreSQL alike (test/store/dialects.ts): projects and their
 * mailboxes, API pages and search, the tracker's stages, alerts and operator actions on them.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AlertActionRepo } from '../../src/store/alert-action-repo.js';
import { AlertAdminRepo } from '../../src/store/alert-admin-repo.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { ClientSetupRepo } from '../../src/store/client-setup-repo.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { PageRepo } from '../../src/store/page-repo.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { ScanRepo } from '../../src/store/scan-repo.js';
import { TrackerRepo } from '../../src/store/tracker-repo.js';
import type { Store } from '../../src/store/db.js';
import { forEachDialect } from './dialects.js';

/** A project with mailboxes alice, Bob, carol (source logins) at example.com. */
async function project(store: Store, name = 'Acme') {
  const p = await new ProjectRepo(store.db).insert(name, '{"x":1}');
  const members = new ProjectMailboxRepo(store.db);
  const ids: number[] = [];
  for (const [k, user, starred] of [
    ['k1', 'alice@example.com', false],
    ['k2', 'Bob@Example.com', true],
    ['k3', 'carol@other.org', false],
  ] as const)
    ids.push(
      await members.insert(p, {
        key: `${name}-${k}`,
        sourceUser: user,
        destUser: user.toLowerCase(),
        starred,
        options: k === 'k3' ? { itemTypes: ['mail'] } : {},
      }),
    );
  return { p, ids, members };
}

forEachDialect('store: projects, pages, tracker, alerts', ({ fresh }) => {
  it('projects: paged by name, search ignores case, mailbox counts, delete takes the mailboxes', async () => {
    const store = await fresh();
    const repo = new ProjectRepo(store.db);
    const { p } = await project(store, 'Beta');
    const q = await repo.insert('alpha 100%', '{}');
    await repo.insert('Gamma', '{}');
    const all = await repo.page({ offset: 0, limit: 10 });
    assert.equal(all.total, 3);
    assert.deepEqual(
      all.rows.map((r) => [r.name, r.mailboxCount]),
      [
        ['Beta', 3],
        ['Gamma', 0],
        ['alpha 100%', 0],
      ],
    );
    const found = await repo.page({ offset: 0, limit: 10, search: 'BET' });
    assert.deepEqual(
      found.rows.map((r) => r.name),
      ['Beta'],
    );
    assert.deepEqual(
      (await repo.page({ offset: 0, limit: 10, search: '0%' })).rows.map((r) => r.id),
      [q],
    );
    assert.equal((await repo.page({ offset: 0, limit: 10, search: '_' })).total, 0);
    assert.equal((await repo.byName('Beta'))?.settings, '{"x":1}');
    await repo.update(p, { name: 'Beta 2' });
    assert.equal((await repo.get(p))?.name, 'Beta 2');
    assert.equal(await repo.delete(p), true);
    assert.deepEqual(await new MailboxRepo(store.db).list(), []);
    assert.equal(await repo.delete(p), false);
  });

  it('project mailboxes: page, sort, filter, search ignoring case, bulk star, upsert conflicts, rekey', async () => {
    const store = await fresh();
    const { p, ids, members } = await project(store);
    const other = await new ProjectRepo(store.db).insert('Other', '{}');
    const page = await members.page(p, { offset: 0, limit: 2, sort: 'name', order: 'asc' });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.rows.map((r) => r.sourceUser),
      ['Bob@Example.com', 'alice@example.com'],
    );
    const byDest = await members.page(p, { offset: 0, limit: 5, sort: 'destination', order: 'desc' });
    assert.deepEqual(
      byDest.rows.map((r) => r.destUser),
      ['carol@other.org', 'bob@example.com', 'alice@example.com'],
    );
    // The search box finds logins whatever their case (as SQLite's LIKE always did).
    assert.deepEqual(await members.ids(p, { search: 'bob@EXAMPLE' }), [ids[1]]);
    assert.deepEqual(await members.ids(p, { search: 'EXAMPLE.COM' }), [ids[0], ids[1]]);
    assert.deepEqual(await members.ids(p, { starred: true }), [ids[1]]);
    assert.deepEqual((await members.all(p, { ids: [ids[2]!] }))[0]?.options, { itemTypes: ['mail'] });
    assert.equal(await members.setStarred(p, [ids[0]!, ids[1]!], true), 2);
    assert.deepEqual(await members.ids(p, { starred: true }), [ids[0], ids[1]]);
    await members.update(ids[0]!, { destUser: 'a@new.example', starred: false });
    assert.equal((await members.get(ids[0]!))?.destUser, 'a@new.example');
    assert.equal((await members.first(p))?.id, ids[0]);
    const r = await members.upsertMany(other, [
      { key: 'Acme-k1', sourceUser: 'x', destUser: 'x', starred: false, options: {} },
      { key: 'new', sourceUser: 'n', destUser: 'n', starred: true, options: {} },
      { key: 'new', sourceUser: 'n', destUser: 'n', starred: false, options: { since: '2020-01-01' } },
    ]);
    assert.deepEqual(r, { added: 1, updated: 1, conflicts: ['Acme-k1'] });
    const n = (await members.all(other))[0]!;
    assert.deepEqual([n.key, n.starred, n.options], ['new', false, { since: '2020-01-01' }]);
    assert.deepEqual([...(await members.byKeys(['new', 'Acme-k2', 'none'])).keys()].sort(), [
      'Acme-k2',
      'new',
    ]);
    await members.rekey(p, (m) => `${m.sourceUser}>${m.destUser}`);
    assert.equal((await members.byKey('carol@other.org>carol@other.org'))?.projectId, p);
    await members.delete(ids[2]!);
    assert.equal((await members.page(p, { offset: 0, limit: 9, sort: 'size', order: 'asc' })).total, 2);
  });

  it('API pages: mailboxes sorted and searched ignoring case, alerts by status', async () => {
    const store = await fresh();
    const { ids } = await project(store);
    const mailboxes = new MailboxRepo(store.db);
    await mailboxes.setSize(ids[0]!, 1, 300);
    await mailboxes.setSize(ids[2]!, 1, 200);
    await mailboxes.setStatus(ids[2]!, 'done');
    const pages = new PageRepo(store.db);
    const bySize = await pages.mailboxes({ offset: 0, limit: 2, sort: 'size', order: 'desc' });
    assert.deepEqual([bySize.total, bySize.items.map((m) => m.id)], [3, [ids[0], ids[2]]]);
    assert.deepEqual(
      (await pages.mailboxes({ offset: 0, limit: 9, sort: 'name', order: 'asc', search: 'ALICE' })).items.map(
        (m) => m.id,
      ),
      [ids[0]],
    );
    assert.deepEqual(
      (
        await pages.mailboxes({ offset: 1, limit: 9, sort: 'status', order: 'asc', status: 'idle' })
      ).items.map((m) => m.id),
      [ids[1]],
    );
    const alerts = new AlertRepo(store.db);
    await alerts.raise({ mailboxId: ids[0]!, type: 'quota', level: 'critical', text: 'full' });
    const b = await alerts.raise({ mailboxId: null, type: 'dns', level: 'advisory', text: 'not ready' });
    await alerts.setStatus(b, 'completed');
    const page = await pages.alerts({ offset: 0, limit: 10, status: 'active' });
    assert.deepEqual([page.total, page.items.map((a) => a.type)], [1, ['quota']]);
  });

  it('tracker: every stage counts and lists the mailboxes not done, attention first', async () => {
    const store = await fresh();
    const { p, ids } = await project(store);
    const [a, b, c] = ids as [number, number, number];
    const mailboxes = new MailboxRepo(store.db);
    const tracker = new TrackerRepo(store.db);
    // initial-sync: a done (a real pass), b failed, c waiting (only a dry run).
    const pa = await mailboxes.startPass(a, false);
    await mailboxes.finishPass(pa, 'done', {
      copied: 1,
      present: 0,
      skipped: 0,
      failed: 0,
      flagsSynced: 0,
      bytes: 1,
      throttledMs: 0,
    });
    await mailboxes.setStatus(b, 'failed', 'login refused');
    await mailboxes.startPass(c, true);
    const ctx = { requiredSides: ['source' as const] };
    assert.deepEqual(await tracker.counts(p, 'initial-sync', ctx), {
      done: 1,
      running: 0,
      attention: 1,
      waiting: 1,
    });
    const drill = await tracker.notDone(p, 'initial-sync', ctx, { offset: 0, limit: 10 });
    assert.equal(drill.total, 2);
    assert.deepEqual(
      drill.rows.map((r) => [r.id, r.state, r.lastError]),
      [
        [b, 'attention', 'login refused'],
        [c, 'waiting', null],
      ],
    );
    assert.deepEqual(
      (await tracker.notDone(p, 'initial-sync', ctx, { offset: 0, limit: 10, state: 'waiting' })).rows.map(
        (r) => r.id,
      ),
      [c],
    );
    // credentials: a verified, b stored not verified, c none.
    const creds = new CredentialRepo(store.db);
    await creds.put({
      mailboxId: a,
      side: 'source',
      sealed: 's',
      enteredBy: 'portal',
      verifiedAt: '2024-01-01T00:00:00Z',
    });
    await creds.put({ mailboxId: b, side: 'source', sealed: 's', enteredBy: 'operator', verifiedAt: null });
    assert.deepEqual(await tracker.counts(p, 'credentials', ctx), {
      done: 1,
      running: 1,
      attention: 0,
      waiting: 1,
    });
    assert.deepEqual(await tracker.counts(p, 'credentials', { requiredSides: [] }), {
      done: 3,
      running: 0,
      attention: 0,
      waiting: 0,
    });
    // dns: a domain matched whatever the case of the login (Bob@Example.com), with its reason.
    const dns = {
      domains: [{ domain: 'EXAMPLE.com', state: 'attention' as const, reason: 'MX not moved' }],
      other: 'done' as const,
    };
    assert.deepEqual(await tracker.counts(p, 'dns', { ...ctx, dns }), {
      done: 1,
      running: 0,
      attention: 2,
      waiting: 0,
    });
    assert.deepEqual(
      (await tracker.notDone(p, 'dns', { ...ctx, dns }, { offset: 0, limit: 10 })).rows.map((r) => [
        r.sourceUser,
        r.lastError,
      ]),
      [
        ['Bob@Example.com', 'MX not moved'],
        ['alice@example.com', 'MX not moved'],
      ],
    );
    // final-sync: only passes since the cutover count; one with failed items needs attention, with a reason.
    const from = new Date(Date.now() - 60_000).toISOString();
    const pb = await mailboxes.startPass(b, false);
    await mailboxes.finishPass(pb, 'done', {
      copied: 0,
      present: 0,
      skipped: 0,
      failed: 2,
      flagsSynced: 0,
      bytes: 0,
      throttledMs: 0,
    });
    const pc = await mailboxes.startPass(c, false);
    const fctx = { ...ctx, finalFrom: from };
    assert.deepEqual(await tracker.counts(p, 'final-sync', fctx), {
      done: 1,
      running: 1,
      attention: 1,
      waiting: 0,
    });
    assert.deepEqual(
      (await tracker.notDone(p, 'final-sync', fctx, { offset: 0, limit: 10 })).rows.map((r) => [
        r.id,
        r.state,
        r.lastError,
      ]),
      [
        [b, 'attention', '2 item(s) failed'],
        [c, 'running', null],
      ],
    );
    assert.deepEqual(await tracker.counts(p, 'final-sync', ctx), {
      done: 0,
      running: 0,
      attention: 0,
      waiting: 3,
    });
    await mailboxes.finishPass(
      pc,
      'failed',
      { copied: 0, present: 0, skipped: 0, failed: 0, flagsSynced: 0, bytes: 0, throttledMs: 0 },
      'cut',
    );
    // destination-ready: a has a real pass; b an active critical alert; c's latest scan failed at the destination.
    await new AlertRepo(store.db).raise({ mailboxId: b, type: 'quota', level: 'critical', text: 'full' });
    const scans = new ScanRepo(store.db);
    const s = await scans.start(p);
    const row = (mailboxId: number, destError: string | null) => ({
      mailboxId,
      status: 'done' as const,
      error: null,
      destError,
      quotaUsed: null,
      quotaLimit: null,
      appendLimit: null,
      duplicateIds: 0,
      finishedAt: null,
    });
    await scans.saveMailbox(s, row(c, 'no such user'), []);
    assert.deepEqual(await tracker.counts(p, 'destination-ready', ctx), {
      done: 1,
      running: 0,
      attention: 2,
      waiting: 0,
    });
    const s2 = await scans.start(p);
    await scans.saveMailbox(s2, row(c, null), []);
    assert.deepEqual(await tracker.counts(p, 'destination-ready', ctx), {
      done: 2,
      running: 0,
      attention: 1,
      waiting: 0,
    });
    // client-setup
    await new ClientSetupRepo(store.db).record(c, 'mobileconfig');
    assert.deepEqual(await tracker.counts(p, 'client-setup', ctx), {
      done: 1,
      running: 0,
      attention: 0,
      waiting: 2,
    });
    assert.deepEqual(await tracker.byStatus(p), { idle: 2, failed: 1 });
    assert.deepEqual(await tracker.pending(p), { mailboxes: 3, messages: 0, bytes: 0 });
    assert.deepEqual((await tracker.remaining(p)).map((r) => [r.mailbox, r.starred]).sort(), [
      ['Bob@Example.com', true],
      ['alice@example.com', false],
      ['carol@other.org', false],
    ]);
  });

  it('alerts: raise refreshes, rules archive new ones, operator actions undo, per-project counts', async () => {
    const store = await fresh();
    const { p, ids } = await project(store);
    const { p: q, ids: otherIds } = await project(store, 'Q');
    const alerts = new AlertRepo(store.db);
    const admin = new AlertAdminRepo(store.db);
    const actions = new AlertActionRepo(store.db);
    const a1 = await alerts.raise({ mailboxId: ids[0]!, type: 'quota', level: 'critical', text: 'full' });
    assert.equal(
      await alerts.raise({ mailboxId: ids[0]!, type: 'quota', level: 'advisory', text: 'nearly full' }),
      a1,
    );
    const a2 = await alerts.raise({
      mailboxId: ids[1]!,
      type: 'oversize',
      level: 'advisory',
      text: '2 items',
    });
    const a4 = await alerts.raise({
      mailboxId: otherIds[0]!,
      type: 'oversize',
      level: 'critical',
      text: 'elsewhere',
    });
    assert.deepEqual(await admin.activeCounts(p), { critical: 0, advisory: 2 });
    assert.deepEqual(await admin.activeCounts(q), { critical: 1, advisory: 0 });
    const detail = await admin.get(a1);
    assert.deepEqual(
      [detail?.text, detail?.level, detail?.projectId, detail?.mailbox],
      ['nearly full', 'advisory', p, 'alice@example.com'],
    );
    const page = await admin.page(p, { offset: 0, limit: 1 });
    assert.deepEqual([page.total, page.rows.map((r) => r.id)], [2, [a2]]);
    // Archive every 'oversize' alert of project p, now and in future.
    const act = await actions.act({
      projectId: p,
      action: 'archive',
      changes: [{ id: a2, from: 'active', to: 'archived' }],
      rule: { projectId: p, type: 'oversize' },
    });
    assert.deepEqual(await admin.rules(p), ['oversize']);
    const a3 = await alerts.raise({ mailboxId: ids[2]!, type: 'oversize', level: 'advisory', text: 'new' });
    assert.equal((await admin.get(a3))?.status, 'archived');
    const elsewhere = await alerts.raise({
      mailboxId: otherIds[1]!,
      type: 'oversize',
      level: 'advisory',
      text: 'q',
    });
    assert.equal((await admin.get(elsewhere))?.status, 'active');
    assert.deepEqual(await admin.activeOfType(p, 'quota'), [a1]);
    const last = await actions.lastAction(p);
    assert.equal(last?.id, act);
    assert.deepEqual(last?.changes, [{ id: a2, from: 'active', to: 'archived' }]);
    assert.deepEqual(await actions.undo(last), [a2]);
    assert.equal((await admin.get(a2))?.status, 'active');
    assert.deepEqual(await admin.rules(p), []);
    assert.equal(await actions.lastAction(p), undefined);
    await alerts.clear(ids[0]!, 'quota');
    assert.equal((await admin.get(a1))?.status, 'completed');
    const changed = await admin.changedSince(p, '2000-01-01T00:00:00Z');
    assert.deepEqual(
      changed.map((c) => c.id).sort((x, y) => x - y),
      [a1, a2, a3].sort((x, y) => x - y),
    );
    await actions.recordEmail({
      alertId: a1,
      recipient: 'it@example.com',
      note: null,
      status: 'sent',
      error: null,
    });
    assert.deepEqual(
      (await alerts.list('active')).map((a) => a.id),
      [a2, a4, elsewhere],
    );
  });
});
