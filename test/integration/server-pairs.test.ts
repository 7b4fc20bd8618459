/**
 * The migration looped over real server pairs — Dovecot ↔ Cyrus and Dovecot ↔ Courier — because a test on
 * one server of a kind hides the bugs of the second: Cyrus and Courier keep personal folders under `INBOX.`
 * with `.` as separator, Cyrus refuses symbols in names and caps keywords at 100 per folder, Courier has no
 * MULTIAPPEND, LITERAL+, UNSELECT or BINARY. Every scenario checks the destination read back, not the ledger.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  imapLogin,
  listImapMessages,
  seedImapMessages,
  serverPath,
  startImapServer,
  type ImapServerKind,
  type ImapTestServer,
} from '../harness/imap-servers.js';
import { makeMessage } from '../harness/messages.js';
import { RawImap, quote } from '../harness/raw-imap.js';
import { resolveTarget } from '../../src/cli/context.js';
import { silentProgress } from '../../src/engine/progress.js';
import { runVerification } from '../../src/services/verify-service.js';
import { openStore } from '../../src/store/db.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { migrate, tempDataDir } from './helpers.js';

const KINDS: ImapServerKind[] = ['dovecot', 'cyrus', 'courier'];
const PAIRS: Array<[ImapServerKind, ImapServerKind]> = [
  ['dovecot', 'cyrus'],
  ['cyrus', 'dovecot'],
  ['dovecot', 'courier'],
  ['courier', 'dovecot'],
];
const SCENARIOS = ['tree', 'deleted', 'names', 'keywords', 'nul', 'special', 'munge'];
const users = PAIRS.flatMap((_, i) =>
  SCENARIOS.map((s) => ({ user: `p${i}${s}`, password: `pw-p${i}${s}` })),
);
const pw = (u: string) => `pw-${u}`;
const servers = new Map<ImapServerKind, ImapTestServer>();

before(async () => {
  const started = await Promise.all(KINDS.map((k) => startImapServer(k, { users })));
  for (const s of started) servers.set(s.kind, s);
});
after(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const d = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 15, 10, 30, 0));

function project(src: ImapTestServer, dst: ImapTestServer, user: string) {
  const u = (s: ImapTestServer) => `imap://${user}:${encodeURIComponent(pw(user))}@127.0.0.1:${s.imapPort}`;
  return resolveTarget({ from: u(src), to: u(dst) }).project;
}

/** Folder (relative path joined with '/') → sorted "sha flags date" lines. */
async function contents(s: ImapTestServer, user: string): Promise<Map<string, string[]>> {
  return new Map(
    (await listImapMessages(s, user, pw(user))).map((f) => [
      f.path.join('/'),
      f.messages.map((m) => `${m.sha256} ${m.flags.join(',')} ${m.internalDate.toISOString()}`).sort(),
    ]),
  );
}

/** `cutover verify --deep`: read every message back and compare its bytes with the source's. */
async function verifyDeep(data: string, p: ProjectConfig) {
  const store = await openStore(data);
  try {
    const [v] = await runVerification(store, p, { deep: true, progress: silentProgress });
    return v!.verification;
  } finally {
    await store.close();
  }
}

async function flagsOf(s: ImapTestServer, user: string, folder: string[]): Promise<string[][]> {
  const c = await imapLogin(s, user, pw(user));
  try {
    await c.mailboxOpen(serverPath(s, folder), { readOnly: true });
    const out: string[][] = [];
    for await (const m of c.fetch('1:*', { flags: true })) out.push([...(m.flags ?? [])].sort());
    return out;
  } finally {
    await c.logout();
  }
}

