/**
 * Contacts, calendars and tasks to and from files through the CLI users run, with the real CalDAV/CardDAV
 * servers from Debian (Radicale and Xandikos, started by the harness): `--from dav://…Radicale… --to
 * file:///DIR` writes one .vcf/.ics per item and a manifest per collection; `--from file:///DIR --to
 * dav://…Xandikos…` brings them to another server semantically unchanged with their UIDs; reruns of both
 * write nothing. A plain export directory (one .ics with 3 events, one .vcf with 2 cards) is imported.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServerUrl } from '../../src/config/server-url.js';
import type { GroupwareEndpoint, GroupwareItem } from '../../src/connectors/groupware-contract.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { calendarUid } from '../../src/formats/icalendar.js';
import { compareCalendars, compareVcards } from '../../src/formats/semantic-compare.js';
import { vcardUid } from '../../src/formats/vcard.js';
import { ianaTimeZones } from '../../src/formats/windows-zones.js';
import { seeder, type DavTestServer } from '../harness/dav-server.js';
import { startRadicale } from '../harness/radicale.js';
import { startXandikos } from '../harness/xandikos.js';
import { ALICE, contact, davUrl, event, openDav } from '../connectors/dav-fixtures.js';
import { cli, tempDataDir } from './helpers.js';

const FIX = path.resolve('test/fixtures/groupware');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const ITEMS = ['--items', 'contacts,calendars,tasks'];

let rad: DavTestServer;
let xan: DavTestServer;
before(async () => {
  [rad, xan] = await Promise.all([startRadicale({ users: [ALICE] }), startXandikos()]);
});
after(async () => {
  await Promise.all([rad?.stop(), xan?.stop()]);
});

type Found = GroupwareItem & { collection: string };

/** Every item of every collection of an endpoint, by UID. */
async function byUid(e: GroupwareEndpoint): Promise<Map<string, Found>> {
  const out = new Map<string, Found>();
  try {
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
  } finally {
    await e.close();
  }
  return out;
}

async function openFiles(dir: string): Promise<GroupwareEndpoint> {
  const { server, auth } = parseServerUrl(`file://${dir}`);
  const c = connectorFor(server.kind);
  if (!c.openGroupware) throw new Error('the file connector has no openGroupware');
  return c.openGroupware(server, auth);
}

/** Each file under a directory with its modification time. */
function stamps(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (f.isFile()) {
      const p = path.join(f.parentPath, f.name);
      out.set(p, fs.statSync(p).mtimeMs);
    }
  return out;
}

/** The differences between two items, semantically (the Windows zone names as IANA names). */
function diff(s: GroupwareItem, d: GroupwareItem): string[] {
  return s.contentType === 'text/vcard'
    ? compareVcards(s.data, d.data)
    : compareCalendars(ianaTimeZones(s.data).text, d.data);
}

