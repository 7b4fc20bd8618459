/**
 * The mbox connector's pure parts against files written here: separators, mboxrd/mboxo quoting, CRLF/LF,
 * a last message without a newline, empty and non-mbox files, status flags (Thunderbird's deleted bit
 * skipped with a reason), keys that survive an append, and the Thunderbird and Apple Mail trees.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { MailSource, MessageMeta } from '../../src/connectors/contract.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { MboxConnector } from '../../src/connectors/mbox/mbox-connector.js';
import { envelopeDate, isEnvelope } from '../../src/connectors/mbox/mbox-format.js';
import { CutoverError } from '../../src/errors.js';
import { makeMessage } from '../harness/messages.js';
import { mboxFile } from '../harness/mbox.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-mbox-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** Write `data` to a fresh file (or a path under `dir`) and return its path. */
function put(data: Buffer | string, name = `f${n++}.mbox`): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
}

async function open(p: string, folder?: string): Promise<MailSource> {
  const { server, auth } = parseServerUrl(`mbox://${encodeURI(p)}${folder ? `?folder=${folder}` : ''}`);
  return new MboxConnector().openSource(server, auth);
}

async function drain(body: Readable | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Every message of a folder in file order: metadata and the bytes the source streams. */
async function read(
  src: MailSource,
  folder = ['INBOX'],
): Promise<Array<{ meta: MessageMeta; body: Buffer }>> {
  const reader = await src.openFolder(folder);
  const uids = await reader.listUids();
  const metas = new Map<number, MessageMeta>();
  for await (const page of reader.listMessages({ uids })) for (const m of page) metas.set(m.uid, m);
  const out: Array<{ meta: MessageMeta; body: Buffer }> = [];
  for await (const b of reader.streamBodies(uids)) {
    assert.equal(b.unreadable, undefined);
    if (b.unreadable !== undefined) continue;
    const body = await drain(b.body);
    assert.equal(body.length, b.size, 'streams exactly the announced size');
    assert.equal(metas.get(b.uid)!.size, b.size, 'the listed size is the streamed size');
    out.push({ meta: metas.get(b.uid)!, body });
  }
  await reader.close();
  // File order, for the assertions: by Date header (each test message has its own).
  return out.sort((a, b) => Date.parse(a.meta.dateHeader ?? '') - Date.parse(b.meta.dateHeader ?? ''));
}

const day = (d: number) => new Date(Date.UTC(2019, 4, d, 8, 30, 0));
const msg = (d: number, body?: string, extra: Parameters<typeof makeMessage>[0] = {}) =>
  makeMessage({ date: day(d), subject: `m${d}`, messageId: `<m${d}@mbox.test>`, body, ...extra });

describe('mbox format', () => {
  test('envelope lines: a sender and a date with time and year; body lines are not', () => {
    assert.ok(isEnvelope(Buffer.from('From MAILER-DAEMON Fri Jul  8 12:08:34 2011')));
    assert.ok(isEnvelope(Buffer.from('From - Mon Dec 07 15:53:33 2026')));
    assert.ok(isEnvelope(Buffer.from('From alice@example.com Sat, 3 Jan 2015 10:00:00 +0100')));
    assert.ok(!isEnvelope(Buffer.from('From here on, we meet at 10:30 on Mondays')));
    assert.ok(!isEnvelope(Buffer.from('From: alice@example.com')));
    assert.equal(envelopeDate('From x Fri Jul  8 12:08:34 2011')?.toISOString(), '2011-07-08T12:08:34.000Z');
    assert.equal(
      envelopeDate('From x Fri Jul  8 12:08:34 2011 +0200')?.toISOString(),
      '2011-07-08T10:08:34.000Z',
    );
    assert.equal(envelopeDate('From x Thu Jan  1 00:00:00 1970'), undefined, 'the epoch is a placeholder');
  });

  test('mboxrd: From lines in bodies are quoted on export and come back byte-exact', async () => {
    const body =
      'From here on, the plan.\n>From a quote\n>>From deeper\n\nFrom bob@x Mon Jan  1 00:00:00 2001\nend';
    const raws = [msg(1, body), msg(2), msg(3, 'From the desk of Bob')];
    const src = await open(put(mboxFile(raws.map((raw) => ({ raw })))));
    const got = await read(src);
    assert.equal(got.length, 3);
    for (const [i, g] of got.entries()) assert.ok(g.body.equals(raws[i]!), `message ${i} byte-exact`);
  });

  test('mboxo from a broken exporter: unquoted body lines stay in their message unless one is a whole envelope line', async () => {
    const raws = [msg(1, 'From here on, the plan.\nFrom the desk of Bob, 10:30 2019\nbye'), msg(2)];
    const src = await open(put(mboxFile(raws.map((raw) => ({ raw, quoting: 'none' as const })))));
    const got = await read(src);
    assert.equal(got.length, 2, 'a body line "From …" is not a separator');
    assert.ok(got[0]!.body.equals(raws[0]!));
    // A body line that is itself an envelope line (sender, weekday date, time, year) cannot be told apart.
    const split = msg(3, 'before\n\nFrom bob@example.com Mon Jan  1 10:00:00 2001\nafter');
    const src2 = await open(put(mboxFile([{ raw: split, quoting: 'none' }])));
    const reader = await src2.openFolder(['INBOX']);
    assert.equal((await reader.listUids()).length, 2, 'documented: such a line splits the message');
    // mboxo quoting read as mboxrd: ">From" that was in the body before export loses its ">" (documented).
    const o = msg(4, 'From x\n>From y');
    const [back] = await read(await open(put(mboxFile([{ raw: o, quoting: 'mboxo' }]))));
    assert.equal(back!.body.toString(), o.toString().replace('>From y', 'From y'));
  });

  test('LF and CRLF files give the same CRLF bytes', async () => {
    const raws = [msg(1, 'a\nb\n\nc'), msg(2)];
    const lf = await read(
      await open(
        put(
          mboxFile(
            raws.map((raw) => ({ raw })),
            '\n',
          ),
        ),
      ),
    );
    const crlf = await read(
      await open(
        put(
          mboxFile(
            raws.map((raw) => ({ raw })),
            '\r\n',
          ),
        ),
      ),
    );
    for (const [i, raw] of raws.entries()) {
      assert.ok(lf[i]!.body.equals(raw), `LF message ${i}`);
      assert.ok(crlf[i]!.body.equals(raw), `CRLF message ${i}`);
    }
  });

  test('a last message without a trailing newline keeps none; a blank line inside a body stays', async () => {
    const first = msg(1, 'one\n\n');
    const last = msg(2, 'no newline at the end').subarray(0, -2);
    const file = Buffer.concat([mboxFile([{ raw: first }]), mboxFile([{ raw: last }]).subarray(0, -1)]);
    assert.ok(!file.toString().endsWith('\n'));
    const got = await read(await open(put(file)));
    assert.ok(got[0]!.body.equals(first), 'trailing blank line of the body kept, separator dropped');
    assert.ok(got[1]!.body.equals(last), 'no CRLF added at the end');
  });

  test('an empty file is an empty folder; a file that is not mbox is refused with what to do', async () => {
    const src = await open(put(''));
    assert.deepEqual(await src.folderState(['INBOX']).then((s) => s.messages), 0);
    await assert.rejects(open(put('Subject: hi\r\n\r\nbody')), (e: unknown) => {
      assert.ok(e instanceof CutoverError);
      assert.match(e.message, /is not an mbox file/);
      assert.match(e.hint ?? '', /mbox/);
      return true;
    });
    await assert.rejects(open(path.join(dir, 'missing.mbox')), /does not exist/);
    await assert.rejects(open(fs.mkdtempSync(path.join(dir, 'empty-'))), /holds no mbox file/);
    assert.throws(() => parseServerUrl('mbox://host/x.mbox'), /names a host/);
    assert.throws(() => parseServerUrl('mbox:///x.mbox?foo=1'), /Unknown parameter 'foo'/);
  });

  test('status headers become flags, are not copied, and a message Thunderbird deleted is skipped with a reason', async () => {
    const raws = [msg(1), msg(2), msg(3), msg(4), msg(5)];
    const src = await open(
      put(
        mboxFile([
          {
            raw: raws[0]!,
            status: ['X-Mozilla-Status: 0001', 'X-Mozilla-Status2: 00000000', 'X-Mozilla-Keys: $label1'],
          },
          { raw: raws[1]!, status: ['X-Mozilla-Status: 0009'] },
          { raw: raws[2]!, status: ['Status: RO', 'X-Status: AF'] },
          { raw: raws[3]!, status: ['X-Mozilla-Status: 1006'] },
          { raw: raws[4]!, status: ['Status: O', 'X-Status: D'] },
        ]),
      ),
    );
    const got = await read(src);
    for (const [i, g] of got.entries())
      assert.ok(g.body.equals(raws[i]!), `message ${i}: status headers not copied`);
    assert.deepEqual(got[0]!.meta.flags.sort(), ['$label1', '\\Seen']);
    assert.equal(got[0]!.meta.skip, undefined);
    assert.match(got[1]!.meta.skip ?? '', /deleted in Thunderbird.*0x0008.*not copied/);
    assert.deepEqual(got[2]!.meta.flags.sort(), ['\\Answered', '\\Flagged', '\\Seen']);
    assert.deepEqual(got[3]!.meta.flags.sort(), ['$Forwarded', '\\Answered', '\\Flagged']);
    assert.match(got[4]!.meta.skip ?? '', /marked deleted/);
  });

  test('dates: the envelope date is the internal date; the Date header stands in when there is none', async () => {
    const raws = [msg(1), msg(2)];
    const file = mboxFile([
      { raw: raws[0]!, date: new Date(Date.UTC(2019, 4, 1, 9, 0, 0)) },
      { raw: raws[1]!, date: new Date(0) },
    ]);
    const got = await read(await open(put(file)));
    assert.equal(got[0]!.meta.internalDate.toISOString(), '2019-05-01T09:00:00.000Z');
    assert.equal(got[1]!.meta.internalDate.toISOString(), day(2).toISOString());
  });

  test('keys and generation survive an append; a file rewritten into a new one is a new generation', async () => {
    const file = put(mboxFile([{ raw: msg(1) }, { raw: msg(2) }]));
    const before = await (await open(file)).openFolder(['INBOX']);
    fs.appendFileSync(file, mboxFile([{ raw: msg(3) }]));
    const later = await (await open(file)).openFolder(['INBOX']);
    const [a, b] = [await before.listUids(), await later.listUids()];
    assert.equal(b.length, 3);
    for (const u of a) assert.ok(b.includes(u), 'an earlier message keeps its key');
    assert.equal(later.state.uidValidity, before.state.uidValidity);
    const copy = `${file}.new`;
    fs.copyFileSync(file, copy);
    fs.renameSync(copy, file);
    const rewritten = await (await open(file)).openFolder(['INBOX']);
    assert.notEqual(rewritten.state.uidValidity, before.state.uidValidity);
  });

  test('a file goes into INBOX, or into the folder the URL names', async () => {
    const file = put(mboxFile([{ raw: msg(1) }]));
    assert.deepEqual(
      (await (await open(file)).listFolders()).map((f) => f.path.join('/')),
      ['INBOX'],
    );
    const folders = await (await open(file, 'Archive/2019')).listFolders();
    assert.deepEqual(
      folders.map((f) => [f.path.join('/'), f.selectable]),
      [
        ['Archive', false],
        ['Archive/2019', true],
      ],
    );
  });

  test('a Thunderbird profile: files without extension, .msf ignored, Name.sbd for children', async () => {
    const root = path.join(dir, 'tb', 'Local Folders');
    put(mboxFile([{ raw: msg(1) }]), 'tb/Local Folders/Inbox');
    put('', 'tb/Local Folders/Inbox.msf');
    put('', 'tb/Local Folders/Trash');
    put('junk', 'tb/Local Folders/msgFilterRules.dat');
    put('<html>', 'tb/Local Folders/filterlog');
    put(mboxFile([{ raw: msg(2) }]), 'tb/Local Folders/Archives.sbd/2019');
    put('', 'tb/Local Folders/Archives.sbd/2019.msf');
    put(mboxFile([{ raw: msg(3) }]), 'tb/Local Folders/Archives.sbd/2019.sbd/May');
    const src = await open(root);
    const listed = (await src.listFolders()).map((f) => [f.path.join('/'), f.selectable, f.specialUse]);
    assert.deepEqual(listed, [
      ['Archives', false, undefined],
      ['Archives/2019', true, undefined],
      ['Archives/2019/May', true, undefined],
      ['Inbox', true, 'inbox'],
      ['Trash', true, 'trash'],
    ]);
    assert.equal((await read(src, ['Archives', '2019', 'May']))[0]!.meta.messageId, 'm3@mbox.test');
  });

  test('an Apple Mail export: Name.mbox/mbox bundles, nested, and a plain directory of .mbox files', async () => {
    put(mboxFile([{ raw: msg(1) }]), 'apple/Inbox.mbox/mbox');
    put('<plist/>', 'apple/Inbox.mbox/Info.plist');
    put(Buffer.from([0, 1, 2, 3, 4, 5]), 'apple/Inbox.mbox/table_of_contents');
    put(mboxFile([{ raw: msg(2) }]), 'apple/Work.mbox/mbox');
    put(mboxFile([{ raw: msg(3) }]), 'apple/Work.mbox/Projects.mbox/mbox');
    put(mboxFile([{ raw: msg(4) }]), 'apple/Old/2018.mbox');
    const src = await open(path.join(dir, 'apple'), 'Imported');
    const listed = (await src.listFolders()).map((f) => [f.path.join('/'), f.selectable]);
    assert.deepEqual(listed, [
      ['Imported', false],
      ['Imported/Inbox', true],
      ['Imported/Old', false],
      ['Imported/Old/2018', true],
      ['Imported/Work', true],
      ['Imported/Work/Projects', true],
    ]);
    assert.equal((await read(src, ['Imported', 'Work', 'Projects']))[0]!.meta.messageId, 'm3@mbox.test');
  });
});
