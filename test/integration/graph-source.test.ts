/**
 * Microsoft 365 through the LOCAL EMULATOR of Microsoft Graph (test code: Graph cannot be reached from
 * here) → IMAP (real Dovecot), with a throttling storm mid-pass: folders with well-known ones mapped, MIME
 * from /$value byte for byte, flags and received dates; a delta pass picks up new mail and a flag change;
 * unchanged folders are settled from their delta state without being listed again; the scan reads it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { listAll, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { graphToImap, stormAfter } from './graph-helpers.js';
import { migrate, tempDataDir } from './helpers.js';
import { silentProgress } from '../../src/engine/progress.js';
import { runScan, scanView } from '../../src/services/scan-service.js';
import { openStore } from '../../src/store/db.js';

let dst: DovecotServer;
let emu: GraphEmulator;
const UPN = 'bob@contoso.test';
const d = (y: number) => new Date(Date.UTC(y, 5, 3, 12, 0, 0));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  [dst, emu] = await Promise.all([
    startDovecot({ layout: 'fs', users: [{ user: 'bob', password: 'pw-bob' }] }),
    startGraphEmulator({ latencyMs: 2 }),
  ]);
  emu.store.addUser(UPN);
});
after(async () => {
  await Promise.all([dst?.stop(), emu?.stop()]);
});

describe('Microsoft 365 (Graph emulator) → IMAP', () => {
  const data = tempDataDir();
  const seeded = new Map<string, Buffer[]>();
  const seed = (folder: string[], n: number, flags: string[] = [], year = 2018) => {
    const raws = Array.from({ length: n }, (_, i) =>
      makeMessage({ subject: `${folder.join('/')} ${i}`, date: d(year + (i % 4)) }),
    );
    emu.seed(
      UPN,
      folder,
      raws.map((raw, i) => ({ raw, flags, internalDate: d(year + (i % 4)) })),
    );
    seeded.set(folder.join('/'), [...(seeded.get(folder.join('/')) ?? []), ...raws]);
  };

  test('first pass: every message byte for byte, flags, dates, well-known folders mapped', async () => {
    seed(['Inbox'], 25, ['\\Seen']);
    seed(['Sent Items'], 4, ['\\Seen']);
    seed(['Deleted Items'], 2);
    seed(['Kunden', 'Müller GmbH'], 3, ['\\Flagged', 'Wichtig']);
    seed(['Kunden'], 1);
    // Armed when the first folder starts: the source reads bodies ahead of the writes, so a storm armed
    // after some messages were written could find every body already read and hit the read-back instead.
    const storm = stormAfter(emu, 0, 6);
    const { outcomes, reports } = await migrate(data, graphToImap(emu, UPN, dst, 'bob', 'pw-bob'), {
      progress: storm,
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    const r = reports[0]!;
    assert.ok(storm.fired && emu.stats.throttled >= 6, 'a throttling storm hit the source mid-pass');
    assert.ok(r.passes[0]!.throttledMs >= 1000);
    assert.equal(r.totals.copied, 35);
    assert.ok(r.reconciles, r.discrepancy);
    const byName = Object.fromEntries(r.folders.map((f) => [f.source, f.destination]));
    assert.equal(byName['INBOX'], 'INBOX');
    assert.equal(byName['Sent Items'], 'Sent');
    assert.equal(byName['Deleted Items'], 'Trash');
    const got = new Map((await listAll(dst, 'bob', 'pw-bob')).map((f) => [f.path, f.messages]));
    const want = (k: string) => seeded.get(k)!.map(sha).sort();
    assert.deepEqual(
      got
        .get('INBOX')!
        .map((m) => m.sha256)
        .sort(),
      want('Inbox'),
    );
    assert.deepEqual(
      got
        .get('Sent')!
        .map((m) => m.sha256)
        .sort(),
      want('Sent Items'),
    );
    assert.deepEqual(
      got
        .get('Trash')!
        .map((m) => m.sha256)
        .sort(),
      want('Deleted Items'),
    );
    const deep = got.get('Kunden/Müller GmbH')!;
    assert.deepEqual(deep.map((m) => m.sha256).sort(), want('Kunden/Müller GmbH'));
    for (const m of deep) {
      assert.ok(m.flags.includes('\\Flagged') && m.flags.includes('Wichtig'), m.flags.join(' '));
      assert.ok(!m.flags.includes('\\Seen'));
    }
    for (const m of got.get('INBOX')!) assert.ok(m.flags.includes('\\Seen'));
    const years = got.get('INBOX')!.map((m) => m.internalDate.getUTCFullYear());
    assert.deepEqual([...new Set(years)].sort(), [2018, 2019, 2020, 2021]);
    assert.equal(emu.stats.rejectedForConcurrency, 0);
  });

  test('delta pass: new mail and a flag change come over; unchanged folders are not listed again', async () => {
    seed(['Inbox'], 3, [], 2024);
    const user = emu.store.user(UPN)!;
    const sent = emu.store.messagesIn(user, emu.store.folder(user, 'sentitems')!.id);
    sent[0]!.flag = { flagStatus: 'flagged' };
    emu.store.touch(user, sent[0]!);
    const before = emu.stats.requests;
    const { outcomes, reports } = await migrate(data, graphToImap(emu, UPN, dst, 'bob', 'pw-bob'), {
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    const r = reports[0]!;
    assert.ok(r.reconciles, r.discrepancy);
    assert.equal(r.passes.at(-1)!.copied, 3);
    assert.equal(r.passes.at(-1)!.flagsSynced, 1);
    const got = new Map((await listAll(dst, 'bob', 'pw-bob')).map((f) => [f.path, f.messages]));
    assert.equal(got.get('INBOX')!.length, 28);
    assert.equal(got.get('Sent')!.filter((m) => m.flags.includes('\\Flagged')).length, 1);
    const third = emu.stats.requests;
    const listed = (k: string) => emu.routes.get(k) ?? 0;
    const lists =
      listed('GET mailFolders/{}/messages') + listed('GET messages/{}') + listed('GET messages/{}/$value');
    // A pass with nothing new: folder states from deltaLinks only (a few requests per folder, no listing).
    const again = await migrate(data, graphToImap(emu, UPN, dst, 'bob', 'pw-bob'));
    assert.equal(again.reports[0]!.passes.at(-1)!.copied, 0);
    assert.ok(
      emu.stats.requests - third < third - before,
      `idle pass: ${emu.stats.requests - third} requests`,
    );
    const after =
      listed('GET mailFolders/{}/messages') + listed('GET messages/{}') + listed('GET messages/{}/$value');
    assert.equal(after, lists, 'no message was listed or fetched in the idle pass');
    assert.ok(listed('GET mailFolders/{}/messages/delta') > 0);
  });

  test('the environment scan reads a Microsoft 365 source: folders, counts, depth', async () => {
    const store = await openStore(tempDataDir());
    try {
      await runScan(store, graphToImap(emu, UPN, dst, 'bob', 'pw-bob'), { progress: silentProgress });
      const m = (await scanView(store, null))!.mailboxes[0]!;
      assert.equal(m.status, 'done', m.error ?? '');
      assert.equal(m.messages, 38);
      assert.equal(m.maxDepth, 2);
      assert.equal(m.folderRows.find((f) => f.folder === 'Kunden/Müller GmbH')?.messages, 3);
    } finally {
      await store.close();
    }
  });
});
