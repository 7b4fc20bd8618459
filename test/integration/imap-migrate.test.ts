/**
 * IMAP → IMAP against two real Dovecot servers (Maildir++ with '.' delimiter → fs layout with '/'):
 * first pass byte-exact with flags, keywords, dates and the folder tree; delta passes; store deleted;
 * UIDVALIDITY change; filters and APPENDLIMIT.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { migrate, oneOff, snapshot, tempDataDir } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
let small: DovecotServer;
const users = ['u1', 'u2', 'u4', 'u6'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;

before(async () => {
  [src, dst, small] = await Promise.all([
    startDovecot({ layout: 'maildir++', delimiter: '.', users }),
    startDovecot({ layout: 'fs', users }),
    startDovecot({ layout: 'fs', users, maxMailSize: 1024 * 1024 }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop(), small?.stop()]);
});

/** Map each source folder snapshot to its destination folder using the report, then compare exactly. */
function assertSameContent(
  s: Record<string, string[]>,
  d: Record<string, string[]>,
  folders: Array<{ source: string; destination: string | null; excluded: string | null }>,
) {
  for (const f of folders) {
    if (f.excluded || !f.destination || !(f.source in s)) continue;
    assert.deepEqual(d[f.destination], s[f.source], `folder "${f.source}" → "${f.destination}" differs`);
  }
}

