/**
 * Google Workspace end to end, through the migration service: the Gmail EMULATOR (test/emulators/gmail,
 * a local implementation of the documented Gmail API — Google cannot be reached from here) → real Dovecot,
 * and real Dovecot → the Gmail emulator. Each side: a first pass, a throttling storm (429 / 403
 * rateLimitExceeded) in the middle of a pass, delta passes, and at the end every message exactly once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ProjectConfig, ServerSpec } from '../../src/config/types.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { resolveTarget } from '../../src/cli/context.js';
import { silentProgress, type ProgressSink } from '../../src/engine/progress.js';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer } from '../emulators/gmail/gmail-fixture.js';
import { migrate, tempDataDir } from './helpers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const when = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 10, 9, 0, 0));
const GUSER = 'alice@example.test';
const IUSER = 'alice';
const IPW = 'pw-alice';

let dovecot: DovecotServer;
let emu: GmailEmulator;
before(async () => {
  dovecot = await startDovecot({
    layout: 'fs',
    users: [
      { user: IUSER, password: IPW },
      { user: 'bob', password: 'pw-bob' },
      { user: 'erin', password: 'pw-erin' },
    ],
  });
  emu = await GmailEmulator.start({
    users: [GUSER, 'bob@example.test', 'carol@example.test'],
    unitsPerSecond: 1000,
  });
});
after(async () => {
  await Promise.all([dovecot?.stop(), emu?.stop()]);
});

function imapServer(
  user: string,
  pw: string,
): { server: ServerSpec; auth: ReturnType<typeof parseServerUrl>['auth'] } {
  return parseServerUrl(`imap://${user}:${pw}@127.0.0.1:${dovecot.imapPort}`);
}

function project(
  source: ServerSpec,
  destination: ServerSpec,
  m: ProjectConfig['mailboxes'][number],
): ProjectConfig {
  return {
    name: 'gmail-e2e',
    source,
    destination,
    defaults: m.options,
    mailboxes: [m],
    concurrency: { mailboxes: 1, foldersPerMailbox: 2 },
    limits: {},
  };
}
const options = { itemTypes: ['mail' as const], folders: { map: [], regex: [], include: [], exclude: [] } };

/** A sink that starts a throttling storm once the pass has copied its first message. */
function stormAfterFirstCopy(n: number): { sink: ProgressSink; fired: () => boolean } {
  let fired = false;
  return {
    fired: () => fired,
    sink: {
      ...silentProgress,
      advanced: (_id, _items, bytes) => {
        if (bytes > 0 && !fired) {
          fired = true;
          emu.throttle(n, 1);
        }
      },
    },
  };
}

