/**
 * Contacts, calendars and tasks end to end through the CLI users run, between the real CalDAV/CardDAV
 * servers from Debian (Radicale as the source, Xandikos as the destination, started by the harness): the
 * hard fixtures of test/fixtures/groupware/ (a recurring series with overrides, all-day, floating, Windows
 * zone names, tasks with a subtask, vCards 2.1/3.0/4.0 and groups) arrive semantically unchanged with the
 * same UIDs; a rerun writes nothing; an item changed at the source replaces its copy (no second copy), one
 * deleted at the source is reported and kept; `cutover verify` reads everything back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GroupwareEndpoint, GroupwareItem } from '../../src/connectors/groupware-contract.js';
import { calendarUid } from '../../src/formats/icalendar.js';
import { compareCalendars, compareVcards } from '../../src/formats/semantic-compare.js';
import { vcardUid } from '../../src/formats/vcard.js';
import { ianaTimeZones } from '../../src/formats/windows-zones.js';
import { seeder, type DavTestServer } from '../harness/dav-server.js';
import { seedMessages, startDovecot } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { startRadicale } from '../harness/radicale.js';
import { startXandikos } from '../harness/xandikos.js';
import { ALICE, davUrl, openDav } from '../connectors/dav-fixtures.js';
import { spawn } from 'node:child_process';
import { CLI, cli, tempDataDir } from './helpers.js';

const FIX = path.resolve('test/fixtures/groupware');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

let rad: DavTestServer;
let xan: DavTestServer;
before(async () => {
  [rad, xan] = await Promise.all([startRadicale({ users: [ALICE] }), startXandikos()]);
});
after(async () => {
  await Promise.all([rad?.stop(), xan?.stop()]);
});

/** Every item of every collection of an endpoint, by UID. */
async function byUid(e: GroupwareEndpoint): Promise<Map<string, GroupwareItem & { collection: string }>> {
  const out = new Map<string, GroupwareItem & { collection: string }>();
  for (const c of await e.listCollections()) {
    const ch = await e.changes(c.id, undefined);
    for await (const it of e.readItems(
      c.id,
      ch.changed.map((r) => r.key),
    )) {
      const uid = it.contentType === 'text/vcard' ? vcardUid(it.data) : calendarUid(it.data);
      out.set(uid ?? it.key, { ...it, collection: c.displayName });
    }
  }
  return out;
}

async function withDav<T>(s: DavTestServer, f: (e: GroupwareEndpoint) => Promise<T>): Promise<T> {
  const e = await openDav(s);
  try {
    return await f(e);
  } finally {
    await e.close();
  }
}

