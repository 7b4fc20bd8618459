/**
 * The file connector's contacts, calendars and tasks (src/connectors/file/file-groupware.ts) on temporary
 * directories, no server: the written layout and its manifest, a rerun that writes nothing, a replace only
 * while the file still has the ETag Cutover wrote, a crash between a file's rename and its manifest line, a
 * plain export read as collections, and the mail side not taking groupware directories for mail folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServerUrl } from '../../src/config/server-url.js';
import type { GroupwareEndpoint, GroupwareItem } from '../../src/connectors/groupware-contract.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { contact, event, task } from './dav-fixtures.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-filegw-'));

async function open(dir: string): Promise<GroupwareEndpoint> {
  const { server, auth } = parseServerUrl(`file://${dir}`);
  const c = connectorFor(server.kind);
  if (!c.openGroupware) throw new Error('the file connector has no openGroupware');
  return c.openGroupware(server, auth);
}

const card = (uid: string, name?: string): GroupwareItem => ({
  key: `/src/${uid}.vcf`,
  etag: 'x',
  uid,
  contentType: 'text/vcard',
  data: contact(uid, name),
});

async function listAll(e: GroupwareEndpoint, id: string): Promise<GroupwareItem[]> {
  const ch = await e.changes(id, undefined);
  const out: GroupwareItem[] = [];
  for await (const it of e.readItems(
    id,
    ch.changed.map((r) => r.key),
  ))
    out.push(it);
  return out;
}

test('written layout: one file per item with its exact text, a manifest per collection, reruns write nothing', async () => {
  const dir = tempDir();
  const e = await open(path.join(dir, 'out')); // missing: made by the first collection
  const book = await e.ensureCollection({
    id: '/x/',
    type: 'addressbook',
    displayName: 'Friends & Family',
    color: '#FF0000',
    isDefault: true,
  });
  assert.deepEqual(book, { id: 'contacts/Friends & Family', existed: false, notKept: [] });
  const jobs = await e.ensureCollection({
    id: '/j/',
    type: 'calendar',
    components: ['VTODO'],
    displayName: 'Jobs/Chores',
    isDefault: false,
  });
  assert.equal(jobs.id, 'tasks/Jobs%2FChores', 'a task list goes under tasks/, its / escaped');

  const ada = card('ada@example.org');
  const put = await e.putItem(book.id, ada);
  assert.equal(put.key, 'ada@example.org.vcf');
  const file = path.join(dir, 'out', 'contacts', 'Friends & Family', put.key);
  assert.equal(fs.readFileSync(file, 'utf8'), ada.data, 'the exact text');
  const todo = {
    key: 't',
    etag: 'x',
    uid: 'a/b:c',
    contentType: 'text/calendar' as const,
    data: task('a/b:c'),
  };
  assert.equal((await e.putItem(jobs.id, todo)).key, 'a%2Fb%3Ac.ics', 'the UID escaped as a file name');

  const manifest = () =>
    fs
      .readFileSync(path.join(dir, 'out', 'contacts', 'Friends & Family', 'groupware-manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(manifest()[0], {
    op: 'collection',
    type: 'addressbook',
    displayName: 'Friends & Family',
    color: '#FF0000',
    isDefault: true,
  });
  assert.equal(manifest().length, 2);

  // A rerun (the same collection, the same item, even without the ledger's replace ref) writes nothing.
  const again = await open(path.join(dir, 'out'));
  assert.deepEqual(await again.ensureCollection({ ...(await again.listCollections())[0]!, id: '/x/' }), {
    id: book.id,
    existed: true,
    notKept: [],
  });
  const mtime = fs.statSync(file).mtimeMs;
  assert.deepEqual(await again.putItem(book.id, ada), put);
  assert.deepEqual(await again.putItem(book.id, ada, put), put);
  assert.equal(fs.statSync(file).mtimeMs, mtime, 'the file is not rewritten');
  assert.equal(manifest().length, 2, 'no manifest line either');

  // Read back: the listing's ETag is the SHA-256 of the bytes; the text is as written.
  const items = await listAll(again, book.id);
  assert.deepEqual(
    items.map((i) => [i.key, i.etag, i.uid, i.data]),
    [[put.key, put.etag, 'ada@example.org', ada.data]],
  );
  assert.deepEqual(
    (await again.listCollections()).map((c) => [c.id, c.type, c.displayName, c.components, c.isDefault]),
    [
      ['contacts/Friends & Family', 'addressbook', 'Friends & Family', undefined, true],
      ['tasks/Jobs%2FChores', 'calendar', 'Jobs/Chores', ['VTODO'], false],
    ],
  );
});

test('a replace needs the ETag Cutover wrote; a new item with a UID already there is refused; nothing is deleted', async () => {
  const dir = tempDir();
  const e = await open(dir);
  const { id } = await e.ensureCollection({
    id: 'c',
    type: 'calendar',
    displayName: 'Home',
    isDefault: false,
  });
  const first = await e.putItem(id, {
    key: 'k',
    etag: 'x',
    uid: 'ev1',
    contentType: 'text/calendar',
    data: event('ev1'),
  });
  const moved = {
    key: 'k',
    etag: 'y',
    uid: 'ev1',
    contentType: 'text/calendar' as const,
    data: event('ev1', 'Moved'),
  };

  await assert.rejects(
    e.putItem(id, moved),
    (err: unknown) =>
      err instanceof PermanentError && err.code === ErrorCode.MessageRejected && /UID ev1/.test(err.message),
  );
  const second = await e.putItem(id, moved, first);
  assert.notEqual(second.etag, first.etag);
  assert.match(fs.readFileSync(path.join(dir, id, 'ev1.ics'), 'utf8'), /SUMMARY:Moved/);

  // Edited by hand since: a replace with the old ETag is a conflict, the file stays as the hand left it.
  fs.writeFileSync(path.join(dir, id, 'ev1.ics'), event('ev1', 'Hand edit'));
  await assert.rejects(
    e.putItem(id, { ...moved, data: event('ev1', 'Third') }, second),
    (err: unknown) => err instanceof PermanentError && err.code === ErrorCode.Conflict,
  );
  assert.match(fs.readFileSync(path.join(dir, id, 'ev1.ics'), 'utf8'), /SUMMARY:Hand edit/);
  const listed = await e.changes(id, undefined);
  assert.equal(listed.full, true);
  assert.equal(listed.token, undefined, 'no token: the engine compares ETags');
  assert.equal(listed.changed.length, 1);
  assert.notEqual(listed.changed[0]!.etag, second.etag, 'the hand edit shows as a change');
  assert.equal('deleteItem' in e, false, 'the file connector never deletes');
});

test('a crash between the rename and the manifest line: the file is not listed, the next write finds it', async () => {
  const dir = tempDir();
  const e = await open(dir);
  const { id } = await e.ensureCollection({
    id: 'p',
    type: 'addressbook',
    displayName: 'People',
    isDefault: false,
  });
  const bob = card('bob', 'Bob Builder');
  fs.writeFileSync(path.join(dir, id, 'bob.vcf'), bob.data); // the file in place, its line never appended
  assert.deepEqual((await e.changes(id, undefined)).changed, []);
  const put = await e.putItem(id, bob);
  assert.equal(put.key, 'bob.vcf');
  assert.equal((await e.changes(id, undefined)).changed.length, 1);
  assert.deepEqual(
    fs.readdirSync(path.join(dir, id)).sort(),
    ['bob.vcf', 'groupware-manifest.jsonl'],
    'no temporary file left, no second copy',
  );
});

test('a plain export: a file of several items is a collection named after it; single-item files one per directory', async () => {
  const dir = tempDir();
  const cal = (uids: string[]) =>
    event(uids[0]!).replace(
      /BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/,
      uids.map((u) => /BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/.exec(event(u, `Meeting ${u}`))![0]).join(''),
    );
  fs.writeFileSync(path.join(dir, 'Work.ics'), cal(['w1', 'w2', 'w3']));
  fs.writeFileSync(path.join(dir, 'All contacts.vcf'), contact('c1') + contact('c2', 'Grace Hopper'));
  fs.mkdirSync(path.join(dir, 'Solo'));
  fs.writeFileSync(path.join(dir, 'Solo', 'one.ics'), event('s1'));
  fs.writeFileSync(path.join(dir, 'Solo', 'two.ics'), task('s2'));
  fs.writeFileSync(path.join(dir, 'Solo', 'note.txt'), 'not an item');
  const e = await open(dir);
  const cols = await e.listCollections();
  assert.deepEqual(
    cols.map((c) => [c.id, c.type, c.displayName, c.components]),
    [
      ['All contacts.vcf', 'addressbook', 'All contacts', undefined],
      ['Work.ics', 'calendar', 'Work', ['VEVENT']],
      ['Solo/*.ics', 'calendar', 'Solo', ['VEVENT', 'VTODO']],
    ],
  );
  const work = await listAll(e, 'Work.ics');
  assert.deepEqual(
    work.map((i) => [i.key, i.uid]),
    [
      ['Work.ics#w1', 'w1'],
      ['Work.ics#w2', 'w2'],
      ['Work.ics#w3', 'w3'],
    ],
  );
  assert.match(work[1]!.data, /^BEGIN:VCALENDAR\r\n[\s\S]*UID:w2[\s\S]*END:VCALENDAR\r\n$/);
  assert.doesNotMatch(work[1]!.data, /UID:w1/, 'each item alone');
  const people = await listAll(e, 'All contacts.vcf');
  assert.deepEqual(
    people.map((i) => [i.key, i.uid, i.data]),
    [
      ['All contacts.vcf#c1', 'c1', contact('c1')],
      ['All contacts.vcf#c2', 'c2', contact('c2', 'Grace Hopper')],
    ],
  );
  assert.deepEqual(
    (await listAll(e, 'Solo/*.ics')).map((i) => [i.key, i.data]),
    [
      ['one.ics', event('s1')],
      ['two.ics', task('s2')],
    ],
  );
  await assert.rejects(e.putItem('Work.ics', card('x')), /plain export/);
});

test('the mail side does not take groupware directories for mail folders', async () => {
  const dir = tempDir();
  const e = await open(dir);
  const { id } = await e.ensureCollection({
    id: 'p',
    type: 'addressbook',
    displayName: 'People',
    isDefault: false,
  });
  await e.putItem(id, card('ada'));
  const { server, auth } = parseServerUrl(`file://${dir}`);
  const dst = await connectorFor('file').openDestination(server, auth);
  try {
    assert.deepEqual(
      (await dst.listFolders()).map((f) => f.path),
      [['INBOX']],
    );
  } finally {
    await dst.close();
  }
});
