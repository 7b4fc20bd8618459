/**
 * Microsoft 365 → Microsoft 365 (tenant to tenant) through runMigration, against two LOCAL EMULATORS of
 * Microsoft Graph (test code; the real service cannot be reached from here) that enforce the mailbox
 * import/export API as documented (permissions, 20 ids per export, pre-authenticated import URL, opaque
 * checksummed items). With the permissions granted, items move by export/import (counted by the emulator),
 * byte for byte; without MailboxItem.ImportExport.All the ordinary path runs and a note names the permission;
 * an import whose answer is cut is not imported twice; `verify` reads the destination back and it matches.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { resolveTarget } from '../../src/cli/context.js';
import type { ProjectConfig } from '../../src/config/types.js';
import type { ProgressSink } from '../../src/engine/progress.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { emulatorServer } from '../emulators/graph/graph-project.js';
import { makeMessage } from '../harness/messages.js';
import { emulatedFolders } from './graph-helpers.js';
import { migrate, tempDataDir } from './helpers.js';

const OLD = 'ann@fabrikam.test';
let src: GraphEmulator;
let dst: GraphEmulator;
const d = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 12, 9, 15, 0));
const ids = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag}-${i}-${randomBytes(3).toString('hex')}@fabrikam.test`);
const inboxIds = ids(23, 'in');
const dupId = `dup-${randomBytes(3).toString('hex')}@fabrikam.test`;

/** Microsoft 365 (one emulator) → Microsoft 365 (the other), one mailbox, app-only on both sides. */
function graphToGraph(upnTo: string): ProjectConfig {
  const p = resolveTarget({ from: 'imap://a:b@127.0.0.1:1', to: 'imap://a:b@127.0.0.1:1' }).project;
  return {
    ...p,
    source: emulatorServer(src),
    destination: emulatorServer(dst),
    mailboxes: p.mailboxes.map((m) => ({
      ...m,
      sourceUser: OLD,
      destUser: upnTo,
      sourceAuth: undefined,
      destAuth: undefined,
    })),
  };
}

/** A progress sink that keeps the notes. */
function noting(): ProgressSink & { notes: string[] } {
  const notes: string[] = [];
  return {
    notes,
    planned: () => undefined,
    advanced: () => undefined,
    note: (_id, _level, text) => notes.push(text),
    finished: () => undefined,
  };
}

/** Message-ID → what the engine's fingerprints and a person look at, for one folder of one mailbox. */
function byMsgId(emu: GraphEmulator, upn: string, folder: string) {
  const out = new Map<string, Array<{ mime: string; isRead: boolean; received: string }>>();
  for (const m of emulatedFolders(emu, upn).get(folder) ?? [])
    out.set(m.internetMessageId!, [
      ...(out.get(m.internetMessageId!) ?? []),
      {
        mime: emu.store.mimeOf(m).toString('base64'),
        isRead: m.isRead,
        received: m.receivedDateTime,
      },
    ]);
  return out;
}

