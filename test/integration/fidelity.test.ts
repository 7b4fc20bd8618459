/**
 * Exactness against real Dovecot servers: the server's special-use flags decide, names are kept where the
 * destination takes them, nothing is ever expunged at the destination, NUL bytes arrive as NUL bytes, and
 * what the destination refuses or rewrites (a 0-byte message, a date in the future) is named in the report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { migrate, oneOff, tempDataDir } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users, specialUse: { Archive: '\\Archive' } }),
    startDovecot({ layout: 'fs', users }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** Put a raw message file into a folder's Maildir behind the server's back (bytes IMAP cannot APPEND). */
function dropFile(
  server: DovecotServer,
  user: string,
  folder: string | null,
  name: string,
  raw: Buffer,
  mtime?: Date,
) {
  const dir = path.join(server.mailDir(user), ...(folder ? [folder] : []), 'new');
  const file = path.join(dir, name);
  fs.writeFileSync(file, raw);
  const { uid, gid } = fs.statSync(server.mailDir(user));
  fs.chownSync(file, uid, gid);
  if (mtime) fs.utimesSync(file, mtime, mtime);
}

/** The stored bytes of every message in a folder of a destination Maildir (fs layout), sorted; Dovecot stores LF line ends. */
function storedFiles(server: DovecotServer, user: string, folder: string | null): Buffer[] {
  const base = path.join(server.mailDir(user), ...(folder ? [folder] : []));
  return ['cur', 'new']
    .flatMap((d) =>
      fs.existsSync(path.join(base, d))
        ? fs.readdirSync(path.join(base, d)).map((f) => path.join(base, d, f))
        : [],
    )
    .map((f) => fs.readFileSync(f))
    .sort((a, b) => Buffer.compare(a, b));
}

async function countIn(
  server: DovecotServer,
  user: string,
  folder: string,
): Promise<{ all: number; deleted: number }> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: server.imapPort,
    secure: false,
    auth: { user, pass: pw(user) },
    logger: false,
  });
  await c.connect();
  try {
    const mb = await c.mailboxOpen(folder, { readOnly: true });
    if (mb.exists === 0) return { all: 0, deleted: 0 };
    let deleted = 0;
    for await (const m of c.fetch('1:*', { flags: true })) if (m.flags?.has('\\Deleted')) deleted++;
    return { all: mb.exists, deleted };
  } finally {
    await c.logout();
  }
}

