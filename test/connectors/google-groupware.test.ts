/**
 * Google contacts, calendars and tasks through the groupware contract, against the EMULATOR of the People,
 * Calendar and Tasks APIs (test/emulators/gmail/emulator-{people,calendar,tasks}.ts; Google cannot be
 * reached from the test machines): collections as Google lists them, the hard fixtures of issue 16
 * (test/fixtures/groupware/) written and read back and compared by meaning (formats/semantic-compare.ts),
 * deltas from sync tokens (and updatedMin for tasks), expired tokens giving a full listing, refusals in
 * Google's words, throttling as RateLimitError, and — throughout — no notification the emulator would
 * have sent to an attendee.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import type { GroupwareEndpoint, GroupwareItem } from '../../src/connectors/groupware-contract.js';
import { tasksNotKept } from '../../src/connectors/gmail/google-tasks-map.js';
import { compareCalendars, compareVcards } from '../../src/formats/semantic-compare.js';
import { calendarUid } from '../../src/formats/icalendar.js';
import { vcardUid } from '../../src/formats/vcard.js';
import { CutoverError, ErrorCode, PermanentError, RateLimitError } from '../../src/errors.js';
import { groupwareOf, type GroupwareEmu } from '../emulators/gmail/emulator-groupware.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';

const ALICE = 'alice@example.com';
const fixture = (name: string) =>
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/groupware', name), 'utf8');

function item(data: string, key: string): GroupwareItem {
  const vcard = data.startsWith('BEGIN:VCARD');
  const uid = vcard ? vcardUid(data) : calendarUid(data);
  return {
    key,
    etag: '',
    contentType: vcard ? 'text/vcard' : 'text/calendar',
    data,
    ...(uid ? { uid } : {}),
  };
}

async function readOne(ep: GroupwareEndpoint, coll: string, key: string): Promise<GroupwareItem> {
  for await (const it of ep.readItems(coll, [key])) return it;
  throw new Error(`${key} not read back`);
}

const refusedWith = (words: RegExp) => (e: unknown) =>
  e instanceof PermanentError && e.code === ErrorCode.MessageRejected && words.test(e.message);

describe('Google contacts, calendars and tasks (emulator)', () => {
  let emu: GmailEmulator;
  let gw: GroupwareEmu;
  let ep: GroupwareEndpoint;
  let primary: string;
  let taskList: string;

  before(async () => {
    emu = await GmailEmulator.start({ users: [ALICE, 'bob@example.com'] });
    gw = groupwareOf(emu);
    gw.user(ALICE).calendars.share('team@example.com', 'Team holidays', 'reader');
    ep = await new GmailConnector().openGroupware(gmailServer(emu), serviceAccountLogin(emu, ALICE));
  });
  after(async () => {
    // Whatever a test did, Google would have e-mailed nobody.
    assert.deepEqual(gw.notifications, []);
    await ep?.close();
    await emu?.stop();
  });

  test('collections: one address book, the calendar list (primary default, a shared one reported), task lists as VTODO calendars', async () => {
    const all = await ep.listCollections();
    const book = all.find((c) => c.type === 'addressbook');
    assert.deepEqual(book, { id: 'contacts', type: 'addressbook', displayName: 'Contacts', isDefault: true });
    const cal = all.find((c) => c.id === `calendar:${ALICE}`);
    assert.equal(cal?.isDefault, true);
    assert.equal(cal?.color, '#9fe1e7');
    assert.deepEqual(cal?.components, ['VEVENT']);
    assert.equal(cal?.sharedFrom, undefined);
    const shared = all.find((c) => c.displayName === 'Team holidays');
    assert.match(shared?.sharedFrom ?? '', /team@example\.com \(reader access\)/);
    const tasks = all.filter((c) => c.components?.includes('VTODO'));
    assert.deepEqual(
      tasks.map((t) => [t.displayName, t.isDefault, t.components]),
      [['My Tasks', true, ['VTODO']]],
    );
    primary = cal.id;
    taskList = tasks[0]!.id;
  });

  test('ensureCollection: the default maps onto primary; a new calendar keeps its name, colour and description; a VTODO list becomes a task list', async () => {
    const def = await ep.ensureCollection({
      id: 'x',
      type: 'calendar',
      displayName: 'Kalender',
      isDefault: true,
    });
    assert.deepEqual(def, { id: primary, existed: true, notKept: [] });
    const like = {
      id: '/dav/work/',
      type: 'calendar' as const,
      components: ['VEVENT' as const],
      displayName: 'Arbeit',
      description: 'Projekte',
      color: '#FF8800CC',
      isDefault: false,
    };
    const made = await ep.ensureCollection(like);
    assert.equal(made.existed, false);
    assert.match(made.notKept.join(), /transparency/);
    const again = await ep.ensureCollection(like);
    assert.deepEqual([again.id, again.existed], [made.id, true]);
    const listed = (await ep.listCollections()).find((c) => c.id === made.id);
    assert.deepEqual(
      [listed?.displayName, listed?.description, listed?.color],
      ['Arbeit', 'Projekte', '#ff8800'],
    );
    const list = await ep.ensureCollection({
      id: '/dav/jobs/',
      type: 'calendar',
      components: ['VTODO'],
      displayName: 'Umzug',
      isDefault: false,
    });
    assert.match(list.id, /^tasks:/);
    assert.equal(list.existed, false);
    const book = await ep.ensureCollection({
      id: '/dav/b/',
      type: 'addressbook',
      displayName: 'Work',
      isDefault: false,
    });
    assert.equal(book.id, 'contacts');
    assert.match(book.notKept.join(), /one address book/);
  });

  test('contacts 2.1, 3.0 and 4.0 go in and come back meaning the same; labels become CATEGORIES; a group card is refused in words', async () => {
    for (const name of ['contact-3.0.vcf', 'contact-4.0.vcf', 'contact-2.1.vcf']) {
      const text = fixture(name);
      const ref = await ep.putItem('contacts', item(text, name));
      assert.match(ref.key, /^people\/c/);
      const back = await readOne(ep, 'contacts', ref.key);
      assert.equal(back.etag, ref.etag);
      assert.deepEqual(compareVcards(text, back.data), [], `${name}:\n${back.data}`);
    }
    const groups = [...gw.user(ALICE).people.groups.values()].map((g) => g.name);
    assert.ok(groups.includes('Kunden') && groups.includes('VIP'), groups.join());
    await assert.rejects(
      ep.putItem('contacts', item(fixture('group-4.0.vcf'), 'g')),
      refusedWith(/group card/),
    );
  });

  test('a contact edited in Google comes back with the edit, everything else as it was', async () => {
    const text = fixture('contact-3.0.vcf').replace(/5C3E1D2F/g, 'EDITED01');
    const ref = await ep.putItem('contacts', item(text, 'e'));
    gw.user(ALICE).people.edit(ref.key, (p) => {
      (p.phoneNumbers as Array<{ value: string }>)[0]!.value = '+353 87 000 0000';
    });
    const back = await readOne(ep, 'contacts', ref.key);
    assert.deepEqual(compareVcards(text, back.data), [
      'VCARD EDITED01-8A7B-4C6D-9E0F-112233445566: TEL;TYPE=cell,voice;PREF=most preferred:+353 87 123 4567: only in first',
      'VCARD EDITED01-8A7B-4C6D-9E0F-112233445566: TEL;TYPE=cell;PREF=most preferred:+353 87 000 0000: only in second',
    ]);
  });

  test('a contact made in Google reads as a vCard 3.0 from its fields alone', async () => {
    const store = gw.user(ALICE).people;
    const label = [...store.groups.values()].find((g) => g.name === 'VIP')!;
    const made = store.create({
      names: [{ givenName: 'Ada', familyName: 'Lovelace', unstructuredName: 'Ada Lovelace' }],
      emailAddresses: [{ value: 'ada@example.org', type: 'work', metadata: { primary: true } }],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile' }],
      birthdays: [{ date: { month: 12, day: 10 } }],
      memberships: [{ contactGroupMembership: { contactGroupResourceName: label.resourceName } }],
    });
    const back = await readOne(ep, 'contacts', String(made.person.resourceName));
    assert.equal(back.uid, undefined, 'Google has no UID for it: the key stands in');
    assert.deepEqual(
      compareVcards(
        [
          'BEGIN:VCARD',
          'VERSION:4.0',
          'N:Lovelace;Ada;;;',
          'FN:Ada Lovelace',
          'EMAIL;TYPE=work;PREF=1:ada@example.org',
          'TEL;TYPE=cell:+44 20 7946 0000',
          'BDAY:--1210',
          'CATEGORIES:VIP',
          'END:VCARD',
          '',
        ].join('\r\n'),
        back.data,
      ),
      [],
      back.data,
    );
  });

  test('events: a recurring series with overrides, an all-day and a floating event come back meaning the same, UID kept', async () => {
    for (const name of ['recurring-series.ics', 'all-day.ics', 'floating.ics']) {
      const text = fixture(name);
      const ref = await ep.putItem(primary, item(text, name));
      const back = await readOne(ep, primary, ref.key);
      assert.equal(back.uid, calendarUid(text));
      assert.equal(back.etag, ref.etag);
      assert.deepEqual(compareCalendars(text, back.data), [], `${name}:\n${back.data}`);
    }
    const events = gw.user(ALICE).calendars.events(ALICE);
    const series = events.filter((e) => e.iCalUID === '8F3C2A10-5B7D-4E21-9A3F-1D2E3F4A5B6C');
    assert.equal(series.length, 3, 'the master and its two overrides, one iCalUID');
    const master = series.find((e) => !e.recurringEventId)!;
    assert.deepEqual(
      (master.attendees as Array<{ email: string; responseStatus: string }>).map((a) => a.responseStatus),
      ['accepted', 'needsAction', 'tentative', 'accepted', 'declined'],
    );
    assert.deepEqual(master.reminders, { useDefault: false, overrides: [{ method: 'popup', minutes: 15 }] });
    assert.equal(master.visibility, 'confidential');
    assert.equal((master.start as { timeZone: string }).timeZone, 'Europe/Berlin');
    // The floating event sits in the calendar's zone in Google, and reads back floating.
    const floating = events.find((e) => String(e.iCalUID).startsWith('floating-'))!;
    assert.deepEqual(floating.start, { dateTime: '2025-03-18T07:00:00', timeZone: 'Europe/Berlin' });
  });

  test('Exchange’s changed instance of an event that does not repeat is refused in Google’s words, and nothing of it stays', async () => {
    const text = fixture('exchange-windows-zones.ics');
    const uid = calendarUid(text);
    await assert.rejects(
      ep.putItem(primary, item(text, 'x')),
      refusedWith(/no recurring event with this iCalUID/),
    );
    const left = gw
      .user(ALICE)
      .calendars.events(ALICE)
      .filter((e) => e.iCalUID === uid);
    assert.deepEqual(
      left.map((e) => e.status),
      ['cancelled'],
    );
  });

  test('an event edited in Google reads back from Google’s fields; an event Google made reads as iCalendar', async () => {
    const text = fixture('all-day.ics').replace('2b6e0c2d4f1a@google.com', 'edited-all-day@example.com');
    const ref = await ep.putItem(primary, item(text, 'x'));
    gw.user(ALICE).calendars.edit(ALICE, ref.key, (e) => {
      e.summary = 'Konferenz (verlegt)';
    });
    const back = await readOne(ep, primary, ref.key);
    assert.deepEqual(compareCalendars(text, back.data), [
      'VEVENT edited-all-day@example.com: SUMMARY: "Konferenz (drei Tage, ganztägig)" vs "Konferenz (verlegt)"',
    ]);
    // Made in Google (no hidden copy): every line comes from Google's fields, the calendar's default reminder too.
    const res = await fetch(
      `${emu.url}/calendar/v3/calendars/${encodeURIComponent(ALICE)}/events?sendUpdates=none`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${emu.auth.issue(ALICE, ['https://www.googleapis.com/auth/calendar'])}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          summary: 'Jour fixe; weekly',
          start: { dateTime: '2026-01-05T09:00:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-01-05T09:30:00', timeZone: 'Europe/Berlin' },
          recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
          attendees: [{ email: 'bob@example.com', responseStatus: 'tentative', optional: true }],
          reminders: { useDefault: true },
        }),
      },
    );
    const made = (await res.json()) as { id: string; iCalUID: string };
    const native = await readOne(ep, primary, made.id);
    assert.deepEqual(
      compareCalendars(
        [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'BEGIN:VEVENT',
          `UID:${made.iCalUID}`,
          'DTSTART;TZID=Europe/Berlin:20260105T090000',
          'DTEND;TZID=Europe/Berlin:20260105T093000',
          'SUMMARY:Jour fixe\\; weekly',
          'RRULE:FREQ=WEEKLY;BYDAY=MO',
          'ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:bob@example.com',
          'STATUS:CONFIRMED',
          'BEGIN:VALARM',
          'ACTION:DISPLAY',
          'DESCRIPTION:Jour fixe\\; weekly',
          'TRIGGER:-PT10M',
          'END:VALARM',
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ].join('\r\n'),
        native.data,
      ),
      [],
      native.data,
    );
  });

  test('a second put of the same UID is refused; a replace with a stale ETag is refused; a replace updates in place', async () => {
    const text = fixture('floating.ics').replace(/floating-0f5c/g, 'replace-0f5c');
    const ref = await ep.putItem(primary, item(text, 'r'));
    await assert.rejects(
      ep.putItem(primary, item(text, 'r')),
      refusedWith(/already holds an event with UID/),
    );
    const changed = text.replace('SUMMARY:Laufen', 'SUMMARY:Schwimmen');
    const ref2 = await ep.putItem(primary, item(changed, 'r'), ref);
    assert.equal(ref2.key, ref.key);
    assert.notEqual(ref2.etag, ref.etag);
    await assert.rejects(
      ep.putItem(primary, item(text, 'r'), ref),
      (e: unknown) => e instanceof CutoverError && e.code === ErrorCode.Conflict,
    );
    assert.deepEqual(compareCalendars(changed, (await readOne(ep, primary, ref.key)).data), []);
  });

  test('tasks: a subtask written before its parent ends up under it; what Google Tasks cannot hold is named', async () => {
    const child = fixture('task-subtask.ics');
    const parent = fixture('task-parent.ics');
    const c = await ep.putItem(taskList, item(child, 'c'));
    const p = await ep.putItem(taskList, item(parent, 'p'));
    const backChild = await readOne(ep, taskList, c.key);
    assert.match(backChild.data, new RegExp(`RELATED-TO;RELTYPE=PARENT:${p.key}\r\n`));
    const backParent = await readOne(ep, taskList, p.key);
    // Google Tasks has no UID: the task's id stands in; the rest is compared with that one difference.
    const asWritten = (text: string, uid: string, id: string) =>
      text.replace(`UID:${uid}`, `UID:${id}`).replace('task-parent-4c1b7e2e', p.key);
    const childDiff = compareCalendars(asWritten(child, 'task-child-9e02a6d1', c.key), backChild.data);
    assert.deepEqual(
      childDiff.map((d) => d.replace(c.key, 'ID')),
      [
        'VTODO ID: DUE: "20250307T170000Z" vs "20250307"',
        'VTODO ID: DUE: VALUE (none) vs DATE',
        'VTODO ID: PERCENT-COMPLETE:100: only in first',
        'VTODO ID: PRIORITY:5: only in first',
      ],
    );
    assert.deepEqual(tasksNotKept(child), [
      'UID (Google Tasks gives its own id)',
      'DUE time of day',
      'PRIORITY',
      'PERCENT-COMPLETE',
    ]);
    const parentDiff = compareCalendars(asWritten(parent, 'task-parent-4c1b7e2e', p.key), backParent.data);
    assert.ok(
      parentDiff.some((d) => /STATUS: "IN-PROCESS" vs "NEEDS-ACTION"/.test(d)),
      parentDiff.join('\n'),
    );
    assert.deepEqual(tasksNotKept(parent), [
      'UID (Google Tasks gives its own id)',
      'DTSTART',
      'PRIORITY',
      'STATUS IN-PROCESS',
      'PERCENT-COMPLETE',
      'CATEGORIES',
      'CLASS',
      'VALARM',
    ]);
  });

  test('refusals carry Google’s words: a task title over 1024 characters, an attendee without an address', async () => {
    const long = fixture('task-subtask.ics').replace(
      'SUMMARY:Umzugskartons bestellen',
      `SUMMARY:${'x'.repeat(1100)}`,
    );
    await assert.rejects(
      ep.putItem(taskList, item(long, 'l')),
      refusedWith(/Invalid value for title: at most 1024/),
    );
    const bad = fixture('floating.ics')
      .replace(/floating-0f5c/g, 'bad-attendee')
      .replace('CATEGORIES:Privat', 'ATTENDEE;CN=Nobody:mailto:nobody');
    await assert.rejects(ep.putItem(primary, item(bad, 'b')), refusedWith(/Invalid attendee email/));
  });

  test('delta: events, contacts and tasks report what was added, changed and deleted since the last token', async () => {
    const cal = await ep.changes(primary, undefined);
    const people = await ep.changes('contacts', undefined);
    const tasks = await ep.changes(taskList, undefined);
    assert.ok(cal.full && cal.token && people.full && people.token && tasks.full && tasks.token);
    const text = fixture('floating.ics').replace(/floating-0f5c/g, 'delta-0f5c');
    const added = await ep.putItem(primary, item(text, 'd'));
    const series = cal.changed.find((r) => r.etag.includes('+'));
    assert.ok(series, 'the recurring series has an ETag over its override too');
    const store = gw.user(ALICE).calendars;
    const override = store.events(ALICE).find((e) => e.recurringEventId === series.key)!;
    store.edit(ALICE, String(override.id), (e) => {
      e.summary = 'Team-Abstimmung (wieder verschoben)';
    });
    const gone = cal.changed.find((r) => r.key !== series.key && r.key !== added.key)!;
    await ep.deleteItem!(primary, gone);
    const calDelta = await ep.changes(primary, cal.token);
    assert.equal(calDelta.full, false);
    assert.deepEqual(calDelta.changed.map((r) => r.key).sort(), [added.key, series.key].sort());
    assert.deepEqual(calDelta.deleted, [gone.key]);

    const contact = people.changed[0]!;
    await ep.deleteItem!('contacts', contact);
    const newContact = await ep.putItem(
      'contacts',
      item(fixture('contact-4.0.vcf').replace(/0b0a9a4e/g, 'deadbeef'), 'n'),
    );
    const peopleDelta = await ep.changes('contacts', people.token);
    assert.deepEqual(
      peopleDelta.changed.map((r) => r.key),
      [newContact.key],
    );
    assert.deepEqual(peopleDelta.deleted, [contact.key]);

    const t = tasks.changed[0]!;
    gw.user(ALICE).tasks.completeInApp(taskList.slice('tasks:'.length), t.key);
    const taskDelta = await ep.changes(taskList, tasks.token);
    assert.ok(
      taskDelta.changed.some((r) => r.key === t.key),
      'a task completed in Google’s app is listed',
    );
    const back = await readOne(ep, taskList, t.key);
    assert.match(back.data, /STATUS:COMPLETED/);
  });

  test('expired sync tokens give a full listing: Calendar 410 fullSyncRequired, People EXPIRED_SYNC_TOKEN', async () => {
    const cal = await ep.changes(primary, undefined);
    const people = await ep.changes('contacts', undefined);
    gw.user(ALICE).calendars.expireSyncTokens();
    gw.user(ALICE).people.expireSyncTokens();
    const calAgain = await ep.changes(primary, cal.token);
    assert.equal(calAgain.full, true);
    assert.deepEqual(calAgain.changed.map((r) => r.key).sort(), cal.changed.map((r) => r.key).sort());
    const peopleAgain = await ep.changes('contacts', people.token);
    assert.equal(peopleAgain.full, true);
    assert.equal(peopleAgain.changed.length, people.changed.length);
  });

  test('429 and 403 userRateLimitExceeded become RateLimitError with Google’s wait', async () => {
    emu.throttle(2, 3);
    await assert.rejects(
      ep.changes('contacts', undefined),
      (e: unknown) =>
        e instanceof RateLimitError && /userRateLimitExceeded/.test(e.message) && e.retryAfterMs > 0,
    );
    await assert.rejects(
      ep.changes(primary, undefined),
      (e: unknown) =>
        e instanceof RateLimitError && e.retryAfterMs === 3000 && /Too many requests/.test(e.message),
    );
    assert.ok((await ep.changes(primary, undefined)).changed.length > 0);
  });

  test('the emulator records the invitations Google would send (so the checks above can fail)', async () => {
    const before = gw.notifications.length;
    const res = await fetch(`${emu.url}/calendar/v3/calendars/${encodeURIComponent(ALICE)}/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${emu.auth.issue(ALICE, ['https://www.googleapis.com/auth/calendar'])}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        summary: 'Would invite',
        start: { dateTime: '2026-01-01T10:00:00Z' },
        end: { dateTime: '2026-01-01T11:00:00Z' },
        attendees: [{ email: 'guest@partner.example' }],
      }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      gw.notifications.splice(before).map((n) => [n.op, n.sendUpdates, n.attendees]),
      [['events.insert', '(default)', ['guest@partner.example']]],
    );
  });
});