test('Radicale → Xandikos: every item semantically unchanged, reruns write nothing, changes replace, deletions are reported, verify reads back', async () => {
  const r = seeder(rad, ALICE.user);
  await r.calendar('/alice/home/', 'Home', ['VEVENT']);
  await r.calendar('/alice/jobs/', 'Jobs', ['VTODO']);
  await r.addressbook('/alice/people/', 'People');
  const events = ['recurring-series.ics', 'all-day.ics', 'floating.ics', 'exchange-windows-zones.ics'];
  const tasks = ['task-parent.ics', 'task-subtask.ics'];
  const cards = ['contact-3.0.vcf', 'contact-4.0.vcf', 'group-4.0.vcf'];
  for (const f of events) await r.put(`/alice/home/${f}`, fixture(f));
  for (const f of tasks) await r.put(`/alice/jobs/${f}`, fixture(f));
  for (const f of cards) await r.put(`/alice/people/${f}`, fixture(f));
  const source = await withDav(rad, byUid);
  assert.equal(source.size, events.length + tasks.length + cards.length);

  const dataDir = tempDataDir();
  const args = [
    'migrate',
    '--from',
    davUrl(rad, '/'),
    '--to',
    davUrl(xan, '/'),
    '--data-dir',
    dataDir,
    '--no-progress',
  ];
  const first = await cli(args);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /calendars: copied \d+/);

  const dest = await withDav(xan, byUid);
  for (const [uid, s] of source) {
    const d = dest.get(uid);
    assert.ok(d, `${uid} arrived with its UID`);
    // The Exchange fixture's Windows zone names become IANA names (no instant moves): compared with that.
    const diff =
      s.contentType === 'text/vcard'
        ? compareVcards(s.data, d.data)
        : compareCalendars(ianaTimeZones(s.data).text, d.data);
    assert.deepEqual(diff, [], `${uid} semantically unchanged`);
  }

  const again = await cli(args);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const report = async () =>
    (
      JSON.parse((await cli(['report', '--data-dir', dataDir, '--format', 'json'])).stdout) as {
        mailboxes: Array<{
          itemsByType: Record<string, { copied: number; present: number; skipped: number; failed: number }>;
          items: Array<{ kind: string; name: string; status: string; reason: string | null }>;
        }>;
      }
    ).mailboxes[0]!;
  const afterRerun = await report();
  // The items stay as the first pass copied them; their collections are found already there.
  const kinds = (t: string) => afterRerun.itemsByType[t]!;
  assert.deepEqual(kinds('calendars'), { copied: events.length, present: 1, skipped: 0, failed: 0 });
  assert.deepEqual(kinds('tasks'), { copied: tasks.length, present: 1, skipped: 0, failed: 0 });
  assert.deepEqual(kinds('contacts'), { copied: cards.length, present: 1, skipped: 0, failed: 0 });
  const count = async () => (await withDav(xan, byUid)).size;
  const before = await count();

  // Changed at the source: replaced, not duplicated. Deleted at the source: reported, kept.
  await r.put(
    '/alice/home/all-day.ics',
    fixture('all-day.ics').replace(/SUMMARY:[^\r\n]*/, 'SUMMARY:Moved holiday'),
  );
  await r.remove('/alice/home/floating.ics');
  const third = await cli(args);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  const now = await withDav(xan, byUid);
  assert.equal(now.size, before, 'no second copy, nothing deleted at the destination');
  const allDayUid = calendarUid(fixture('all-day.ics'))!;
  assert.match(now.get(allDayUid)!.data, /SUMMARY:Moved holiday/);
  const gone = (await report()).items.find((i) => i.kind === 'event' && i.status === 'skipped');
  assert.match(gone?.reason ?? '', /deleted at the source after it was copied/);

  const verified = await cli([
    'verify',
    '--from',
    davUrl(rad, '/'),
    '--to',
    davUrl(xan, '/'),
    '--data-dir',
    dataDir,
  ]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);

  // A run with a fresh data directory (its ledger lost) finds every item already there: nothing written.
  const fresh = await cli([
    ...args.slice(0, args.indexOf('--data-dir')),
    '--data-dir',
    tempDataDir(),
    '--no-progress',
  ]);
  assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
  assert.match(fresh.stdout, /calendars: copied 0 {2}already present \d+ {2}skipped 0 {2}failed 0/);
  assert.match(fresh.stdout, /contacts: copied 0 {2}already present \d+ {2}skipped 0 {2}failed 0/);
  assert.equal((await withDav(xan, byUid)).size, before);
});