describe('exactness, Dovecot → Dovecot', () => {
  test("the source's special-use flags decide: 'Archiv' beside a flagged 'Archive' keeps its name and its children", async () => {
    await seedMessages(src, 'u1', pw('u1'), 'Archive', [
      { raw: makeMessage({ subject: 'archived 1' }) },
      { raw: makeMessage({ subject: 'archived 2' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Archiv', [
      { raw: makeMessage({ subject: 'German user folder' }) },
    ]);
    await seedMessages(src, 'u1', pw('u1'), 'Archiv/2019', [
      { raw: makeMessage({ subject: 'German child' }) },
    ]);
    const { outcomes, reports } = await migrate(
      tempDataDir(),
      oneOff(src, 'u1', pw('u1'), dst, 'u1', pw('u1')),
    );
    assert.equal(outcomes[0]!.status, 'done');
    const byPath = new Map((await listAll(dst, 'u1', pw('u1'))).map((f) => [f.path, f.messages.length]));
    assert.equal(byPath.get('Archive'), 2);
    assert.equal(byPath.get('Archiv'), 1);
    assert.equal(byPath.get('Archiv/2019'), 1);
    const archiv = reports[0]!.folders.find((f) => f.source === 'Archiv')!;
    assert.equal(archiv.destination, 'Archiv');
    assert.equal(archiv.renamed, null);
  });

  test('names are kept where the destination takes them; a refused name is renamed and reported', async () => {
    await seedMessages(src, 'u2', pw('u2'), ' Leading Space', [{ raw: makeMessage({ subject: 'lead' }) }]);
    await seedMessages(src, 'u2', pw('u2'), 'Trailing Space ', [{ raw: makeMessage({ subject: 'trail' }) }]);
    await seedMessages(src, 'u2', pw('u2'), 'a|b%c', [{ raw: makeMessage({ subject: 'symbols' }) }]);
    // Dovecot's fs layout refuses Maildir's own directory names; the Maildir++ source has one.
    await seedMessages(src, 'u2', pw('u2'), 'new', [{ raw: makeMessage({ subject: 'reserved' }) }]);
    const data = tempDataDir();
    const { outcomes, reports } = await migrate(data, oneOff(src, 'u2', pw('u2'), dst, 'u2', pw('u2')));
    assert.equal(outcomes[0]!.status, 'done', JSON.stringify(reports[0]));
    const names = (await listAll(dst, 'u2', pw('u2'))).map((f) => f.path);
    for (const n of [' Leading Space', 'Trailing Space ', 'a|b%c'])
      assert.ok(names.includes(n), `${JSON.stringify(n)} in ${JSON.stringify(names)}`);
    const reserved = reports[0]!.folders.find((f) => f.source === 'new')!;
    assert.equal(reserved.destination, 'new_');
    assert.match(
      reserved.renamed ?? '',
      /"new" was refused by the destination \(NO .*reserved name.*\); created as "new_"/,
    );
    for (const f of reports[0]!.folders.filter((x) => x.source !== 'new'))
      assert.equal(f.renamed, null, f.source);
    // A second pass finds the renamed folder again; nothing is created or copied twice.
    const again = await migrate(data, oneOff(src, 'u2', pw('u2'), dst, 'u2', pw('u2')));
    assert.equal(again.outcomes[0]!.status, 'done');
    assert.equal((await listAll(dst, 'u2', pw('u2'))).find((f) => f.path === 'new_')?.messages.length, 1);
  });

  test("never expunges: \\Deleted messages from the source and the user's own stay at the destination over three passes", async () => {
    await seedMessages(src, 'u3', pw('u3'), 'INBOX', [
      { raw: makeMessage({ subject: 'kept' }), flags: ['\\Seen'] },
      { raw: makeMessage({ subject: 'deleted at source 1' }), flags: ['\\Deleted'] },
      { raw: makeMessage({ subject: 'deleted at source 2' }), flags: ['\\Deleted', '\\Seen'] },
    ]);
    await seedMessages(src, 'u3', pw('u3'), 'Work', [
      { raw: makeMessage({ subject: 'work, deleted' }), flags: ['\\Deleted'] },
    ]);
    // Already at the destination, marked deleted by its user (not expunged yet).
    await seedMessages(dst, 'u3', pw('u3'), 'INBOX', [
      { raw: makeMessage({ subject: "user's own" }), flags: ['\\Deleted'] },
    ]);
    const data = tempDataDir();
    const project = oneOff(src, 'u3', pw('u3'), dst, 'u3', pw('u3'));
    for (let pass = 1; pass <= 3; pass++) {
      if (pass === 2)
        await seedMessages(src, 'u3', pw('u3'), 'INBOX', [
          { raw: makeMessage({ subject: 'new, deleted' }), flags: ['\\Deleted'] },
        ]);
      const { outcomes } = await migrate(data, project);
      assert.equal(outcomes[0]!.status, 'done');
      const inbox = await countIn(dst, 'u3', 'INBOX');
      const expected = pass === 1 ? 4 : 5;
      assert.deepEqual(inbox, { all: expected, deleted: expected - 1 }, `pass ${pass}`);
      assert.deepEqual(await countIn(dst, 'u3', 'Work'), { all: 1, deleted: 1 }, `pass ${pass}`);
    }
  });

  test('NUL bytes arrive as NUL bytes; 8-bit text and every other byte stay identical; a re-encoding is said', async () => {
    const multipart = Buffer.from(
      'From: a@example.test\r\nSubject: nul\x00in header \xc4\x80\r\nMessage-ID: <nul-multi@x>\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: multipart/mixed; boundary="BB"\r\n\r\npre\r\n--BB\r\nContent-Type: text/plain; charset=x\r\n' +
        'Content-Transfer-Encoding: 8bit\r\n\r\nhello\x00world \x80 \xc4\x80\r\n--BB\r\nContent-Type: application/octet-stream\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--BB--\r\n',
      'latin1',
    );
    const single = Buffer.from(
      'From: a@example.test\r\nSubject: single\r\nMessage-ID: <nul-single@x>\r\nContent-Transfer-Encoding: binary\r\n\r\nraw\x00bytes\x00\x80\r\n',
      'latin1',
    );
    const russian = Buffer.concat([
      Buffer.from(
        'From: a@example.test\r\nSubject: 8bit\r\nMessage-ID: <ru@x>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      Buffer.from('Привет, мир: р р р\r\n'),
    ]);
    await seedMessages(src, 'u4', pw('u4'), 'INBOX', [{ raw: makeMessage({ subject: 'plain' }) }]);
    dropFile(src, 'u4', null, '200.multi', multipart);
    dropFile(src, 'u4', null, '201.single', single);
    dropFile(src, 'u4', null, '202.ru', russian);
    const { outcomes, reports } = await migrate(
      tempDataDir(),
      oneOff(src, 'u4', pw('u4'), dst, 'u4', pw('u4')),
    );
    assert.equal(outcomes[0]!.status, 'done', JSON.stringify(reports[0]?.problems));
    const stored = storedFiles(dst, 'u4', null);
    // Dovecot's Maildir keeps lines with LF (it serves CRLF again): compare with the source's lines so.
    const lf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    for (const m of [multipart, russian])
      assert.ok(
        stored.some((s) => s.equals(lf(m))),
        `stored byte-identical: ${m.subarray(0, 60).toString('latin1')}`,
      );
    // A binary part with NUL bytes Dovecot stores re-encoded as base64: the same content, other bytes — said.
    assert.equal(reports[0]!.totals.altered, 1, JSON.stringify(reports[0]!.problems));
    assert.match(
      reports[0]!.problems[0]?.reason ?? '',
      new RegExp(`re-encoded \\(${single.length} → \\d+ bytes`),
    );
  });

  test('what the destination refuses or rewrites is named: a 0-byte message, a date in the future', async () => {
    await seedMessages(src, 'u5', pw('u5'), 'INBOX', [{ raw: makeMessage({ subject: 'ordinary' }) }]);
    dropFile(src, 'u5', null, '300.empty', Buffer.alloc(0));
    const future = new Date('2031-05-05T10:00:00Z');
    dropFile(
      src,
      'u5',
      null,
      '301.future',
      makeMessage({ messageId: 'future@x', subject: 'from the future' }),
      future,
    );
    const { outcomes, reports } = await migrate(
      tempDataDir(),
      oneOff(src, 'u5', pw('u5'), dst, 'u5', pw('u5')),
      { verify: true },
    );
    assert.equal(outcomes[0]!.status, 'done');
    const r = reports[0]!;
    assert.equal(r.totals.copied, 2);
    assert.equal(r.totals.failed, 1);
    assert.equal(r.totals.altered, 1);
    const failed = r.problems.find((p) => p.status === 'failed')!;
    assert.match(failed.reason ?? '', /zero byte message/);
    const altered = r.problems.find((p) => p.status === 'altered')!;
    assert.match(
      altered.reason ?? '',
      /internal date to .* instead of 2031-05-05T10:00:00\.000Z, which is in the future/,
    );
    // Every item accounted for, and the read-back agrees (the date is said on the altered message).
    assert.equal(r.reconcile, 'reconciles');
  });
});
