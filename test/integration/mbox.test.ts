/**
 * mbox → IMAP against a real Dovecot through the engine: one file into a named folder (mboxrd `From `
 * lines, status flags, envelope dates, a message Thunderbird deleted skipped with its reason, a large
 * message), byte-exact bodies after CRLF normalisation, reruns that add nothing, an append that adds only
 * the new message, a compacted (rewritten) file re-matched by fingerprint, and Thunderbird and Apple Mail
 * trees into their folder hierarchy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectConfig } from '../../src/config/types.js';
import { resolveTarget } from '../../src/cli/context.js';
import { listAll, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { mboxFile, type MboxMessage } from '../harness/mbox.js';
import { cli, migrate, tempDataDir, url } from './helpers.js';

let dst: DovecotServer;
const users = ['m1', 'm2', 'm3'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-mbox-it-'));

before(async () => {
  dst = await startDovecot({ layout: 'fs', users });
});
after(async () => {
  await dst?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let clock = Date.UTC(2019, 0, 1, 8, 0, 0);
/** A message with its own envelope date (a whole second) and status headers. */
function item(opts: Parameters<typeof makeMessage>[0] = {}, status: string[] = []): MboxMessage {
  const date = new Date((clock += 3_600_000));
  return { raw: makeMessage({ date: new Date(date.getTime() - 60_000), ...opts }), date, status };
}
const project = (from: string, user: string): ProjectConfig =>
  resolveTarget({ from, to: url(dst, user, pw(user)) }).project;
const mboxUrl = (p: string, folder?: string) =>
  `mbox://${encodeURI(p)}${folder ? `?folder=${encodeURIComponent(folder)}` : ''}`;

/** Destination folder → "sha256|flags|internal date" of each message, sorted. */
async function destination(user: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const f of await listAll(dst, user, pw(user)))
    if (f.messages.length)
      out[f.path] = f.messages
        .map((m) => `${m.sha256}|${m.flags.join(' ')}|${m.internalDate.toISOString()}`)
        .sort();
  return out;
}
const expected = (m: MboxMessage, flags: string[] = []) =>
  `${sha(m.raw)}|${[...flags].sort().join(' ')}|${m.date!.toISOString()}`;