describe('Gmail (emulator) → IMAP (Dovecot)', () => {
  const data = tempDataDir();
  const raws: Buffer[] = [];
  const seed = (raw: Buffer, labels: string[], date: Date) => {
    raws.push(raw);
    return emu.seed(GUSER, raw, labels, date.getTime());
  };
  const proj = () =>
    project(gmailServer(emu), imapServer(IUSER, IPW).server, {
      sourceUser: GUSER,
      destUser: IUSER,
      destAuth: imapServer(IUSER, IPW).auth,
      starred: false,
      options,
    });

  /** Destination folder → messages, and where each seeded message landed (by content hash). */
  async function landed() {
    const folders = await listAll(dovecot, IUSER, IPW);
    const where = new Map<string, Array<{ folder: string; flags: string[] }>>();
    for (const f of folders)
      for (const m of f.messages)
        where.set(m.sha256, [...(where.get(m.sha256) ?? []), { folder: f.path, flags: m.flags }]);
    return { folders, where };
  }

  let threeLabels: Buffer;
  test('first pass: labels become folders, a message with three labels arrives once, flags and dates kept', async () => {
    for (let i = 0; i < 12; i++)
      seed(
        makeMessage({ subject: `inbox ${i}`, date: when(2020, 1 + i) }),
        i % 3 ? ['INBOX'] : ['INBOX', 'UNREAD'],
        when(2020, 1 + i),
      );
    threeLabels = makeMessage({ subject: 'three labels', date: when(2021) });
    seed(threeLabels, ['INBOX', 'Projects/Alpha', 'Clients', 'STARRED'], when(2021));
    for (let i = 0; i < 5; i++)
      seed(
        makeMessage({ subject: `alpha ${i}`, date: when(2019, 2 + i) }),
        ['Projects/Alpha'],
        when(2019, 2 + i),
      );
    seed(makeMessage({ subject: 'sent', date: when(2018) }), ['SENT'], when(2018));
    seed(makeMessage({ subject: 'binned', date: when(2017) }), ['TRASH'], when(2017));
    seed(makeMessage({ subject: 'archived, no label', date: when(2016) }), [], when(2016));
    seed(makeMessage({ subject: 'no id', messageId: null, date: when(2015) }), ['Clients'], when(2015));
    seed(
      makeMessage({ subject: 'large', date: when(2022), sizeBytes: 6 * 1024 * 1024 }),
      ['INBOX'],
      when(2022),
    );

    const { outcomes, reports } = await migrate(data, proj());
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    const { folders, where } = await landed();
    const paths = folders.map((f) => f.path);
    for (const p of ['INBOX', 'Projects/Alpha', 'Clients', 'Sent', 'Trash', 'Archive'])
      assert.ok(paths.includes(p), `${p} in ${paths}`);
    for (const raw of raws)
      assert.equal(
        where.get(sha(raw))?.length,
        1,
        `seeded message found ${where.get(sha(raw))?.length ?? 0} times`,
      );
    const three = where.get(sha(threeLabels))![0]!;
    assert.equal(three.folder, 'INBOX', 'INBOX wins over user labels');
    for (const f of ['\\Seen', '\\Flagged', 'Projects/Alpha', 'Clients'])
      assert.ok(three.flags.includes(f), `${f} in ${three.flags}`);
    const inbox = folders.find((f) => f.path === 'INBOX')!;
    assert.equal(inbox.messages.length, 14);
    assert.equal(inbox.messages.filter((m) => !m.flags.includes('\\Seen')).length, 4, 'UNREAD ↔ not \\Seen');
    assert.equal(folders.find((f) => f.path === 'Projects/Alpha')!.messages.length, 5);
    // Keys are hashes of Gmail ids, so copy order is not date order: compare the dates as a set.
    assert.deepEqual(
      folders
        .find((f) => f.path === 'Projects/Alpha')!
        .messages.map((m) => m.internalDate.getTime())
        .sort(),
      [0, 1, 2, 3, 4].map((i) => when(2019, 2 + i).getTime()).sort(),
    );
    assert.equal(reports[0]?.totals.copied ?? raws.length, raws.length);
  });

  test('delta pass with a throttling storm in the middle: new mail once, flag changes synced, nothing twice', async () => {
    const mb = emu.mailbox(GUSER);
    const fresh = [0, 1, 2, 3, 4, 5].map((i) =>
      makeMessage({ subject: `new ${i}`, date: when(2023, 1 + i) }),
    );
    for (const [i, raw] of fresh.entries())
      seed(raw, i % 2 ? ['INBOX'] : ['Projects/Alpha'], when(2023, 1 + i));
    const unread = [...mb.messages.values()].find((m) => m.labelIds.has('UNREAD'))!;
    mb.modify(unread.id, ['STARRED'], ['UNREAD']);
    const storm = stormAfterFirstCopy(4);
    const { outcomes } = await migrate(data, proj(), { progress: storm.sink });
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    assert.ok(storm.fired(), 'the storm started mid-pass');
    assert.ok(emu.stats.throttled >= 4, `throttled answers: ${emu.stats.throttled}`);
    assert.ok((outcomes[0]?.counters?.throttledMs ?? 0) > 0, 'time spent throttled is counted');
    const { where } = await landed();
    for (const raw of raws) assert.equal(where.get(sha(raw))?.length, 1, 'every message exactly once');
    const flags = where.get(sha(unread.raw))![0]!.flags;
    assert.ok(flags.includes('\\Seen') && flags.includes('\\Flagged'), `flags synced: ${flags}`);
    assert.equal(outcomes[0]?.counters?.copied, fresh.length);
  });

  test('an unchanged mailbox copies nothing; flag changes still arrive after Google forgot the history point', async () => {
    const quiet = await migrate(data, proj());
    assert.equal(quiet.outcomes[0]?.counters?.copied, 0);
    assert.equal(quiet.outcomes[0]?.counters?.flagsSynced, 0);
    const mb = emu.mailbox(GUSER);
    const target = [...mb.messages.values()].find(
      (m) => m.labelIds.has('Label_1') && !m.labelIds.has('STARRED') && !m.labelIds.has('INBOX'),
    )!;
    mb.modify(target.id, ['STARRED'], []);
    mb.expireHistory(); // history.list answers 404: a full flag re-sync instead
    const later = await migrate(data, proj());
    assert.equal(later.outcomes[0]?.counters?.copied, 0);
    assert.equal(later.outcomes[0]?.counters?.flagsSynced, 1);
    const { where } = await landed();
    assert.ok(where.get(sha(target.raw))![0]!.flags.includes('\\Flagged'));
    for (const raw of raws) assert.equal(where.get(sha(raw))?.length, 1);
  });
});