test('a project moves mail and groupware together: IMAP servers with a CalDAV/CardDAV server beside each (dav: { url } in the project file), the mailbox logging in to both', async () => {
  // Servers of its own, so the first test's items are not already at the destination.
  const [src, dst, rad, xan] = await Promise.all([
    startDovecot({ users: [ALICE] }),
    startDovecot({ users: [ALICE], delimiter: '.' }),
    startRadicale({ users: [ALICE] }),
    startXandikos(),
  ]);
  try {
    await seedMessages(src, ALICE.user, ALICE.password, 'INBOX', [
      { raw: makeMessage({ subject: 'hello' }) },
    ]);
    const r = seeder(rad, ALICE.user);
    await r.addressbook('/alice/friends/', 'Friends');
    await r.put('/alice/friends/c.vcf', fixture('contact-3.0.vcf'));
    await r.put(
      '/alice/friends/dora.vcf',
      'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:repl-dora@example.com\r\nFN:Dora Diaz\r\nN:Diaz;Dora;;;\r\nEMAIL;TYPE=INTERNET:dora@old.example\r\nNOTE:writes from dora@old.example\r\nEND:VCARD\r\n',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-gw-project-'));
    const file = path.join(dir, 'cutover.yaml');
    fs.writeFileSync(
      file,
      [
        'source:',
        `  host: 127.0.0.1`,
        `  port: ${src.imapPort}`,
        '  tls: none',
        `  dav: { url: "http://127.0.0.1:${rad.port}/" }`,
        'destination:',
        `  host: 127.0.0.1`,
        `  port: ${dst.imapPort}`,
        '  tls: none',
        `  dav: { url: "http://127.0.0.1:${xan.port}/" }`,
        'mailboxes:',
        `  - { source: ${ALICE.user}, password: "${ALICE.password}", destinationPassword: "${ALICE.password}" }`,
        'defaults:',
        '  items: [mail, contacts]',
        'plan:',
        "  addressReplacements: [{ from: '@old.example', to: '@new.example' }]",
        '',
      ].join('\n'),
    );
    const run = await cli(['migrate', '--project', file, '--no-progress']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /source 1 {2}copied 1/);
    // The two cards, none failed; the address book lands in Xandikos's own default (found, not made).
    assert.match(run.stdout, /contacts: copied 2 {2}already present 1 {2}skipped 0 {2}failed 0/);
    const there = await withDav(xan, byUid);
    assert.ok(there.get(vcardUid(fixture('contact-3.0.vcf'))!), 'the contact is at the destination');
    // The plan's address replacement applies to contact e-mail addresses, and only to them.
    const dora = there.get('repl-dora@example.com')!.data;
    assert.match(dora, /EMAIL[^:\r\n]*:dora@new\.example/);
    assert.match(dora, /NOTE:writes from dora@old\.example/);
  } finally {
    await Promise.all([src.stop(), dst.stop(), rad.stop(), xan.stop()]);
  }
});

test('killed with SIGKILL in the middle of a groupware pass, the rerun neither loses nor duplicates an item', async () => {
  // Servers of its own: alice's only address book is the default on both sides.
  const [rad, xan] = await Promise.all([startRadicale({ users: [ALICE] }), startXandikos()]);
  try {
    const r = seeder(rad, ALICE.user);
    await r.addressbook('/alice/many/', 'Many');
    const N = 400;
    for (let i = 0; i < N; i++)
      await r.put(
        `/alice/many/c${i}.vcf`,
        `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:many-${i}@example.com\r\nFN:Person ${i}\r\nN:${i};Person;;;\r\nEMAIL;TYPE=INTERNET:p${i}@example.com\r\nEND:VCARD\r\n`,
      );
    const dataDir = tempDataDir();
    const args = [
      'migrate',
      '--from',
      davUrl(rad, '/alice/many/'),
      '--to',
      davUrl(xan, '/'),
      '--data-dir',
      dataDir,
      '--no-progress',
      '--items',
      'contacts',
    ];
    // The source's only address book is its default: it lands in the destination's default address book. Its
    // cards by UID (the final check), and a cheap count while the pass runs.
    const book = (e: GroupwareEndpoint) =>
      e.listCollections().then((cs) => cs.find((c) => c.type === 'addressbook' && c.isDefault));
    const many = async () =>
      withDav(xan, async (e) => {
        const b = await book(e);
        if (!b) return [] as string[];
        const keys = (await e.changes(b.id, undefined)).changed.map((x) => x.key);
        const uids: string[] = [];
        for await (const it of e.readItems(b.id, keys)) uids.push(vcardUid(it.data) ?? it.key);
        return uids.filter((u) => u.startsWith('many-'));
      });
    const count = async () =>
      withDav(xan, async (e) => {
        const b = await book(e);
        return b ? (await e.changes(b.id, undefined)).changed.length : 0;
      });
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Kill it once some, not all, of the cards are at the destination.
    for (;;) {
      await new Promise((res) => setTimeout(res, 25));
      if (child.exitCode !== null || (await count()) >= 5) break;
    }
    const killedEarly = child.exitCode === null;
    child.kill('SIGKILL');
    await exited;
    assert.ok(killedEarly, `the pass was still running when it was killed: ${output}`);
    const partial = (await many()).length;
    assert.ok(partial < N, `killed part way (${partial} of ${N} there)`);

    const rerun = await cli(args);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    const uids = await many();
    assert.equal(uids.length, N, 'every card once');
    assert.equal(new Set(uids).size, N, 'no card twice');
  } finally {
    await Promise.all([rad.stop(), xan.stop()]);
  }
});