for (const [i, [from, to]] of PAIRS.entries()) {
  describe(`${from} → ${to}`, () => {
    const S = () => servers.get(from)!;
    const D = () => servers.get(to)!;
    const user = (s: string) => `p${i}${s}`;

    test('first pass exact in the destination namespace; a delta copies only the new; unchanged copies nothing', async () => {
      const u = user('tree');
      await seedImapMessages(
        S(),
        u,
        pw(u),
        ['INBOX'],
        [
          { raw: makeMessage({ subject: 'one', date: d(2019) }), flags: ['\\Seen'], internalDate: d(2019) },
          {
            raw: makeMessage({ subject: 'two', date: d(2020) }),
            flags: ['\\Flagged', '$Forwarded', 'Projekt'],
            internalDate: d(2020),
          },
        ],
      );
      await seedImapMessages(
        S(),
        u,
        pw(u),
        ['Sent'],
        [{ raw: makeMessage({ subject: 'sent' }), flags: ['\\Seen'], internalDate: d(2021) }],
      );
      await seedImapMessages(
        S(),
        u,
        pw(u),
        ['Work', 'Clients'],
        [{ raw: makeMessage({ subject: 'nested' }), internalDate: d(2022) }],
      );
      await seedImapMessages(
        S(),
        u,
        pw(u),
        ['Ünïcödé Ordner'],
        [{ raw: makeMessage({ subject: 'unicode' }), internalDate: d(2023) }],
      );
      const data = tempDataDir();
      const first = await migrate(data, project(S(), D(), u));
      assert.equal(first.outcomes[0]!.status, 'done', JSON.stringify(first.reports[0]?.folders));
      const src = await contents(S(), u);
      const dst = await contents(D(), u);
      for (const [folder, msgs] of src)
        assert.deepEqual(dst.get(folder), msgs, `${folder} at ${to}: ${JSON.stringify([...dst.keys()])}`);
      // Nothing lands under INBOX that was not under it at the source (the namespace prefix is not a folder).
      assert.deepEqual(
        [...dst.keys()].filter((k) => k.startsWith('INBOX/')),
        [],
      );

      await seedImapMessages(
        S(),
        u,
        pw(u),
        ['Work', 'Clients'],
        [{ raw: makeMessage({ subject: 'new' }), internalDate: d(2024) }],
      );
      const c = await imapLogin(S(), u, pw(u));
      try {
        await c.mailboxOpen('INBOX');
        assert.ok(await c.messageFlagsAdd('1:*', ['\\Answered']));
      } finally {
        await c.logout();
      }
      const second = await migrate(data, project(S(), D(), u));
      assert.equal(second.outcomes[0]!.status, 'done', JSON.stringify(second.reports[0]?.folders));
      assert.equal(second.outcomes[0]!.counters?.copied, 1);
      const src2 = await contents(S(), u);
      const dst2 = await contents(D(), u);
      for (const [folder, msgs] of src2)
        assert.deepEqual(dst2.get(folder), msgs, `${folder} after the delta`);
      const third = await migrate(data, project(S(), D(), u));
      assert.equal(third.outcomes[0]!.counters?.copied, 0);
      assert.deepEqual(await contents(D(), u), dst2);
      // The proof: read back, content compared byte for byte.
      const v = await verifyDeep(data, project(S(), D(), u));
      assert.equal(v.result, 'matches', JSON.stringify(v.folders));
      assert.equal(v.checked, 6);
    });

    // Cyrus's munge8bit keeps the size and turns raw 8-bit header bytes into 'X': only a deep verify sees it.
    if (to === 'cyrus')
      test('a destination that rewrites bytes at the same size is caught by verify --deep and named', async () => {
        const u = user('munge');
        const raw = Buffer.concat([
          Buffer.from('From: a@example.test\r\nSubject: Grüße aus Köln\r\nMessage-ID: <munge@x>\r\n\r\n'),
          Buffer.from('body\r\n'),
        ]);
        await seedImapMessages(
          S(),
          u,
          pw(u),
          ['INBOX'],
          [{ raw }, { raw: makeMessage({ subject: 'ascii' }) }],
        );
        const data = tempDataDir();
        assert.equal((await migrate(data, project(S(), D(), u))).outcomes[0]!.status, 'done');
        const v = await verifyDeep(data, project(S(), D(), u));
        assert.equal(v.result, 'differs');
        const altered = v.folders.flatMap((f) => f.altered);
        assert.equal(altered.length, 1, JSON.stringify(v.folders));
        assert.equal(altered[0]!.messageId, 'munge@x');
      });

    test("never expunges: \\Deleted messages, the source's and the destination user's own, survive three passes", async () => {
      const u = user('deleted');
      await seedImapMessages(
        S(),
        u,
        pw(u),
        ['INBOX'],
        [
          { raw: makeMessage({ subject: 'kept' }) },
          { raw: makeMessage({ subject: 'deleted 1' }), flags: ['\\Deleted'] },
          { raw: makeMessage({ subject: 'deleted 2' }), flags: ['\\Deleted', '\\Seen'] },
        ],
      );
      await seedImapMessages(
        D(),
        u,
        pw(u),
        ['INBOX'],
        [{ raw: makeMessage({ subject: 'own' }), flags: ['\\Deleted'] }],
      );
      const data = tempDataDir();
      for (let pass = 1; pass <= 3; pass++) {
        if (pass === 3)
          await seedImapMessages(
            S(),
            u,
            pw(u),
            ['INBOX'],
            [{ raw: makeMessage({ subject: 'later' }), flags: ['\\Deleted'] }],
          );
        const { outcomes } = await migrate(data, project(S(), D(), u));
        assert.equal(outcomes[0]!.status, 'done');
        const flags = await flagsOf(D(), u, ['INBOX']);
        assert.equal(flags.length, pass < 3 ? 4 : 5, `pass ${pass}`);
        assert.equal(flags.filter((f) => f.includes('\\Deleted')).length, pass < 3 ? 3 : 4, `pass ${pass}`);
      }
    });

    // Only Dovecot can hold every one of these names as a source.
    if (from === 'dovecot')
      test('names are created as they are and renamed only when refused, each rename in the report', async () => {
        const u = user('names');
        const names = [' Leading Space', 'Trailing Space ', 'a%b', 'x!y', 'Emoji 📥', 'Plain'];
        for (const n of names)
          await seedImapMessages(S(), u, pw(u), [n], [{ raw: makeMessage({ subject: n }) }]);
        const data = tempDataDir();
        const { outcomes, reports } = await migrate(data, project(S(), D(), u));
        assert.equal(outcomes[0]!.status, 'done', JSON.stringify(reports[0]?.folders));
        const dst = await contents(D(), u);
        for (const n of names) {
          const f = reports[0]!.folders.find((x) => x.source === n)!;
          assert.ok(f, n);
          assert.equal(
            dst.get(f.destination!)?.length,
            1,
            `${JSON.stringify(n)} → ${JSON.stringify(f.destination)}`,
          );
          if (f.destination === n) assert.equal(f.renamed, null, n);
          else assert.match(f.renamed ?? '', /was refused by the destination/, n);
        }
        const dest = (n: string) => reports[0]!.folders.find((x) => x.source === n)!.destination;
        assert.equal(dest('Plain'), 'Plain');
        assert.equal(dest(' Leading Space'), ' Leading Space');
        assert.equal(dest('Trailing Space '), 'Trailing Space ');
        if (to === 'cyrus') {
          assert.equal(dest('a%b'), 'a\uFF05b');
          assert.equal(dest('x!y'), 'x\uFF01y');
        }
        if (to === 'courier') assert.equal(dest('Emoji 📥'), 'Emoji _');
        // Again: every folder is found where the first pass put it; nothing is created or copied twice.
        const again = await migrate(data, project(S(), D(), u));
        assert.equal(again.outcomes[0]!.status, 'done', JSON.stringify(again.reports[0]?.folders));
        assert.equal(again.outcomes[0]!.counters?.copied, 0);
      });

    // Only Cyrus limits keywords (100 per folder).
    if (to === 'cyrus')
      test('a message refused for its keywords is copied without them, and the report says which', async () => {
        const u = user('keywords');
        const msgs = Array.from({ length: 104 }, (_, k) => ({
          raw: makeMessage({ subject: `tag ${k}` }),
          flags: [`kw${k}`],
        }));
        await seedImapMessages(S(), u, pw(u), ['Tags'], msgs);
        const { outcomes, reports } = await migrate(tempDataDir(), project(S(), D(), u));
        assert.equal(outcomes[0]!.status, 'done');
        const r = reports[0]!;
        assert.equal(r.totals.copied, 104);
        assert.equal(r.totals.altered, 4);
        for (const p of r.problems)
          assert.match(
            p.reason ?? '',
            /^keywords dropped: kw\d+ \(the destination refused the message with them: .*Too many user flags/,
          );
        assert.equal((await contents(D(), u)).get('Tags')?.length, 104);
      });

    // NULs can be seeded on a Dovecot source (a Maildir file) or a Cyrus one (literal8); Courier refuses literal8.
    if (from === 'dovecot' || from === 'cyrus')
      test('NUL bytes travel where both servers can carry them; otherwise the copy says what changed', async () => {
        const u = user('nul');
        const raw = Buffer.from(
          'From: a@example.test\r\nSubject: binary\r\nMessage-ID: <nul@x>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nzero\x00byte and 0x80 \x80 here\r\n',
          'latin1',
        );
        if (from === 'dovecot') {
          await seedImapMessages(S(), u, pw(u), ['INBOX'], [{ raw: makeMessage({ subject: 'plain' }) }]);
          const file = path.join(S().dir, 'mail', u, 'Maildir', 'new', 'nul.msg');
          fs.writeFileSync(file, raw);
          const { uid, gid } = fs.statSync(path.dirname(file));
          fs.chownSync(file, uid, gid);
        } else
          await seedImapMessages(
            S(),
            u,
            pw(u),
            ['INBOX'],
            [{ raw: makeMessage({ subject: 'plain' }) }, { raw }],
          );
        const { outcomes, reports } = await migrate(tempDataDir(), project(S(), D(), u));
        assert.equal(outcomes[0]!.status, 'done', JSON.stringify(reports[0]?.problems));
        const c = await imapLogin(D(), u, pw(u));
        let got: Buffer | undefined;
        try {
          await c.mailboxOpen('INBOX', { readOnly: true });
          const binary = c.capabilities.has('BINARY');
          for await (const m of c.fetch('1:*', { source: true, envelope: true }, { binary }))
            if (m.envelope?.subject === 'binary') got = m.source;
        } finally {
          await c.logout();
        }
        assert.ok(got, 'the message arrived');
        if (to === 'courier') {
          assert.equal(sha(got), sha(Buffer.from(raw.toString('latin1').replace('\x00', '\x80'), 'latin1')));
          assert.match(
            reports[0]!.problems[0]?.reason ?? '',
            /1 NUL byte\(s\) written as 0x80: the destination has no BINARY/,
          );
        } else {
          assert.equal(sha(got), sha(raw));
          assert.equal(reports[0]!.totals.altered, 0, JSON.stringify(reports[0]!.problems));
        }
      });

    // Cyrus flags folders on creation (CREATE-SPECIAL-USE); a Dovecot source is covered in fidelity.test.ts.
    if (from === 'cyrus')
      test("the source's special-use flag decides: a look-alike user folder keeps its name", async () => {
        const u = user('special');
        // CREATE-SPECIAL-USE (RFC 6154 §3): the server itself flags the folder \Archive.
        const raw = await RawImap.login(S().imapPort, u, pw(u));
        try {
          const made = await raw.command(`CREATE ${quote(serverPath(S(), ['Archive']))} (USE (\\Archive))`);
          assert.equal(made.status, 'OK', made.text);
        } finally {
          await raw.close();
        }
        await seedImapMessages(S(), u, pw(u), ['Archive'], [{ raw: makeMessage({ subject: 'archived' }) }]);
        await seedImapMessages(
          S(),
          u,
          pw(u),
          ['Archiv', '2019'],
          [{ raw: makeMessage({ subject: 'user folder' }) }],
        );
        const { outcomes, reports } = await migrate(tempDataDir(), project(S(), D(), u));
        assert.equal(outcomes[0]!.status, 'done');
        const dst = await contents(D(), u);
        assert.equal(dst.get('Archiv/2019')?.length, 1, JSON.stringify([...dst.keys()]));
        assert.equal(dst.get('Archive')?.length, 1);
        assert.equal(reports[0]!.folders.find((f) => f.source === 'Archiv/2019')?.renamed, null);
      });
  });
}