async function run(args: string[]): Promise<string> {
  const r = await cli([...args, '--no-progress']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout;
}

test('Radicale → files → Xandikos: one file per item and a manifest, semantically unchanged, reruns write nothing', async () => {
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
  const source = await byUid(await openDav(rad));
  assert.equal(source.size, events.length + tasks.length + cards.length);

  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-gw-files-')), 'export');
  const out = ['migrate', '--from', davUrl(rad, '/'), '--to', `file://${dir}`, ...ITEMS];
  const outData = tempDataDir();
  assert.match(await run([...out, '--data-dir', outData]), /calendars: copied \d+/);

  // The layout: a directory per collection under its kind, one file per item, a manifest per collection.
  for (const [kind, name, files] of [
    ['calendars', 'Home', events],
    ['tasks', 'Jobs', tasks],
    ['contacts', 'People', cards],
  ] as const) {
    const listing = fs.readdirSync(path.join(dir, kind, name)).sort();
    assert.equal(listing.length, files.length + 1, `${kind}/${name}: ${listing.join(', ')}`);
    assert.ok(listing.includes('groupware-manifest.jsonl'));
    assert.ok(listing.every((f) => /\.(ics|vcf|jsonl)$/.test(f)));
  }
  const written = await byUid(await openFiles(dir));
  for (const [uid, s] of source) {
    const d = written.get(uid);
    assert.ok(d, `${uid} written with its UID`);
    assert.deepEqual(diff(s, d), [], `${uid} semantically unchanged in its file`);
  }
  // An event nobody needed to change is its source's exact text.
  const allDay = calendarUid(fixture('all-day.ics'))!;
  assert.equal(written.get(allDay)!.data, source.get(allDay)!.data);

  const before = stamps(dir);
  await run([...out, '--data-dir', outData]);
  assert.deepEqual(stamps(dir), before, 'a rerun writes no file and no manifest line');
  // A rerun with a fresh ledger finds every item already there with its bytes: still nothing written.
  await run([...out, '--data-dir', tempDataDir()]);
  assert.deepEqual(stamps(dir), before, 'a rerun without the ledger writes nothing either');

  const into = ['migrate', '--from', `file://${dir}`, '--to', davUrl(xan, '/'), ...ITEMS];
  const inData = tempDataDir();
  const first = await run([...into, '--data-dir', inData]);
  // Xandikos's own default address book takes the default one: found there, not made.
  assert.match(first, /contacts: copied 3 {2}already present 1 {2}skipped 0 {2}failed 0/);
  const dest = await byUid(await openDav(xan));
  for (const [uid, s] of source) {
    const d = dest.get(uid);
    assert.ok(d, `${uid} arrived at Xandikos with its UID`);
    assert.deepEqual(diff(s, d), [], `${uid} semantically unchanged at Xandikos`);
  }
  const etags = new Map([...dest].map(([u, d]) => [u, d.etag]));
  const again = await run([...into, '--data-dir', inData]);
  // The report counts the ledger: the items stay as the first pass copied them, the collections are found.
  assert.match(again, /calendars: copied 4 {2}already present 1 {2}skipped 0 {2}failed 0/);
  assert.match(again, /tasks: copied 2 {2}already present 1 {2}skipped 0 {2}failed 0/);
  assert.match(again, /contacts: copied 3 {2}already present 1 {2}skipped 0 {2}failed 0/);
  const now = await byUid(await openDav(xan));
  assert.deepEqual(
    new Map([...now].map(([u, d]) => [u, d.etag])),
    etags,
    'the rerun wrote nothing at Xandikos',
  );
});

test('a plain export directory (one .ics with 3 events, one .vcf with 2 cards) is imported, a collection per file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-gw-plain-'));
  const vevent = (uid: string) => /BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/.exec(event(uid, `Review ${uid}`))![0];
  const ics = event('plain-1').replace(
    /BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/,
    ['plain-1', 'plain-2', 'plain-3'].map(vevent).join(''),
  );
  fs.writeFileSync(path.join(dir, 'Team calendar.ics'), ics);
  const cardsText = contact('plain-c1') + contact('plain-c2', 'Grace Hopper');
  fs.writeFileSync(path.join(dir, 'Exported contacts.vcf'), cardsText);

  const args = ['migrate', '--from', `file://${dir}`, '--to', davUrl(xan, '/'), ...ITEMS];
  const data = tempDataDir();
  const first = await run([...args, '--data-dir', data]);
  assert.match(first, /calendars: copied 4 {2}already present 0 {2}skipped 0 {2}failed 0/);
  const dest = await byUid(await openDav(xan));
  for (const uid of ['plain-1', 'plain-2', 'plain-3']) {
    const d = dest.get(uid);
    assert.equal(d?.collection, 'Team calendar', `${uid} in the calendar named after its file`);
    assert.match(d.data, new RegExp(`SUMMARY:Review ${uid}`));
    assert.doesNotMatch(d.data, /UID:plain-[^\r\n]*\r\n[\s\S]*UID:plain-/, 'one event per resource');
  }
  for (const [uid, name] of [
    ['plain-c1', 'Ada Lovelace'],
    ['plain-c2', 'Grace Hopper'],
  ] as const) {
    const d = dest.get(uid);
    assert.equal(d?.collection, 'Exported contacts');
    assert.deepEqual(compareVcards(contact(uid, name), d.data), []);
  }
  const again = await run([...args, '--data-dir', data]);
  assert.match(again, /calendars: copied 3 {2}already present 1 {2}skipped 0 {2}failed 0/);
  assert.match(again, /contacts: copied 2 {2}already present 1 {2}skipped 0 {2}failed 0/);
  const etags = new Map([...dest].map(([u, d]) => [u, d.etag]));
  const now = new Map([...(await byUid(await openDav(xan)))].map(([u, d]) => [u, d.etag]));
  assert.deepEqual(now, etags, 'the rerun wrote nothing at Xandikos');
});
