/**
 * The store suite, part 3, on SQLite and PostgreSQL alike (test/store/dialects.ts): credentials and
 * personal links, set-up downloads, messages to people and their templates, operators and sessions, DNS
 * checks, attempt counters and used nonces, the schedule's phase runs, and the reads the services moved
 * into repositories (counts, logins, measured passes).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { ClientSetupRepo } from '../../src/store/client-setup-repo.js';
import { CommsTemplateRepo } from '../../src/store/comms-template-repo.js';
import { CredentialLinkRepo } from '../../src/store/credential-link-repo.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { DnsCheckRepo } from '../../src/store/dns-check-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { MessageRepo } from '../../src/store/message-repo.js';
import { OperatorRepo } from '../../src/store/operator-repo.js';
import { PhaseRunRepo } from '../../src/store/phase-run-repo.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { RateLimitRepo } from '../../src/store/rate-limit-repo.js';
import { UsedNonceRepo } from '../../src/store/used-nonce-repo.js';
import type { Store } from '../../src/store/db.js';
import { forEachDialect } from './dialects.js';

async function twoMailboxes(store: Store) {
  const p = await new ProjectRepo(store.db).insert('P', '{"plan":{"domains":["example.com"]}}');
  const members = new ProjectMailboxRepo(store.db);
  const a = await members.insert(p, {
    key: 'a',
    sourceUser: 'zed@example.com',
    destUser: 'z',
    starred: false,
    options: {},
  });
  const b = await members.insert(p, {
    key: 'b',
    sourceUser: 'amy@example.com',
    destUser: 'y',
    starred: false,
    options: {},
  });
  const loose = await new MailboxRepo(store.db).upsert({
    key: 'c',
    sourceUser: 'c',
    destUser: 'c',
    starred: false,
  });
  return { p, a, b, loose };
}

forEachDialect('store: people, messages, limits, phases', ({ fresh }) => {
  it('credentials and personal links: replace by side, verify, unverify, newest live link per mailbox', async () => {
    const store = await fresh();
    const { a, b } = await twoMailboxes(store);
    const creds = new CredentialRepo(store.db);
    await creds.put(
      { mailboxId: a, side: 'source', sealed: 's1', enteredBy: 'portal', verifiedAt: null },
      new Date('2024-01-01T00:00:00Z'),
    );
    await creds.put(
      { mailboxId: a, side: 'source', sealed: 's2', enteredBy: 'operator', verifiedAt: null },
      new Date('2024-01-02T00:00:00Z'),
    );
    await creds.put({
      mailboxId: a,
      side: 'destination',
      sealed: 'd',
      enteredBy: 'import',
      verifiedAt: null,
    });
    await creds.put({ mailboxId: b, side: 'source', sealed: 'x', enteredBy: 'portal', verifiedAt: null });
    assert.equal(await creds.sealed(a, 'source'), 's2');
    await creds.markVerified(a, 'source', new Date('2024-01-03T00:00:00Z'));
    await creds.markVerified(a, 'source', new Date('2024-02-03T00:00:00Z'));
    assert.deepEqual(
      (await creds.states(a)).map((s) => [s.side, s.enteredBy, s.verifiedAt]),
      [
        ['destination', 'import', null],
        ['source', 'operator', '2024-01-03T00:00:00.000Z'],
      ],
    );
    await creds.unverify(a, 'source');
    assert.equal((await creds.states([a])).find((s) => s.side === 'source')?.verifiedAt, null);
    await creds.remove(a, 'destination');
    assert.deepEqual(
      (await creds.states()).map((s) => [s.mailboxId, s.side]),
      [
        [a, 'source'],
        [b, 'source'],
      ],
    );
    const links = new CredentialLinkRepo(store.db);
    const t = (d: number) => new Date(Date.UTC(2024, 0, d)).toISOString();
    const l1 = await links.insert({
      mailboxId: a,
      tokenHash: 'h1',
      nonce: 'n1',
      createdAt: t(1),
      expiresAt: t(20),
    });
    const l2 = await links.insert({
      mailboxId: a,
      tokenHash: 'h2',
      nonce: 'n2',
      createdAt: t(2),
      expiresAt: t(20),
    });
    await links.insert({ mailboxId: b, tokenHash: 'h3', nonce: 'n3', createdAt: t(1), expiresAt: t(5) });
    assert.equal((await links.byHash('h1'))?.id, l1);
    assert.deepEqual(
      (await links.live(new Date(t(10)))).map((l) => l.id),
      [l2],
    );
    await links.touch(l2, new Date(t(11)));
    assert.equal((await links.live(new Date(t(3)), [a, b])).length, 2);
    assert.equal(await links.revokeAll(a, new Date(t(12))), 2);
    assert.deepEqual(await links.live(new Date(t(3)), a), []);
    assert.equal((await links.byHash('h2'))?.lastUsedAt, t(11));
  });

  it('set-up downloads: counted per kind; mailboxes done overall and among ids', async () => {
    const store = await fresh();
    const { a, b, loose } = await twoMailboxes(store);
    const setups = new ClientSetupRepo(store.db);
    await setups.record(a, 'mobileconfig', new Date('2024-01-01T00:00:00Z'));
    await setups.record(a, 'mobileconfig', new Date('2024-01-02T00:00:00Z'));
    await setups.record(a, 'autoconfig', new Date('2024-01-02T00:00:00Z'));
    await setups.record(b, 'autoconfig');
    assert.deepEqual((await setups.list([a])).map((s) => [s.kind, s.count, s.firstAt, s.lastAt]).sort(), [
      ['autoconfig', 1, '2024-01-02T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
      ['mobileconfig', 2, '2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
    ]);
    assert.equal(await setups.mailboxesDone(), 2);
    assert.equal(await setups.mailboxesDone([a, loose]), 1);
    assert.equal(await setups.mailboxesDone([]), 0);
  });

  it('messages: one claim per event, failed ones retried up to a limit, project log paged newest first', async () => {
    const store = await fresh();
    const { p, a, b } = await twoMailboxes(store);
    const repo = new MessageRepo(store.db);
    const msg = (mailboxId: number | null, event: string) => ({
      mailboxId,
      event,
      recipient: 'u@example.com',
      subject: event,
    });
    const m1 = await repo.claim(msg(a, 'announce'));
    assert.ok(m1);
    assert.equal(await repo.claim(msg(a, 'announce')), undefined);
    await repo.finish(m1, { status: 'failed', error: '451 later' });
    assert.equal(await repo.claim(msg(a, 'announce'), 2), m1);
    await repo.finish(m1, { status: 'failed', error: 'again' });
    assert.equal(await repo.claim(msg(a, 'announce'), 2), undefined);
    const m2 = (await repo.claim(msg(b, 'announce')))!;
    await repo.finish(m2, { status: 'sent', smtpId: '<id@x>' });
    const m3 = (await repo.claim({ ...msg(null, 'test'), projectId: p }))!;
    assert.deepEqual([...(await repo.settledKeys(2))].sort(), [
      `${a}|announce`,
      `${b}|announce`,
      'project|test',
    ]);
    assert.deepEqual(await repo.sentTo('announce'), new Set([b]));
    assert.deepEqual(
      (await repo.list(a)).map((m) => [m.status, m.attempts, m.error]),
      [['failed', 2, 'again']],
    );
    const page = await repo.page({ projectId: p, offset: 0, limit: 2 });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.items.map((m) => [m.id, m.mailbox]),
      [
        [m3, null],
        [m2, 'amy@example.com'],
      ],
    );
  });

  it('templates per project and global; DNS checks replaced per domain', async () => {
    const store = await fresh();
    const { p } = await twoMailboxes(store);
    const global = new CommsTemplateRepo(store.db);
    const mine = new CommsTemplateRepo(store.db, p);
    await global.put({ kind: 'announce', subject: 'G', text: 't', html: 'h' });
    await mine.put({ kind: 'reminder', subject: 'R1', text: 't', html: 'h' });
    await mine.put({ kind: 'reminder', subject: 'R2', text: 't', html: 'h' });
    await mine.put({ kind: 'announce', subject: 'A', text: 't', html: 'h' });
    assert.deepEqual(
      (await mine.list()).map((t) => [t.kind, t.subject]),
      [
        ['announce', 'A'],
        ['reminder', 'R2'],
      ],
    );
    assert.deepEqual(
      (await global.list()).map((t) => t.subject),
      ['G'],
    );
    await mine.remove('announce');
    assert.deepEqual(
      (await mine.list()).map((t) => t.kind),
      ['reminder'],
    );
    const dns = new DnsCheckRepo(store.db);
    await dns.record(p, {
      domain: 'example.com',
      checkedAt: '2024-01-01T00:00:00Z',
      ready: false,
      missing: ['MX', 'SPF'],
    });
    await dns.record(p, {
      domain: 'example.com',
      checkedAt: '2024-01-02T00:00:00Z',
      ready: true,
      missing: [],
    });
    await dns.record(p, {
      domain: 'other.org',
      checkedAt: '2024-01-02T00:00:00Z',
      ready: false,
      missing: ['MX'],
    });
    const last = await dns.last(p);
    assert.deepEqual(last.get('example.com'), {
      domain: 'example.com',
      checkedAt: '2024-01-02T00:00:00Z',
      ready: true,
      missing: [],
    });
    assert.deepEqual(last.get('other.org')?.missing, ['MX']);
  });

  it('operators: the first user only once, live sessions only', async () => {
    const store = await fresh();
    const ops = new OperatorRepo(store.db);
    const id = await ops.createFirstUser('admin', 'hash');
    assert.ok(id);
    assert.equal(await ops.createFirstUser('eve', 'x'), undefined);
    assert.equal(await ops.countUsers(), 1);
    assert.deepEqual(await ops.findUser('admin'), { id, name: 'admin', passwordHash: 'hash' });
    const now = new Date('2024-01-01T00:00:00Z');
    await ops.createSession({
      tokenHash: 'live',
      userId: id,
      csrfToken: 'c',
      expiresAt: new Date('2024-01-02T00:00:00Z'),
    });
    await ops.createSession({
      tokenHash: 'old',
      userId: id,
      csrfToken: 'c',
      expiresAt: new Date('2023-12-31T00:00:00Z'),
    });
    assert.deepEqual(await ops.findSession('live', now), {
      userId: id,
      user: 'admin',
      csrfToken: 'c',
      expiresAt: '2024-01-02T00:00:00.000Z',
    });
    assert.equal(await ops.findSession('old', now), undefined);
    await ops.deleteExpiredSessions(now);
    await ops.deleteSession('live');
    assert.equal(await ops.findSession('live', now), undefined);
  });

  it('attempt counters and used nonces: windows restart, expired rows purged, a nonce spent once', async () => {
    const store = await fresh();
    const limits = new RateLimitRepo(store.db, 60_000);
    const t0 = 1_700_000_000_000;
    assert.deepEqual(await limits.hit('login-ip:203.0.113.7', 1000, t0), { count: 1, expiresAt: t0 + 1000 });
    assert.deepEqual(await limits.hit('login-ip:203.0.113.7', 1000, t0 + 10), {
      count: 2,
      expiresAt: t0 + 1000,
    });
    assert.deepEqual(await limits.peek('login-ip:203.0.113.7', t0 + 20), { count: 2, expiresAt: t0 + 1000 });
    // The window ended: the next attempt starts a new one.
    assert.deepEqual(await limits.hit('login-ip:203.0.113.7', 1000, t0 + 1500), {
      count: 1,
      expiresAt: t0 + 2500,
    });
    await limits.hit('other', 10, t0);
    assert.equal(await limits.peek('other', t0 + 20), undefined);
    assert.equal(await limits.purge(t0 + 100), 1);
    const nonces = new UsedNonceRepo(store.db);
    assert.equal(await nonces.claim('n1', t0 + 1000, t0), true);
    assert.equal(await nonces.claim('n1', t0 + 1000, t0 + 1), false);
    assert.equal(await nonces.has('n1', t0 + 2), true);
    assert.equal(await nonces.has('n1', t0 + 1000), false);
  });

  it('phase runs: replaced by key; the last finished final phase ignores rows without a finish', async () => {
    const store = await fresh();
    const runs = new PhaseRunRepo(store.db);
    const row = (key: string, status: string, finished: string | null) => ({
      key,
      phase: 'final',
      due_at: '2024-01-01T00:00:00Z',
      started_at: '2024-01-01T00:00:00Z',
      finished_at: finished,
      status,
      note: null,
    });
    await runs.record(row('final-1', 'running', null));
    await runs.record(row('final-1', 'done', '2024-01-01T02:00:00Z'));
    await runs.record(row('final-2', 'done', '2024-01-03T02:00:00Z'));
    // A done row without a finish time (an older version wrote them) must not hide the real last one.
    await runs.record(row('final-3', 'done', null));
    await runs.record({ ...row('delta-1', 'done', '2024-02-01T00:00:00Z'), phase: 'delta' });
    assert.equal(await runs.lastFinished('final', 'done'), '2024-01-03T02:00:00Z');
    assert.equal(await runs.lastFinished('catchup', 'done'), undefined);
    const all = await runs.byKey();
    assert.deepEqual([...all.keys()].sort(), ['delta-1', 'final-1', 'final-2', 'final-3']);
    assert.equal(all.get('final-1')?.status, 'done');
  });

  it('reads moved out of the services: counts, logins, project of a mailbox, ids, settings, measured passes, failing alerts', async () => {
    const store = await fresh();
    const { p, a, b, loose } = await twoMailboxes(store);
    const mailboxes = new MailboxRepo(store.db);
    assert.equal(await mailboxes.count(), 3);
    assert.equal(await mailboxes.count({ projectId: p }), 2);
    assert.equal(await mailboxes.count({ ids: [a, loose] }), 2);
    assert.equal(await mailboxes.count({ ids: [] }), 0);
    assert.deepEqual(await mailboxes.logins({ projectId: p, order: 'sourceUser' }), [
      { id: b, sourceUser: 'amy@example.com', destUser: 'y' },
      { id: a, sourceUser: 'zed@example.com', destUser: 'z' },
    ]);
    assert.deepEqual(
      (await mailboxes.logins({ order: 'id', offset: 1, limit: 1 })).map((m) => m.id),
      [b],
    );
    assert.equal(await mailboxes.projectOf(a), p);
    assert.equal(await mailboxes.projectOf(loose), null);
    assert.equal(await mailboxes.projectOf(999), undefined);
    const projects = new ProjectRepo(store.db);
    const q = await projects.insert('Q', '{}');
    assert.deepEqual(await projects.ids(), [p, q]);
    assert.deepEqual(await projects.ids(1), [p]);
    assert.equal(await projects.idByName('Q'), q);
    assert.deepEqual(
      (await projects.allSettings()).map((r) => r.settings),
      ['{"plan":{"domains":["example.com"]}}', '{}'],
    );
    const counters = (copied: number) => ({
      copied,
      present: 0,
      skipped: 0,
      failed: 0,
      flagsSynced: 0,
      bytes: copied * 1000,
      throttledMs: 0,
    });
    const big = await mailboxes.startPass(a, false);
    await mailboxes.finishPass(big, 'done', counters(500));
    const small = await mailboxes.startPass(a, false);
    await mailboxes.finishPass(small, 'done', counters(10));
    const dry = await mailboxes.startPass(b, true);
    await mailboxes.finishPass(dry, 'done', counters(900));
    await mailboxes.startPass(b, false);
    const measured = await mailboxes.measuredPasses(200, 1000);
    assert.deepEqual(
      measured.map((m) => [m.copied, m.bytes, typeof m.finishedAt]),
      [[500, 500_000, 'string']],
    );
    const alerts = new AlertRepo(store.db);
    await alerts.raise({ mailboxId: a, type: 'auth-failed', level: 'critical', text: 'password refused' });
    await alerts.raise({ mailboxId: b, type: 'quota', level: 'critical', text: 'full' });
    assert.deepEqual(await alerts.activeOfTypes(['auth-failed', 'login-refused'], [a, b]), [
      { mailboxId: a, text: 'password refused' },
    ]);
  });
});
