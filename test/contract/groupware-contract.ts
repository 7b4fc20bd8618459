/**
 * The groupware half of the connector contract suite: the checks every GroupwareEndpoint
 * (src/connectors/groupware-contract.ts) must pass, whatever system is behind it — collections listed with
 * their defaults and stable ids, ensureCollection idempotent, the hard fixtures of test/fixtures/groupware/
 * written and read back meaning the same (formats/semantic-compare.ts), a second item with a UID already in
 * the collection never making two, replace by ETag and a stale ETag refused as a conflict, changes() in full
 * and by token, and a key that is gone read as nothing. What a system does differently comes in as data
 * (groupware-targets.ts); no check names a system. Looped over every adapter by groupware.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  CalendarComponent,
  CollectionType,
  GroupwareCollection,
  GroupwareEndpoint,
  GroupwareItem,
} from '../../src/connectors/groupware-contract.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { calendarUid } from '../../src/formats/icalendar.js';
import { compareCalendars, compareVcards } from '../../src/formats/semantic-compare.js';
import { vcardUid } from '../../src/formats/vcard.js';
import type { GroupwareAdapter, GroupwareTarget } from './groupware-targets.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/groupware');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** An item as a source would hand it to putItem (the source's key and ETag mean nothing here). */
function sourceItem(data: string, key: string): GroupwareItem {
  const vcard = data.startsWith('BEGIN:VCARD');
  const uid = vcard ? vcardUid(data) : calendarUid(data);
  return {
    key,
    etag: '"source"',
    contentType: vcard ? 'text/vcard' : 'text/calendar',
    data,
    ...(uid ? { uid } : {}),
  };
}