describe('IMAP (Dovecot) → Gmail (emulator)', () => {
  const data = tempDataDir();
  const raws: Buffer[] = [];
  const proj = () => {
    const imap = imapServer('bob', 'pw-bob');
    return project(imap.server, gmailServer(emu), {
      sourceUser: 'bob',
      destUser: 'bob@example.test',
      sourceAuth: imap.auth,
      starred: false,
      options,
    });
  };
  const seed = async (folder: string, items: Array<{ raw: Buffer; flags?: string[]; date: Date }>) => {
    raws.push(...items.map((i) => i.raw));
    await seedMessages(
      dovecot,
      'bob',
      'pw-bob',
      folder,
      items.map((i) => ({ raw: i.raw, flags: i.flags, internalDate: i.date })),
    );
  };
  const stored = () => {
    const mb = emu.mailbox('bob@example.test');
    const byHash = new Map<string, string[][]>();
    for (const m of mb.messages.values())
      byHash.set(sha(m.raw), [
        ...(byHash.get(sha(m.raw)) ?? []),
        [...m.labelIds].map((l) => mb.labels.get(l)?.name ?? l),
      ]);
    return byHash;
  };

  test('first pass with a storm: folders become (nested) labels, flags become UNREAD/STARRED, dates from Date', async () => {
    await seed(
      'INBOX',
      Array.from({ length: 10 }, (_, i) => ({
        raw: makeMessage({ subject: `bob ${i}`, date: when(2020, 1 + i) }),
        flags: i % 2 ? ['\\Seen'] : ['\\Flagged'],
        date: when(2020, 1 + i),
      })),
    );
    await seed('Work/Sub', [
      { raw: makeMessage({ subject: 'nested', date: when(2019) }), flags: ['\\Seen'], date: when(2019) },
      {
        raw: makeMessage({ subject: 'big', date: when(2019, 5), sizeBytes: 6 * 1024 * 1024 }),
        flags: ['\\Seen'],
        date: when(2019, 5),
      },
    ]);
    await seed('Sent', [
      {
        // From bob's own address: messages.insert, and Gmail applies SENT itself (the documented way).
        raw: makeMessage({ subject: 'sent by bob', from: 'Bob <bob@example.test>', date: when(2018) }),
        flags: ['\\Seen'],
        date: when(2018),
      },
    ]);
    const storm = stormAfterFirstCopy(4);
    const before = emu.stats.throttled;
    const { outcomes } = await migrate(data, proj(), { progress: storm.sink });
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    assert.ok(emu.stats.throttled >= before + 4);
    const byHash = stored();
    for (const raw of raws) assert.equal(byHash.get(sha(raw))?.length, 1, 'each message imported once');
    const labels = [...emu.mailbox('bob@example.test').labels.values()].map((l) => l.name);
    assert.ok(labels.includes('Work') && labels.includes('Work/Sub'), labels.join(', '));
    const first = byHash.get(sha(raws[0]!))![0]!;
    assert.ok(
      first.includes('INBOX') && first.includes('STARRED') && first.includes('UNREAD'),
      first.join(','),
    );
    const second = byHash.get(sha(raws[1]!))![0]!;
    assert.ok(!second.includes('UNREAD') && !second.includes('STARRED'), second.join(','));
    assert.deepEqual(byHash.get(sha(raws[12]!))![0], ['SENT'], 'Sent → the SENT system label');
    const nested = [...emu.mailbox('bob@example.test').messages.values()].find(
      (m) => sha(m.raw) === sha(raws[10]!),
    )!;
    assert.equal(nested.internalDate, when(2019).getTime(), 'internal date from the Date header');
  });

  test('delta pass: only new mail is imported, flag changes become label changes', async () => {
    await seed('INBOX', [{ raw: makeMessage({ subject: 'late', date: when(2024) }), date: when(2024) }]);
    const { ImapFlow } = await import('imapflow');
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.imapPort,
      secure: false,
      auth: { user: 'bob', pass: 'pw-bob' },
      logger: false,
    });
    await c.connect();
    await c.mailboxOpen('INBOX');
    assert.ok(await c.messageFlagsAdd('1', ['\\Seen']));
    await c.logout();
    const { outcomes } = await migrate(data, proj());
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    assert.equal(outcomes[0]?.counters?.copied, 1);
    const byHash = stored();
    for (const raw of raws) assert.equal(byHash.get(sha(raw))?.length, 1, 'nothing twice');
    assert.ok(!byHash.get(sha(raws[0]!))![0]!.includes('UNREAD'), 'read at the source → UNREAD removed');
    const again = await migrate(data, proj());
    assert.equal(again.outcomes[0]?.counters?.copied, 0);
    assert.equal(stored().size, raws.length);
  });
});