before(async () => {
  [src, dst] = await Promise.all([
    startGraphEmulator({ tenantId: 'fabrikam-emulated', latencyMs: 1 }),
    startGraphEmulator({ tenantId: 'contoso-emulated', latencyMs: 1 }),
  ]);
  src.store.addUser(OLD);
  for (const u of ['fallback', 'native', 'cut', 'stamp']) dst.store.addUser(`${u}@contoso.test`);
  src.seed(
    OLD,
    ['Inbox'],
    [
      ...inboxIds.map((id, i) => ({
        raw: makeMessage({
          messageId: `<${id}>`,
          subject: `quarterly ${i}`,
          date: d(2015 + (i % 8), 1 + (i % 12)),
        }),
        flags: i % 2 ? ['\\Seen'] : [],
        internalDate: d(2015 + (i % 8), 1 + (i % 12)),
      })),
      // Two items sharing a Message-ID cannot be paired with their mailbox items: the ordinary path takes them.
      {
        raw: makeMessage({ messageId: `<${dupId}>`, subject: 'twin a', date: d(2020) }),
        internalDate: d(2020),
      },
      {
        raw: makeMessage({ messageId: `<${dupId}>`, subject: 'twin b', date: d(2021) }),
        internalDate: d(2021),
      },
    ],
  );
  src.seed(
    OLD,
    ['Projects', '2024'],
    [
      {
        raw: makeMessage({ messageId: `<deep-${randomBytes(3).toString('hex')}@f.test>`, subject: 'deep' }),
        flags: ['\\Seen'],
        internalDate: d(2024),
      },
    ],
  );
  // The source tenant's app may read and export; the destination's, at first, nothing of this API.
  src.mailboxApi.grant('MailboxFolder.Read.All', 'MailboxItem.Read.All', 'MailboxItem.Export.All');
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

describe('Microsoft 365 → Microsoft 365 (two Graph emulators)', () => {
  test('without MailboxItem.ImportExport.All: the ordinary path, and a note naming the permission', async () => {
    const progress = noting();
    const { outcomes, reports } = await migrate(tempDataDir(), graphToGraph('fallback@contoso.test'), {
      progress,
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(reports[0]!.totals.copied, 26);
    assert.ok(reports[0]!.reconciles, reports[0]!.discrepancy);
    assert.equal(dst.mailboxApi.imports, 0);
    assert.equal(src.mailboxApi.exports, 0);
    const why = progress.notes.filter((n) => /native form/.test(n));
    assert.equal(why.length, 1, progress.notes.join('\n'));
    assert.match(why[0]!, /MailboxItem\.ImportExport\.All/);
    assert.equal(byMsgId(dst, 'fallback@contoso.test', 'Inbox').size, 24);
  });

  test('with the permissions: items move by export/import, byte for byte, and verify matches', async () => {
    dst.mailboxApi.grant('MailboxItem.ImportExport.All', 'MailboxFolder.Read.All');
    const progress = noting();
    const data = tempDataDir();
    const exportsBefore = src.mailboxApi.exports;
    const listingsBefore = src.mailboxApi.expandedListings;
    const { outcomes, reports, verified } = await migrate(data, graphToGraph('native@contoso.test'), {
      progress,
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    const r = reports[0]!;
    assert.equal(r.totals.copied, 26);
    assert.ok(r.reconciles, r.discrepancy);
    assert.equal(verified.length, 1);
    // 23 + 1 paired items imported; the two twins went the ordinary way, with a note saying why.
    assert.equal(dst.mailboxApi.imports, 24);
    assert.equal(src.mailboxApi.exports - exportsBefore, 24 + 1, '24 items and the permission probe');
    // Inbox (25 messages: two rounds of export) and Projects/2024 are paired from one listing each.
    assert.equal(src.mailboxApi.expandedListings - listingsBefore, 2);
    // Said per round of 20: the twins may fall into two rounds.
    const twins = progress.notes
      .map((n) => /(\d+) message\(s\) copied as MIME.*share its Message-ID/.exec(n)?.[1])
      .reduce((sum, n) => sum + Number(n ?? 0), 0);
    assert.equal(twins, 2, progress.notes.join('\n'));
    assert.ok(
      !progress.notes.some((n) => /not moved in their native form/.test(n)),
      progress.notes.join('\n'),
    );
    const from = byMsgId(src, OLD, 'Inbox');
    const to = byMsgId(dst, 'native@contoso.test', 'Inbox');
    for (const id of inboxIds) {
      assert.deepEqual(to.get(`<${id}>`), from.get(`<${id}>`), `${id}: one copy, same MIME, read flag, date`);
    }
    assert.equal(to.get(`<${dupId}>`)?.length, 2);
    assert.equal(emulatedFolders(dst, 'native@contoso.test').get('Projects/2024')?.length, 1);

    // A second pass finds everything there: nothing exported or imported again.
    const again = await migrate(data, graphToGraph('native@contoso.test'), { verify: true });
    assert.equal(again.outcomes[0]!.status, 'done', again.outcomes[0]!.error);
    assert.equal(dst.mailboxApi.imports, 24);
    assert.ok(again.reports[0]!.reconciles, again.reports[0]!.discrepancy);
  });

  test('an import whose answer is cut is found on the next attempt and never imported twice', async () => {
    dst.mailboxApi.grant('MailboxItem.ImportExport.All', 'MailboxFolder.Read.All');
    const before = dst.mailboxApi.imports;
    dst.mailboxApi.cutImportAnswers = 1;
    const progress = noting();
    const data = tempDataDir();
    const { outcomes } = await migrate(data, graphToGraph('cut@contoso.test'), { progress });
    assert.equal(dst.mailboxApi.cutImportAnswers, 0, 'the cut happened');
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.ok(
      progress.notes.some((n) => /found at the destination, not imported again/.test(n)),
      progress.notes.join('\n'),
    );
    const rerun = await migrate(data, graphToGraph('cut@contoso.test'), { verify: true });
    assert.equal(rerun.outcomes[0]!.status, 'done');
    assert.ok(rerun.reports[0]!.reconciles, rerun.reports[0]!.discrepancy);
    assert.equal(dst.mailboxApi.imports - before, 24, 'each item imported once');
    const to = byMsgId(dst, 'cut@contoso.test', 'Inbox');
    for (const id of inboxIds) assert.equal(to.get(`<${id}>`)?.length, 1, `${id} is there once`);
  });

  test('an import stamped but whose stamp answer is cut is found by fingerprint on the next attempt', async () => {
    dst.mailboxApi.grant('MailboxItem.ImportExport.All', 'MailboxFolder.Read.All');
    const before = dst.mailboxApi.imports;
    dst.cutAnswers('PATCH messages/{}', 1);
    const progress = noting();
    const data = tempDataDir();
    const { outcomes } = await migrate(data, graphToGraph('stamp@contoso.test'), { progress });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.ok(
      progress.notes.some((n) =>
        /1 interrupted write\(s\) found at the destination; not written again/.test(n),
      ),
      progress.notes.join('\n'),
    );
    const rerun = await migrate(data, graphToGraph('stamp@contoso.test'), { verify: true });
    assert.equal(rerun.outcomes[0]!.status, 'done');
    assert.ok(rerun.reports[0]!.reconciles, rerun.reports[0]!.discrepancy);
    assert.equal(dst.mailboxApi.imports - before, 24, 'each item imported once');
    const to = byMsgId(dst, 'stamp@contoso.test', 'Inbox');
    for (const id of inboxIds) assert.equal(to.get(`<${id}>`)?.length, 1, `${id} is there once`);
  });
});