async function withClient<T>(
  server: DovecotServer,
  user: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: server.imapPort,
    secure: false,
    auth: { user, pass: pw(user) },
    logger: false,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

describe('IMAP → IMAP', () => {
  const data = tempDataDir();
  const d = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 15, 10, 30, 0));

  test('first pass: byte-exact bodies, flags, keywords, internal dates, whole folder tree', async () => {
    const dup = makeMessage({ messageId: 'same@x', subject: 'twice in one folder', date: d(2021) });
    await seedMessages(src, 'u1', pw('u1'), 'INBOX', [
      ...Array.from({ length: 30 }, (_, i) => ({
        raw: makeMessage({ subject: `inbox ${i}`, date: d(2018 + (i % 6), 1 + (i % 12)) }),
        flags: i % 2 ? ['\\Seen'] : ['\\Flagged', '$Forwarded', 'Projekt'],
        internalDate: d(2018 + (i % 6), 1 + (i % 12)),
      })),
      { raw: dup, flags: ['\\Seen'], internalDate: d(2021) },
      { raw: dup, flags: ['\\Seen'], internalDate: d(2021) },
      {
        raw: makeMessage({ messageId: 'shared@x', subject: 'first of two sharing an id', date: d(2020) }),
        internalDate: d(2020),
      },
      {
        raw: makeMessage({
          messageId: 'shared@x',
          subject: 'second, different body and size!',
          date: d(2020, 2),
        }),
        internalDate: d(2020, 2),
      },
      { raw: makeMessage({ messageId: null, subject: 'no id 1' }), flags: ['\\Answered'] },
      { raw: makeMessage({ messageId: null, subject: 'no id 2, different' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Sent Items', [
      { raw: makeMessage({ subject: 'sent' }), flags: ['\\Seen'] },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Archiv.2019.Q1.Kunden', [
      { raw: makeMessage({ subject: 'deep' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Überweisungen', [
      { raw: makeMessage({ subject: 'Zahlung', body: 'Grüße — ünïcödé' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), '日本語.Ελληνικά', [
      { raw: makeMessage({ subject: 'unicode nested' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Reports a/b', [
      { raw: makeMessage({ subject: 'slash in name' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Big', [
      { raw: makeMessage({ subject: '30 MB', sizeBytes: 30 * 1024 * 1024 }), flags: ['\\Seen'] },
    ]);

    const project = oneOff(src, 'u1', pw('u1'), dst, 'u1', pw('u1'));
    const { outcomes, reports } = await migrate(data, project, { verify: true });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    const r = reports[0]!;
    assert.equal(r.totals.sourceItems, 42);
    assert.equal(r.totals.copied, 42);
    assert.ok(r.reconciles, r.discrepancy);
    const byName = Object.fromEntries(r.folders.map((f) => [f.source, f]));
    assert.equal(byName['Sent Items']!.destination, 'Sent');
    assert.equal(
      byName['Archiv/2019/Q1/Kunden']!.destination,
      'Archive/2019/Q1/Kunden',
      'German Archiv is the Archive folder; children follow',
    );
    assert.equal(byName['日本語/Ελληνικά']!.destination, '日本語/Ελληνικά');
    const slash = byName['Reports a/b']!;
    assert.notEqual(slash.destination, 'Reports a/b');
    assert.equal(slash.destination!.split('/').length, 1, 'the slash must not create a subfolder');
    assert.match(slash.renamed ?? '', /\//, 'the rename is recorded with its reason');
    assertSameContent(await snapshot(src, 'u1', pw('u1')), await snapshot(dst, 'u1', pw('u1')), r.folders);
  });

  test('delta pass copies only new mail, re-syncs changed flags, and re-reads no body', async () => {
    await seedMessages(
      src,
      'u1',
      pw('u1'),
      'INBOX',
      [1, 2, 3].map((i) => ({ raw: makeMessage({ subject: `new ${i}` }) })),
    );
    await withClient(src, 'u1', async (c) => {
      await c.mailboxOpen('INBOX');
      assert.ok(await c.messageFlagsAdd('1:2', ['\\Answered', 'Erledigt']));
      assert.ok(await c.messageFlagsRemove('3', ['\\Flagged']));
    });
    const project = oneOff(src, 'u1', pw('u1'), dst, 'u1', pw('u1'));
    const { outcomes, reports } = await migrate(data, project);
    const c = outcomes[0]!.counters!;
    assert.equal(c.copied, 3);
    assert.equal(c.flagsSynced, 3);
    assert.ok(c.bytes < 10_000, `only the three new messages' bytes move (${c.bytes})`);
    assertSameContent(
      await snapshot(src, 'u1', pw('u1')),
      await snapshot(dst, 'u1', pw('u1')),
      reports[0]!.folders,
    );

    const again = await migrate(data, project);
    assert.deepEqual(
      { ...again.outcomes[0]!.counters!, throttledMs: 0 },
      { copied: 0, present: 0, skipped: 0, failed: 0, flagsSynced: 0, bytes: 0, throttledMs: 0 },
    );
  });

  test('with the store deleted, a rerun copies nothing twice (fingerprints from the destination)', async () => {
    const fresh = tempDataDir();
    const project = oneOff(src, 'u1', pw('u1'), dst, 'u1', pw('u1'));
    const { outcomes, reports } = await migrate(fresh, project, { verify: true });
    assert.equal(outcomes[0]!.counters!.copied, 0);
    assert.equal(outcomes[0]!.counters!.present, 45);
    assert.ok(reports[0]!.reconciles);
    assertSameContent(
      await snapshot(src, 'u1', pw('u1')),
      await snapshot(dst, 'u1', pw('u1')),
      reports[0]!.folders,
    );
  });

  test('a half-filled destination and no store: only the missing messages are copied', async () => {
    await seedMessages(
      src,
      'u2',
      pw('u2'),
      'INBOX',
      Array.from({ length: 40 }, (_, i) => ({
        raw: makeMessage({ subject: `first ${i}`, messageId: i % 5 ? undefined : null }),
      })),
    );
    const project = oneOff(src, 'u2', pw('u2'), dst, 'u2', pw('u2'));
    await migrate(tempDataDir(), project);
    await seedMessages(
      src,
      'u2',
      pw('u2'),
      'INBOX',
      Array.from({ length: 20 }, (_, i) => ({ raw: makeMessage({ subject: `later ${i}` }) })),
    );
    const { outcomes, reports } = await migrate(tempDataDir(), project);
    assert.equal(outcomes[0]!.counters!.copied, 20);
    assert.equal(outcomes[0]!.counters!.present, 40);
    assertSameContent(
      await snapshot(src, 'u2', pw('u2')),
      await snapshot(dst, 'u2', pw('u2')),
      reports[0]!.folders,
    );
  });

  test('a UIDVALIDITY change at the source is re-matched without duplicates', async () => {
    await seedMessages(
      src,
      'u6',
      pw('u6'),
      'INBOX',
      Array.from({ length: 10 }, (_, i) => ({ raw: makeMessage({ subject: `uv ${i}` }) })),
    );
    const project = oneOff(src, 'u6', pw('u6'), dst, 'u6', pw('u6'));
    const dir = tempDataDir();
    await migrate(dir, project);
    const before = await withClient(src, 'u6', (c) => c.status('INBOX', { uidValidity: true }));
    // Dovecot takes the new UIDVALIDITY from the clock: let a second pass so it differs.
    await new Promise((r) => setTimeout(r, 1100));
    // Dovecot renumbers a Maildir whose uidlist is gone: a new UIDVALIDITY, as after a server restore.
    for (const f of fs.readdirSync(src.mailDir('u6')))
      if (f.startsWith('dovecot')) fs.rmSync(path.join(src.mailDir('u6'), f), { force: true });
    const afterStatus = await withClient(src, 'u6', (c) => c.status('INBOX', { uidValidity: true }));
    assert.ok(
      before && afterStatus && before.uidValidity !== afterStatus.uidValidity,
      'the test needs a real UIDVALIDITY change',
    );
    const { outcomes, reports } = await migrate(dir, project, { verify: true });
    assert.equal(outcomes[0]!.counters!.copied, 0);
    assert.equal(outcomes[0]!.counters!.present, 10);
    assert.ok(reports.find((x) => x.mailbox === 'u6')!.reconciles);
    assert.equal((await snapshot(dst, 'u6', pw('u6'))).INBOX!.length, 10);
  });

  test('date range, size filter and the destination APPENDLIMIT skip with reasons', async () => {
    await seedMessages(src, 'u4', pw('u4'), 'INBOX', [
      { raw: makeMessage({ subject: 'old' }), internalDate: d(2015) },
      { raw: makeMessage({ subject: 'in range' }), internalDate: d(2021) },
      { raw: makeMessage({ subject: 'too new' }), internalDate: d(2025, 6) },
      { raw: makeMessage({ subject: 'big', sizeBytes: 2 * 1024 * 1024 }), internalDate: d(2021) },
      { raw: makeMessage({ subject: 'medium', sizeBytes: 600 * 1024 }), internalDate: d(2021) },
    ]);
    const project = oneOff(src, 'u4', pw('u4'), small, 'u4', pw('u4'), {
      since: '2019-01-01',
      before: '2025-01-01',
      maxSize: '5MB',
    });
    const { reports } = await migrate(tempDataDir(), project, { verify: true });
    const r = reports.find((x) => x.mailbox === 'u4')!;
    assert.equal(r.totals.copied, 2);
    assert.equal(r.totals.skipped, 3);
    assert.ok(r.reconciles);
    const reasons = r.problems.map((p) => p.reason ?? '').join('\n');
    assert.match(reasons, /older than the date range/);
    assert.match(reasons, /newer than the date range/);
    assert.match(reasons, /APPENDLIMIT 1048576/);
  });
});