/** A timed event tomorrow (inside any calendar-view window a system keeps deltas for). */
function freshEvent(uid: string, summary: string): string {
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Cutover//Contract//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T090000Z',
    `DTSTART:${day}T100000Z`,
    `DTEND:${day}T110000Z`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** A vCard 3.0 contact. */
function freshContact(uid: string, given: string, family: string): string {
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${uid}`,
    `FN:${given} ${family}`,
    `N:${family};${given};;;`,
    `EMAIL;TYPE=INTERNET:${given.toLowerCase()}@example.com`,
    'END:VCARD',
    '',
  ].join('\r\n');
}

/** Every item of a collection, read in full. */
async function readAll(ep: GroupwareEndpoint, collection: string): Promise<GroupwareItem[]> {
  const listed = await ep.changes(collection, undefined);
  const out: GroupwareItem[] = [];
  for await (const it of ep.readItems(
    collection,
    listed.changed.map((r) => r.key),
  ))
    out.push(it);
  return out;
}

async function readKeys(ep: GroupwareEndpoint, collection: string, keys: string[]): Promise<GroupwareItem[]> {
  const out: GroupwareItem[] = [];
  for await (const it of ep.readItems(collection, keys)) out.push(it);
  return out;
}

/** A refused item: a PermanentError with one of these codes and the system's words in it. */
const refusedAs =
  (...codes: ErrorCode[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof PermanentError, `a PermanentError, not ${String(e)}`);
    assert.ok(codes.includes(e.code), `code ${e.code}, expected ${codes.join(' or ')}: ${e.message}`);
    assert.ok(e.message.trim().length > 10, `the refusal carries words: ${JSON.stringify(e.message)}`);
    return true;
  };

const like = (
  type: CollectionType,
  displayName: string,
  components?: CalendarComponent[],
): GroupwareCollection => ({
  id: `/contract/${displayName}/`,
  type,
  displayName,
  isDefault: false,
  ...(components ? { components } : {}),
});

/** Run the groupware checks against one system. */
export function describeGroupwareContract(adapter: GroupwareAdapter): void {
  describe(`groupware contract: ${adapter.name}`, () => {
    let target: GroupwareTarget;
    let ep: GroupwareEndpoint;
    /** Where the item checks write: a calendar for events, an address book, a task list where there are any. */
    let events: string;
    let contacts: string;
    let tasks: string | undefined;
    let notificationsBefore = 0;
    /** The collections as the system had them before the checks made any. */
    let initial: GroupwareCollection[];

    before(async () => {
      target = await adapter.start();
      notificationsBefore = target.notificationsSent?.() ?? 0;
      ep = await target.open();
      initial = await ep.listCollections();
      events = (await ep.ensureCollection(like('calendar', 'Contract events', ['VEVENT']))).id;
      contacts = (await ep.ensureCollection(like('addressbook', 'Contract contacts'))).id;
      if (target.tasks) tasks = (await ep.ensureCollection(like('calendar', 'Contract tasks', ['VTODO']))).id;
    });
    after(async () => {
      await ep?.close();
      await target?.stop();
    });

    test('listCollections gives the default calendar and address book the system has; ids are stable', async () => {
      const defaultCalendar = initial.find(
        (c) => c.type === 'calendar' && c.isDefault && (!c.components || c.components.includes('VEVENT')),
      );
      const defaultBook = initial.find((c) => c.type === 'addressbook' && c.isDefault);
      assert.equal(Boolean(defaultCalendar), target.defaults.calendar, 'a default calendar from the start');
      assert.equal(
        Boolean(defaultBook),
        target.defaults.addressbook,
        'a default address book from the start',
      );
      const fresh = await target.open();
      try {
        const first = await fresh.listCollections();
        const second = await fresh.listCollections();
        const shape = (l: GroupwareCollection[]) => l.map((c) => [c.id, c.type, c.displayName]).sort();
        assert.deepEqual(shape(second), shape(first));
        assert.equal(new Set(first.map((c) => c.id)).size, first.length, 'no id listed twice');
        for (const c of initial)
          assert.ok(
            first.some((f) => f.id === c.id),
            `${c.id} is listed by a second connection too`,
          );
        for (const id of [events, contacts, ...(tasks ? [tasks] : [])])
          assert.ok(
            first.some((c) => c.id === id),
            `${id}, made by ensureCollection, is listed`,
          );
      } finally {
        await fresh.close();
      }
    });

    test('ensureCollection twice gives the same id, the second time as existing; the display name is kept', async () => {
      const cases: GroupwareCollection[] = [like('calendar', 'Contract ensure', ['VEVENT'])];
      if (!target.singleAddressBook) cases.push(like('addressbook', 'Contract ensure book'));
      if (target.tasks) cases.push(like('calendar', 'Contract ensure tasks', ['VTODO']));
      for (const c of cases) {
        const made = await ep.ensureCollection(c);
        assert.equal(made.existed, false, `${c.displayName} is new`);
        const again = await ep.ensureCollection(c);
        assert.deepEqual([again.id, again.existed], [made.id, true], c.displayName);
        const listed = (await ep.listCollections()).find((l) => l.id === made.id);
        assert.equal(listed?.displayName, c.displayName);
        assert.equal(listed?.type, c.type);
      }
      if (target.singleAddressBook) {
        // The system's one address book takes every address book (reason in the target).
        const a = await ep.ensureCollection(like('addressbook', 'Contract ensure book'));
        const b = await ep.ensureCollection(like('addressbook', 'Contract ensure book'));
        assert.equal(a.id, b.id);
        assert.equal(b.existed, true);
        assert.equal((await ep.listCollections()).filter((l) => l.type === 'addressbook').length, 1);
      }
    });

    for (const [name, where] of [
      ['all-day.ics', 'events'],
      ['recurring-series.ics', 'events'],
      ['contact-3.0.vcf', 'contacts'],
    ] as const) {
      test(`${name}: written new, read back with the same UID, meaning the same`, async () => {
        const collection = where === 'events' ? events : contacts;
        const text = fixture(name);
        const src = sourceItem(text, `/source/${name}`);
        const ref = await ep.putItem(collection, src);
        const back = await readKeys(ep, collection, [ref.key]);
        assert.equal(back.length, 1);
        const it = back[0]!;
        assert.equal(it.key, ref.key);
        assert.equal(it.etag, ref.etag);
        assert.equal(it.uid, src.uid);
        assert.equal(it.contentType, src.contentType);
        const diff = where === 'events' ? compareCalendars(text, it.data) : compareVcards(text, it.data);
        assert.deepEqual(diff, [], it.data);
      });
    }

    test('task-parent.ics into a task list: written new and read back', async (t) => {
      if (!target.tasks || !tasks) return t.skip('the system has no task lists');
      const text = fixture('task-parent.ics');
      const ref = await ep.putItem(tasks, sourceItem(text, '/source/task-parent.ics'));
      const back = await readKeys(ep, tasks, [ref.key]);
      assert.equal(back.length, 1);
      const it = back[0]!;
      assert.deepEqual([it.key, it.etag, it.contentType], [ref.key, ref.etag, 'text/calendar']);
      assert.match(it.data, /BEGIN:VTODO\r\n/);
      assert.match(it.data, /SUMMARY:Umzug vorbereiten\r\n/);
      if (!target.tasks.exact) return t.diagnostic(`UID and meaning not compared: ${target.tasks.why}`);
      assert.equal(it.uid, calendarUid(text));
      assert.deepEqual(compareCalendars(text, it.data), [], it.data);
    });

    test('a second new item with a UID already in the collection is refused in words or finds the first; never two', async () => {
      const uid = 'contract-duplicate@example.com';
      const first = await ep.putItem(events, sourceItem(freshEvent(uid, 'Original'), '/source/a'));
      let second: { key: string } | undefined;
      try {
        second = await ep.putItem(events, sourceItem(freshEvent(uid, 'A second copy'), '/source/b'));
      } catch (e) {
        refusedAs(ErrorCode.MessageRejected, ErrorCode.Conflict)(e);
      }
      if (second) assert.equal(second.key, first.key, 'the endpoint found its own copy');
      const withUid = (await readAll(ep, events)).filter((i) => i.uid === uid);
      assert.deepEqual(
        withUid.map((i) => i.key),
        [first.key],
      );
    });

    test('replace with the current ETag changes the item in place; a stale ETag is a conflict', async () => {
      const uid = 'contract-replace@example.com';
      const ref = await ep.putItem(events, sourceItem(freshEvent(uid, 'Before'), '/source/r'));
      const next = await ep.putItem(events, sourceItem(freshEvent(uid, 'After'), '/source/r'), ref);
      assert.equal(next.key, ref.key);
      assert.notEqual(next.etag, ref.etag);
      await assert.rejects(
        ep.putItem(events, sourceItem(freshEvent(uid, 'Stale'), '/source/r'), ref),
        refusedAs(ErrorCode.Conflict),
      );
      const now = await readKeys(ep, events, [ref.key]);
      assert.equal(now.length, 1);
      assert.equal(now[0]!.etag, next.etag);
      assert.match(now[0]!.data, /SUMMARY:After\r\n/);
    });

    for (const kind of ['events', 'contacts'] as const) {
      test(`changes (${kind}): in full without a token; by token exactly one change and one deletion`, async (t) => {
        const collection = kind === 'events' ? events : contacts;
        const make = (n: number, summary: string) =>
          kind === 'events'
            ? freshEvent(`contract-delta-${n}@example.com`, summary)
            : freshContact(`contract-delta-${n}@example.com`, summary, 'Delta');
        const a = await ep.putItem(collection, sourceItem(make(1, 'Anna'), '/source/d1'));
        const b = await ep.putItem(collection, sourceItem(make(2, 'Bruno'), '/source/d2'));
        const full = await ep.changes(collection, undefined);
        assert.equal(full.full, true);
        assert.deepEqual(full.deleted, []);
        for (const ref of [a, b])
          assert.deepEqual(
            full.changed.find((r) => r.key === ref.key),
            ref,
            `${ref.key} listed with its ETag`,
          );
        const all = await readAll(ep, collection);
        assert.equal(all.length, full.changed.length, 'every item listed is read');
        if (full.token === undefined) return t.skip('the system has no change tokens (ETags are compared)');
        if (!ep.deleteItem) return t.skip('the endpoint cannot delete, so a deletion cannot be listed');
        const changed = await ep.putItem(collection, sourceItem(make(1, 'Annika'), '/source/d1'), a);
        await ep.deleteItem(collection, b);
        const delta = await ep.changes(collection, full.token);
        assert.equal(delta.full, false);
        assert.deepEqual(delta.deleted, [b.key]);
        assert.deepEqual(
          delta.changed.filter((r) => r.key === a.key),
          [changed],
          'the changed item, once, with its new ETag',
        );
        const others = delta.changed.filter((r) => r.key !== a.key);
        if (target.deltaListsUnchanged) {
          if (others.length > 0)
            t.diagnostic(`unchanged items may be listed too: ${target.deltaListsUnchanged}`);
          for (const r of others)
            assert.deepEqual(
              full.changed.find((f) => f.key === r.key),
              r,
              `${r.key} is listed again only as it was`,
            );
        } else assert.deepEqual(others, [], 'nothing but the one change');
      });
    }

    test('readItems of a key that is gone yields nothing, and the rest as asked', async (t) => {
      if (!ep.deleteItem)
        return t.skip('the endpoint cannot delete, so no key of this system can be made gone');
      const live = await ep.putItem(
        contacts,
        sourceItem(freshContact('contract-live@example.com', 'Lia', 'Live'), 'l'),
      );
      const gone = await ep.putItem(
        contacts,
        sourceItem(freshContact('contract-gone@example.com', 'Gus', 'Gone'), 'g'),
      );
      await ep.deleteItem(contacts, gone);
      assert.deepEqual(await readKeys(ep, contacts, [gone.key]), []);
      const both = await readKeys(ep, contacts, [live.key, gone.key]);
      assert.deepEqual(
        both.map((i) => i.key),
        [live.key],
      );
    });

    test('nothing written would have been sent to an attendee', (t) => {
      if (!target.notificationsSent)
        return t.skip('the system sends no invitations (a DAV server stores only)');
      assert.equal(target.notificationsSent() - notificationsBefore, 0);
    });
  });
}