describe('one-off form (what `cutover migrate --from gmail://… --to imap://…` builds)', () => {
  test('gmail:// with a service account key file migrates to Dovecot', async () => {
    const user = 'bob@example.test';
    const raw = makeMessage({ subject: 'one-off', date: when(2024, 3) });
    emu.seed(user, raw, ['INBOX', 'STARRED'], when(2024, 3).getTime());
    const port = new URL(emu.url).port;
    const { project: p } = resolveTarget({
      from: `gmail://${encodeURIComponent(user)}@127.0.0.1:${port}?http=1&key-file=${encodeURIComponent(emu.keyPath)}`,
      to: `imap://bob:pw-bob@127.0.0.1:${dovecot.imapPort}`,
    });
    const { outcomes } = await migrate(tempDataDir(), p);
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    // bob's Gmail mailbox holds what the Dovecot → Gmail pass imported: coming back without a ledger, those
    // are recognised at the destination by fingerprint (exact sizes) and not written twice.
    for (const f of await listAll(dovecot, 'bob', 'pw-bob')) {
      const hashes = f.messages.map((m) => m.sha256);
      assert.equal(new Set(hashes).size, hashes.length, `duplicates in ${f.path}`);
    }
    assert.ok((outcomes[0]?.counters?.present ?? 0) >= 10, `present: ${outcomes[0]?.counters?.present}`);
    const inbox = (await listAll(dovecot, 'bob', 'pw-bob')).find((f) => f.path === 'INBOX')!;
    const got = inbox.messages.filter((m) => m.sha256 === sha(raw));
    assert.equal(got.length, 1);
    assert.ok(got[0]!.flags.includes('\\Flagged'));
  });
});

describe('Gmail (emulator) → Gmail (emulator), tenant to tenant', () => {
  test('one copy per message; the labels it carried besides its folder are applied as labels again', async () => {
    const from = emu.mailbox(GUSER);
    const p = project(gmailServer(emu), gmailServer(emu), {
      sourceUser: GUSER,
      destUser: 'carol@example.test',
      starred: false,
      options,
    });
    const { outcomes } = await migrate(tempDataDir(), p);
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    const to = emu.mailbox('carol@example.test');
    assert.equal(to.messages.size, from.messages.size, 'every message once');
    const names = (mb: typeof to, ids: Set<string>) =>
      [...ids]
        .map((l) => mb.labels.get(l)?.name ?? l)
        .filter((n) => n !== 'Archive' && n !== 'Archive_') // where unlabelled mail is filed ('Archive' is reserved)
        .sort();
    // SENT is applied only by Gmail, to what the mailbox's own address sent: alice's mail in carol's mailbox
    // is kept under 'Sent (imported)' instead (gmail-sent-drafts.ts).
    const expected = (ids: Set<string>) =>
      names(from, ids)
        .map((n) => (n === 'SENT' ? 'Sent (imported)' : n))
        .sort();
    const bySha = new Map([...to.messages.values()].map((m) => [sha(m.raw), m]));
    for (const m of from.messages.values()) {
      const copy = bySha.get(sha(m.raw));
      assert.ok(copy, 'copied');
      assert.deepEqual(names(to, copy.labelIds), expected(m.labelIds), 'the same labels');
    }
  });
});

describe('IMAP (Dovecot) → Gmail (emulator), answers lost', () => {
  test('an import stored but whose answer never came is found by fingerprint, not imported twice', async () => {
    const raws = Array.from({ length: 6 }, (_, i) =>
      makeMessage({ subject: `lost ${i}`, date: when(2021, 1 + i) }),
    );
    await seedMessages(
      dovecot,
      'erin',
      'pw-erin',
      'INBOX',
      raws.map((raw) => ({ raw, flags: ['\\Seen'] })),
    );
    const imap = imapServer('erin', 'pw-erin');
    const p = project(imap.server, gmailServer(emu), {
      sourceUser: 'erin',
      destUser: 'carol@example.test',
      sourceAuth: imap.auth,
      starred: false,
      options: { ...options, folders: { ...options.folders, map: [{ from: 'INBOX', to: 'Lost answers' }] } },
    });
    emu.loseImportAnswers = 2;
    const { outcomes } = await migrate(tempDataDir(), p);
    assert.equal(outcomes[0]?.status, 'done', outcomes[0]?.error);
    assert.equal(emu.loseImportAnswers, 0, 'two answers were lost');
    const mb = emu.mailbox('carol@example.test');
    const label = [...mb.labels.values()].find((l) => l.name === 'Lost answers')!;
    const inLabel = [...mb.messages.values()].filter((m) => m.labelIds.has(label.id)).map((m) => sha(m.raw));
    assert.equal(inLabel.length, raws.length, 'each message once');
    assert.deepEqual(new Set(inLabel), new Set(raws.map(sha)));
  });
});
