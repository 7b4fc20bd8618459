/**
 * IMAP (real Dovecot) → Microsoft 365 through the LOCAL EMULATOR of Microsoft Graph (test code: Graph cannot
 * be reached from here; the emulator enforces the documented limits — 4 concurrent requests per mailbox,
 * 4 MB requests, MIME creates are drafts). A first pass with a big attachment, a throttling storm in the
 * middle, a delta pass with new mail and a flag change: nothing lost, nothing twice, nothing a draft.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { withAttachment } from '../contract/destination-contract.js';
import { emulatedFolders, imapToGraph, stormAfter } from './graph-helpers.js';
import { migrate, tempDataDir } from './helpers.js';

let src: DovecotServer;
let emu: GraphEmulator;
const UPN = 'alice@contoso.test';
const d = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 12, 9, 15, 0));
const ids = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag}-${i}-${randomBytes(3).toString('hex')}@src.test`);

before(async () => {
  [src, emu] = await Promise.all([
    startDovecot({ layout: 'fs', users: [{ user: 'alice', password: 'pw-alice' }] }),
    startGraphEmulator({ latencyMs: 2 }),
  ]);
  emu.store.addUser(UPN);
  emu.store.addUser('nolicence@contoso.test', { mailbox: 'none' });
});
after(async () => {
  await Promise.all([src?.stop(), emu?.stop()]);
});

describe('IMAP → Microsoft 365 (Graph emulator)', () => {
  const data = tempDataDir();
  const inboxIds = ids(40, 'in');
  const sentIds = ids(3, 'sent');

  test('first pass with a throttling storm: every message once, not a draft, dates, flags, folders', async () => {
    await seedMessages(src, 'alice', 'pw-alice', 'INBOX', [
      ...inboxIds.map((id, i) => ({
        raw: makeMessage({
          messageId: `<${id}>`,
          subject: `inbox ${i} — Grüße`,
          date: d(2015 + (i % 8), 1 + (i % 12)),
        }),
        flags: i % 3 === 0 ? ['\\Seen', 'Projekt'] : i % 3 === 1 ? ['\\Flagged'] : ['\\Answered', '\\Seen'],
        internalDate: d(2015 + (i % 8), 1 + (i % 12)),
      })),
      { raw: makeMessage({ messageId: null, subject: 'no id one' }), internalDate: d(2020) },
      { raw: makeMessage({ messageId: null, subject: 'no id two' }), internalDate: d(2020) },
      { raw: withAttachment(6 * 1024 * 1024, d(2021)), flags: ['\\Seen'], internalDate: d(2021) },
    ]);
    await seedMessages(
      src,
      'alice',
      'pw-alice',
      'Sent',
      sentIds.map((id) => ({
        raw: makeMessage({ messageId: `<${id}>`, subject: 'sent' }),
        flags: ['\\Seen'],
        internalDate: d(2022),
      })),
    );
    await seedMessages(src, 'alice', 'pw-alice', 'Trash', [
      { raw: makeMessage({ subject: 'binned' }), internalDate: d(2019) },
    ]);
    await seedMessages(src, 'alice', 'pw-alice', 'Projects/2024/Q1', [
      { raw: makeMessage({ subject: 'deep' }), internalDate: d(2024) },
    ]);

    const storm = stormAfter(emu, 10, 8);
    const { outcomes, reports } = await migrate(data, imapToGraph(src, 'alice', 'pw-alice', emu, UPN), {
      progress: storm,
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.ok(storm.fired, 'the storm happened during the pass');
    assert.ok(emu.stats.throttled >= 8, `throttled answers: ${emu.stats.throttled}`);
    const r = reports[0]!;
    assert.equal(r.totals.sourceItems, 48);
    assert.equal(r.totals.copied, 48);
    assert.ok(r.reconciles, r.discrepancy);
    assert.ok(
      r.passes[0]!.throttledMs >= 1000,
      `time throttled reaches the report: ${r.passes[0]!.throttledMs}`,
    );

    // The emulator's own limits were never broken by the connector.
    assert.ok(emu.stats.maxConcurrent <= 4, `max concurrent ${emu.stats.maxConcurrent}`);
    assert.equal(emu.stats.rejectedForConcurrency, 0);
    assert.equal(emu.stats.tooLarge, 0);
    assert.equal(emu.stats.mimeCreates, 0, 'no MIME creates (they would be drafts)');
    assert.ok(emu.stats.uploadChunks >= 2, 'the 6 MB attachment went through an upload session');

    const folders = emulatedFolders(emu, UPN);
    const inbox = folders.get('Inbox')!;
    assert.equal(inbox.length, 43);
    assert.equal(folders.get('Sent Items')!.length, 3, 'Sent → Sent Items (well-known)');
    assert.equal(folders.get('Deleted Items')!.length, 1, 'Trash → Deleted Items (well-known)');
    assert.equal(folders.get('Projects/2024/Q1')!.length, 1);
    for (const m of [...folders.values()].flat())
      assert.equal(m.isDraft, false, `${m.subject} landed as a draft`);
    for (const [i, id] of inboxIds.entries()) {
      const found = inbox.filter((m) => m.internetMessageId === `<${id}>`);
      assert.equal(found.length, 1, `${id} is there exactly once`);
      const m = found[0]!;
      assert.equal(m.receivedDateTime, d(2015 + (i % 8), 1 + (i % 12)).toISOString());
      assert.equal(m.isRead, i % 3 !== 1);
      assert.equal(m.flag.flagStatus, i % 3 === 1 ? 'flagged' : 'notFlagged');
      assert.deepEqual(m.categories, i % 3 === 0 ? ['Projekt'] : []);
      assert.equal(m.ext.get('integer 0x1081'), i % 3 === 2 ? '102' : '0', '\\Answered as the last verb');
      assert.match(m.subject ?? '', /Grüße/);
    }
    const big = inbox.find((m) => m.attachments.some((a) => a.name === 'data.bin'))!;
    assert.ok(big.attachments[0]!.content.length > 4 * 1024 * 1024);
    assert.equal(big.ext.get('string {6c1f5d2e-8a4b-4f7e-9c3d-2b1a0e9f8d7c} name cutoverpending'), '0');
  });

  test('delta pass: new mail and a flag change arrive, nothing written twice', async () => {
    const late = ids(5, 'late');
    await seedMessages(
      src,
      'alice',
      'pw-alice',
      'INBOX',
      late.map((id) => ({
        raw: makeMessage({ messageId: `<${id}>`, subject: 'late' }),
        internalDate: d(2023),
      })),
    );
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: src.imapPort,
      secure: false,
      auth: { user: 'alice', pass: 'pw-alice' },
      logger: false,
    });
    await c.connect();
    await c.mailboxOpen('INBOX');
    const hit = await c.search({ header: { 'message-id': inboxIds[1]! } }, { uid: true });
    assert.ok(hit && hit.length === 1);
    assert.ok(await c.messageFlagsAdd(hit, ['\\Seen'], { uid: true }));
    await c.logout();

    const storm = stormAfter(emu, 20, 4);
    const created = emu.stats.creates;
    const { outcomes, reports } = await migrate(data, imapToGraph(src, 'alice', 'pw-alice', emu, UPN), {
      progress: storm,
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    const r = reports[0]!;
    assert.equal(r.totals.sourceItems, 53);
    assert.ok(r.reconciles, r.discrepancy);
    assert.equal(r.passes.at(-1)!.copied, 5);
    assert.equal(emu.stats.creates - created, 5, 'only the new messages were written');
    assert.ok(storm.fired);
    const inbox = emulatedFolders(emu, UPN).get('Inbox')!;
    assert.equal(inbox.length, 48);
    for (const id of [...inboxIds, ...late])
      assert.equal(inbox.filter((m) => m.internetMessageId === `<${id}>`).length, 1, id);
    assert.equal(
      inbox.find((m) => m.internetMessageId === `<${inboxIds[1]}>`)!.isRead,
      true,
      'the flag change was synced',
    );
    assert.equal(emulatedFolders(emu, UPN).get('Sent Items')!.length, 3);
    assert.equal(emu.stats.rejectedForConcurrency, 0);
  });

  test('a destination mailbox without an Exchange Online licence fails clearly before anything is copied', async () => {
    const before = emu.stats.requests;
    const p = imapToGraph(src, 'alice', 'pw-alice', emu, 'nolicence@contoso.test');
    const { outcomes } = await migrate(tempDataDir(), p);
    assert.equal(outcomes[0]!.status, 'failed');
    assert.match(outcomes[0]!.error ?? '', /no Exchange Online mailbox/);
    assert.match(outcomes[0]!.error ?? '', /licence/);
    assert.ok(emu.stats.requests - before < 5, 'stopped at the check');
    const missing = await migrate(
      tempDataDir(),
      imapToGraph(src, 'alice', 'pw-alice', emu, 'nobody@contoso.test'),
    );
    assert.match(missing.outcomes[0]!.error ?? '', /no such user in the tenant/);
  });
});