describe('mbox → IMAP', () => {
  const data = tempDataDir();
  const file = path.join(dir, 'export one.mbox');
  const fromLines =
    'From here on, the plan.\n>From a quote\n>>From deeper\n\nFrom bob@x Mon Jan  1 00:00:00 2001\nend';
  const live = [
    item({ subject: 'from lines', body: fromLines }, ['Status: RO']),
    item({ subject: 'answered and flagged' }, ['Status: RO', 'X-Status: AF']),
    item({ subject: 'thunderbird read', messageId: null }, [
      'X-Mozilla-Status: 0001',
      'X-Mozilla-Status2: 00000000',
    ]),
    item({ subject: 'new' }),
    item({ subject: '12 MB', sizeBytes: 12 * 1024 * 1024 }),
  ];
  const flags = [['\\Seen'], ['\\Seen', '\\Answered', '\\Flagged'], ['\\Seen'], [], []];
  const deleted = item({ subject: 'deleted in thunderbird' }, ['X-Mozilla-Status: 0009']);

  test('a file into a named folder: byte-exact, flags, envelope dates; a deleted message skipped with its reason', async () => {
    fs.writeFileSync(file, mboxFile([...live.slice(0, 2), deleted, ...live.slice(2)]));
    const { outcomes, reports } = await migrate(data, project(mboxUrl(file, 'Archive/2019'), 'm1'), {
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    const r = reports[0]!;
    assert.equal(r.totals.copied, 5);
    assert.equal(r.totals.skipped, 1);
    assert.ok(r.reconciles, r.discrepancy);
    const skip = r.problems.find((p) => p.status === 'skipped');
    assert.match(skip?.reason ?? '', /deleted in Thunderbird.*0x0008/);
    assert.deepEqual(await destination('m1'), {
      'Archive/2019': live.map((m, i) => expected(m, flags[i])).sort(),
    });
  });

  test('a rerun adds nothing; an appended message is the only one copied', async () => {
    const again = await migrate(data, project(mboxUrl(file, 'Archive/2019'), 'm1'));
    assert.equal(again.outcomes[0]!.status, 'done', again.outcomes[0]!.error);
    assert.equal(again.outcomes[0]!.counters!.copied, 0);
    const late = item({ subject: 'arrived later' });
    fs.appendFileSync(file, mboxFile([late]));
    const third = await migrate(data, project(mboxUrl(file, 'Archive/2019'), 'm1'));
    assert.equal(third.outcomes[0]!.counters!.copied, 1);
    live.push(late);
    flags.push([]);
    assert.deepEqual(await destination('m1'), {
      'Archive/2019': live.map((m, i) => expected(m, flags[i])).sort(),
    });
  });

  test('a compacted file (rewritten as a new file, CRLF, the deleted message gone) copies nothing twice', async () => {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, mboxFile(live, '\r\n'));
    fs.renameSync(tmp, file);
    const { outcomes, reports } = await migrate(data, project(mboxUrl(file, 'Archive/2019'), 'm1'), {
      verify: true,
    });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, 0);
    assert.equal(outcomes[0]!.counters!.present, live.length, 'each found at the destination by fingerprint');
    assert.ok(reports[0]!.reconciles, reports[0]!.discrepancy);
    assert.equal((await destination('m1'))['Archive/2019']!.length, live.length);
  });

  test('a Thunderbird tree and an Apple Mail export keep their hierarchy', async () => {
    const tb = path.join(dir, 'profile', 'Mail', 'Local Folders');
    const inbox = item({ subject: 'tb inbox' }, ['X-Mozilla-Status: 0001']);
    const y2019 = item({ subject: 'tb 2019' }, ['X-Mozilla-Status: 0004']);
    const trash = item({ subject: 'tb trash' });
    fs.mkdirSync(path.join(tb, 'Archives.sbd'), { recursive: true });
    fs.writeFileSync(path.join(tb, 'Inbox'), mboxFile([inbox]));
    fs.writeFileSync(path.join(tb, 'Inbox.msf'), '// mork index');
    fs.writeFileSync(path.join(tb, 'Archives.sbd', '2019'), mboxFile([y2019]));
    fs.writeFileSync(path.join(tb, 'Trash'), mboxFile([trash]));
    const { outcomes, reports } = await migrate(data, project(mboxUrl(tb), 'm2'), { verify: true });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.ok(reports[0]!.reconciles, reports[0]!.discrepancy);
    assert.deepEqual(await destination('m2'), {
      INBOX: [expected(inbox, ['\\Seen'])],
      'Archives/2019': [expected(y2019, ['\\Flagged'])],
      Trash: [expected(trash)],
    });

    const apple = path.join(dir, 'Apple Export');
    const work = item({ subject: 'apple work' });
    const projects = item({ subject: 'apple projects' });
    fs.mkdirSync(path.join(apple, 'Work.mbox', 'Projects.mbox'), { recursive: true });
    fs.writeFileSync(path.join(apple, 'Work.mbox', 'mbox'), mboxFile([work]));
    fs.writeFileSync(path.join(apple, 'Work.mbox', 'Info.plist'), '<plist/>');
    fs.writeFileSync(path.join(apple, 'Work.mbox', 'Projects.mbox', 'mbox'), mboxFile([projects]));
    const second = await migrate(data, project(mboxUrl(apple, 'From Mac'), 'm3'), { verify: true });
    assert.equal(second.outcomes[0]!.status, 'done', second.outcomes[0]!.error);
    assert.deepEqual(await destination('m3'), {
      'From Mac/Work': [expected(work)],
      'From Mac/Work/Projects': [expected(projects)],
    });
  });

  test('the one-off CLI form (built bundle): an import, and clear errors for a missing file, a non-mbox file, mbox as a destination', async () => {
    const data = tempDataDir();
    const one = path.join(dir, 'cli.mbox');
    const m = item({ subject: 'through the CLI' }, ['Status: RO']);
    fs.writeFileSync(one, mboxFile([m]));
    const to = url(dst, 'm3', pw('m3'));
    const ok = await cli([
      'migrate',
      '--from',
      mboxUrl(one, 'CLI'),
      '--to',
      to,
      '--data-dir',
      data,
      '--no-progress',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual((await destination('m3')).CLI, [expected(m, ['\\Seen'])]);
    const missing = await cli([
      'migrate',
      '--from',
      mboxUrl(path.join(dir, 'nope.mbox')),
      '--to',
      to,
      '--data-dir',
      data,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout + missing.stderr, /nope\.mbox does not exist[\s\S]*absolute path/);
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'Subject: not an mbox\n\nhello\n');
    const wrong = await cli(['migrate', '--from', mboxUrl(text), '--to', to, '--data-dir', data]);
    assert.match(wrong.stdout + wrong.stderr, /is not an mbox file/);
    const back = await cli(['migrate', '--from', to, '--to', mboxUrl(one), '--data-dir', data]);
    assert.equal(back.code, 2);
    assert.match(back.stderr, /mbox can only be a source/);
  });
});
