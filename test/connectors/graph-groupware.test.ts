/**
 * Microsoft 365 contacts, calendars and To Do tasks through the Graph connector's groupware endpoint,
 * against the LOCAL EMULATOR of Microsoft Graph (test/emulators/graph, emulator-groupware.ts; the real
 * service cannot be reached from here): collections listed and created, the fixtures of
 * test/fixtures/groupware written and read back and compared for meaning (formats/semantic-compare.ts),
 * what Graph holds checked in the emulator's store, events made in Outlook read as iCalendar, delta rounds
 * (added, changed, deleted, an expired link), reruns that find their own copy, refusals in Graph's words,
 * throttling — and that no invitation is ever sent (the emulator records every one Exchange would send).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { GraphClient } from '../../src/connectors/graph/graph-client.js';
import { appOf, tokenSourceFor } from '../../src/connectors/graph/graph-auth.js';
import { graphTarget } from '../../src/connectors/graph/graph-config.js';
import type { GraphGroupware } from '../../src/connectors/graph/graph-groupware.js';
import type { GroupwareItem } from '../../src/connectors/groupware-contract.js';
import { compareCalendars, compareVcards } from '../../src/formats/semantic-compare.js';
import { ianaTimeZones } from '../../src/formats/windows-zones.js';
import { ErrorCode, PermanentError, RateLimitError } from '../../src/errors.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import type { EmUser } from '../emulators/graph/emulator-store.js';
import type { EmInvitation } from '../emulators/graph/emulator-groupware-store.js';

const A = 'anna@contoso.test';
const B = 'bert@contoso.test';
const FIX = path.join(import.meta.dirname, '../fixtures/groupware');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const connector = new GraphConnector();
let emu: GraphEmulator;
let gw: GraphGroupware;
let anna: EmUser;

const open = async (user: string) =>
  (await connector.openGroupware(emulatorServer(emu), appLogin(emu, user))) as GraphGroupware;
const item = (data: string, type: 'text/vcard' | 'text/calendar', key = 'src'): GroupwareItem => ({
  key,
  etag: '',
  contentType: type,
  data,
});
async function readOne(collection: string, key: string): Promise<GroupwareItem> {
  for await (const it of gw.readItems(collection, [key])) return it;
  throw new Error(`${key} not read`);
}
const defaultCalendar = async () =>
  (await gw.listCollections()).find(
    (c) => c.type === 'calendar' && c.isDefault && !c.components?.includes('VTODO'),
  )!.id;
const defaultTasks = async () =>
  (await gw.listCollections()).find((c) => c.components?.includes('VTODO') && c.isDefault)!.id;

before(async () => {
  emu = await startGraphEmulator({ latencyMs: 1 });
  anna = emu.store.addUser(A);
  emu.store.addUser(B);
  gw = await open(A);
});
after(() => emu?.stop());

describe('collections', () => {
  test('the defaults, a calendar shared by someone else, and To Do lists as VTODO calendars', async () => {
    emu.groupware.addSharedCalendar(anna, 'Chef', { name: 'Boss', address: 'boss@contoso.test' });
    const all = await gw.listCollections();
    const contacts = all.find((c) => c.id === 'contacts')!;
    assert.equal(contacts.isDefault, true);
    assert.equal(contacts.type, 'addressbook');
    const cal = all.find((c) => c.type === 'calendar' && c.isDefault && c.components?.[0] === 'VEVENT')!;
    assert.equal(cal.displayName, 'Calendar');
    assert.equal(cal.sharedFrom, undefined);
    const shared = all.find((c) => c.displayName === 'Chef')!;
    assert.equal(shared.sharedFrom, 'Boss <boss@contoso.test> (read-only)');
    assert.equal(shared.color, '#87D28E');
    const tasks = all.find((c) => c.components?.includes('VTODO'))!;
    assert.deepEqual([tasks.displayName, tasks.isDefault, tasks.components], ['Tasks', true, ['VTODO']]);
  });

  test('ensureCollection creates each kind once, maps defaults onto defaults, says what it cannot keep', async () => {
    const book = await gw.ensureCollection({
      id: 'x',
      type: 'addressbook',
      displayName: 'Kunden',
      isDefault: false,
      description: 'Alle Kunden',
    });
    assert.equal(book.existed, false);
    assert.match(book.id, /^contactFolders\//);
    assert.deepEqual(book.notKept, ['description: Outlook contact folders have none']);
    const again = await gw.ensureCollection({
      id: 'x',
      type: 'addressbook',
      displayName: 'kunden',
      isDefault: false,
    });
    assert.deepEqual([again.id, again.existed], [book.id, true]);
    const work = await gw.ensureCollection({
      id: 'y',
      type: 'calendar',
      components: ['VEVENT'],
      displayName: 'Work',
      color: '#A6D1F5FF',
      isDefault: false,
    });
    assert.equal(work.existed, false);
    assert.equal(
      [...emu.groupware.of(anna).calendars.values()].find((c) => c.name === 'Work')!.color,
      'lightBlue',
    );
    const list = await gw.ensureCollection({
      id: 'z',
      type: 'calendar',
      components: ['VTODO'],
      displayName: 'Umzug',
      isDefault: false,
      color: '#FF0000',
    });
    assert.match(list.id, /^todo\/lists\//);
    assert.deepEqual(list.notKept, ['colour #FF0000: To Do lists have none']);
    const def = await gw.ensureCollection({
      id: 'w',
      type: 'calendar',
      displayName: 'Kalender',
      isDefault: true,
    });
    assert.deepEqual([def.id, def.existed], [await defaultCalendar(), true]);
    const listed = await gw.listCollections();
    for (const id of [book.id, work.id, list.id])
      assert.ok(
        listed.some((c) => c.id === id),
        id,
      );
  });
});

describe('contacts ↔ vCard', () => {
  for (const name of ['contact-2.1.vcf', 'contact-3.0.vcf', 'contact-4.0.vcf', 'group-4.0.vcf']) {
    test(`${name} is written, and read back meaning the same`, async () => {
      const data = fixture(name);
      const ref = await gw.putItem('contacts', item(data, 'text/vcard'));
      const back = await readOne('contacts', ref.key);
      assert.equal(back.etag, ref.etag);
      assert.deepEqual(compareVcards(data, back.data), []);
    });
  }

  test('Graph holds the fields Outlook shows; what it has no field for is said', async () => {
    const ref = await gw.putItem('contacts', item(fixture('contact-2.1.vcf'), 'text/vcard'));
    const c = emu.groupware.of(anna).contacts.get(ref.key)!.json;
    assert.equal(c.surname, 'Müller-Lüdenscheidt');
    assert.equal(c.givenName, 'Anna');
    assert.equal(c.title, 'Dr.');
    assert.equal(c.companyName, 'Beispiel GmbH');
    assert.equal(c.department, 'Vertrieb');
    assert.equal(c.mobilePhone, '+49 170 1234567');
    assert.deepEqual(c.businessPhones, ['+49 30 1234567']);
    assert.deepEqual(c.homePhones, ['+49 30 7654321']);
    assert.deepEqual(
      (c.emailAddresses as Array<{ address: string }>).map((e) => e.address),
      ['anna.mueller@old.example', 'anna@private.example'],
    );
    assert.equal(c.birthday, '1980-03-15T00:00:00Z');
    assert.match(String(c.personalNotes), /Messe in Köln\.\r?\nMag keinen Kaffee/);
    assert.deepEqual(c.businessAddress, {
      street: 'Hauptstraße 1',
      city: 'Berlin',
      postalCode: '10115',
      countryOrRegion: 'Deutschland',
    });
    const notes = gw.notes.get(ref.key)!;
    assert.ok(
      notes.some((n) => /^TEL \+49 30 1234568 \(work,fax\)/.test(n)),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => /PHOTO/.test(n) && /Outlook does not show it/.test(n)),
      notes.join('\n'),
    );
  });

  test('a change made in Outlook wins over the kept original; the rest comes back as written', async () => {
    const data = fixture('contact-3.0.vcf');
    const ref = await gw.putItem('contacts', item(data, 'text/vcard'));
    const stored = emu.groupware.of(anna).contacts.get(ref.key)!;
    stored.json.jobTitle = 'Head of Support';
    emu.groupware.touchContact(stored);
    const diff = compareVcards(data, (await readOne('contacts', ref.key)).data);
    assert.deepEqual(diff, [
      'VCARD 5C3E1D2F-8A7B-4C6D-9E0F-112233445566: TITLE:Head of Support: only in second',
    ]);
  });

  test('a rerun finds its own copy by UID instead of making a second; replace needs the current changeKey', async () => {
    const data = fixture('contact-4.0.vcf');
    const count = () => [...emu.groupware.of(anna).contacts.values()].length;
    const first = await gw.putItem('contacts', item(data, 'text/vcard'));
    const n = count();
    const second = await gw.putItem('contacts', item(data, 'text/vcard'));
    assert.equal(second.key, first.key);
    assert.equal(count(), n);
    const changed = data.replace('FN:Li Wei (李伟)', 'FN:Wei Li');
    const third = await gw.putItem('contacts', item(changed, 'text/vcard'), second);
    assert.equal(emu.groupware.of(anna).contacts.get(third.key)!.json.displayName, 'Wei Li');
    await assert.rejects(gw.putItem('contacts', item(data, 'text/vcard'), second), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, ErrorCode.Conflict);
      assert.match(err.message, /does not match the current change key for the item/);
      return true;
    });
  });
});

describe('events ↔ iCalendar', () => {
  test('a recurring series with overrides and EXDATEs: one series in Graph, read back meaning the same', async () => {
    const cal = await defaultCalendar();
    const data = fixture('recurring-series.ics');
    const ref = await gw.putItem(cal, item(data, 'text/calendar'));
    const d = emu.groupware.of(anna);
    const master = d.events.get(ref.key)!;
    assert.equal(master.type, 'seriesMaster');
    assert.deepEqual(master.json.start, {
      dateTime: '2025-03-03T09:30:00.0000000',
      timeZone: 'W. Europe Standard Time',
    });
    const rec = master.json.recurrence as {
      pattern: Record<string, unknown>;
      range: Record<string, unknown>;
    };
    assert.deepEqual(rec.pattern, {
      type: 'weekly',
      interval: 1,
      daysOfWeek: ['monday', 'wednesday'],
      firstDayOfWeek: 'monday',
    });
    assert.equal(rec.range.endDate, '2025-06-30');
    assert.equal(master.json.attendees, undefined, 'attendees are never given to Graph');
    assert.equal(master.json.sensitivity, 'confidential');
    assert.deepEqual(master.json.categories, ['Arbeit', 'Planung', 'Wöchentlich']);
    const exceptions = [...d.events.values()].filter((e) => e.seriesMasterId === master.id);
    assert.deepEqual(exceptions.map((e) => e.json.subject).sort(), [
      'Team-Abstimmung (verschoben)',
      'Team-Abstimmung – doppelte Länge',
    ]);
    assert.equal(d.cancelled.get(master.id)?.size, 3);
    const back = await readOne(cal, ref.key);
    assert.equal(back.uid, '8F3C2A10-5B7D-4E21-9A3F-1D2E3F4A5B6C');
    assert.deepEqual(compareCalendars(data, back.data), []);
    const notes = gw.notes.get(ref.key)!;
    assert.ok(
      notes.some((n) => n.startsWith('ORGANIZER/ATTENDEE')),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => n.startsWith('RDATE')),
      notes.join('\n'),
    );
    assert.deepEqual(emu.groupware.invitations, []);
  });

  test('an all-day yearly event and a floating one', async () => {
    const cal = await defaultCalendar();
    for (const name of ['all-day.ics', 'floating.ics']) {
      const data = fixture(name);
      const ref = await gw.putItem(cal, item(data, 'text/calendar'));
      const ev = emu.groupware.of(anna).events.get(ref.key)!.json;
      assert.equal(ev.isAllDay, name === 'all-day.ics');
      assert.deepEqual(compareCalendars(data, (await readOne(cal, ref.key)).data), [], name);
    }
  });

  test('Exchange zones: Windows names kept, a customised zone resolved, an override without a series said', async () => {
    const cal = await defaultCalendar();
    const data = fixture('exchange-windows-zones.ics');
    const ref = await gw.putItem(cal, item(data, 'text/calendar'));
    const ev = emu.groupware.of(anna).events.get(ref.key)!.json;
    assert.deepEqual(ev.start, {
      dateTime: '2025-03-20T17:00:00.0000000',
      timeZone: 'W. Europe Standard Time',
    });
    assert.deepEqual(ev.end, { dateTime: '2025-03-20T10:30:00.0000000', timeZone: 'Pacific Standard Time' });
    assert.equal(ev.reminderMinutesBeforeStart, 15);
    const back = (await readOne(cal, ref.key)).data;
    assert.deepEqual(compareCalendars(data, back), [
      'VEVENT 040000008200E00074C5B7101A82E00800000000C0B8D2A1F289DB01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F9 RECURRENCE-ID 20250321T120000: only in first',
    ]);
    assert.ok(gw.notes.get(ref.key)!.some((n) => /overridden instance\(s\).*without a series/.test(n)));
  });

  test('an event made in Outlook: Windows zone to IANA, attendees with their answers, cancelled occurrence', async () => {
    const cal = await defaultCalendar();
    const master = emu.groupware.seedEvent(anna, {
      subject: 'Jour fixe',
      body: { contentType: 'text', content: 'Agenda folgt' },
      start: { dateTime: '2025-04-01T10:00:00.0000000', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2025-04-01T10:30:00.0000000', timeZone: 'W. Europe Standard Time' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'sunday' },
        range: {
          type: 'numbered',
          startDate: '2025-04-01',
          numberOfOccurrences: 4,
          recurrenceTimeZone: 'W. Europe Standard Time',
        },
      },
      organizer: { emailAddress: { address: 'boss@contoso.test', name: 'Boss' } },
      attendees: [
        { type: 'required', emailAddress: { address: A, name: 'Anna' }, status: { response: 'accepted' } },
        {
          type: 'optional',
          emailAddress: { address: 'carl@contoso.test', name: 'Carl' },
          status: { response: 'tentativelyAccepted' },
        },
        {
          type: 'resource',
          emailAddress: { address: 'room@contoso.test', name: 'Raum 1' },
          status: { response: 'none' },
        },
      ],
      isReminderOn: true,
      reminderMinutesBeforeStart: 10,
      showAs: 'tentative',
      importance: 'high',
    });
    emu.groupware.of(anna).cancelled.set(master.id, new Set([Date.UTC(2025, 3, 8, 8, 0)]));
    const back = (await readOne(cal, master.id)).data;
    const expected = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      `UID:${master.json.iCalUId}`,
      'SUMMARY:Jour fixe',
      'DESCRIPTION:Agenda folgt',
      'DTSTART;TZID=Europe/Berlin:20250401T100000',
      'DTEND;TZID=Europe/Berlin:20250401T103000',
      'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4',
      'EXDATE;TZID=Europe/Berlin:20250408T100000',
      'X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE',
      'PRIORITY:1',
      'ORGANIZER;CN=Boss:mailto:boss@contoso.test',
      `ATTENDEE;CN=Anna;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:${A}`,
      'ATTENDEE;CN=Carl;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:carl@contoso.test',
      'ATTENDEE;CN=Raum 1;ROLE=NON-PARTICIPANT;CUTYPE=RESOURCE;PARTSTAT=NEEDS-ACTION:mailto:room@contoso.test',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Reminder',
      'TRIGGER:-PT10M',
      'END:VALARM',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    assert.deepEqual(compareCalendars(expected, back), []);
  });

  test('replace: the series is updated in place (If-Match), a rerun finds its own copy', async () => {
    const cal = await defaultCalendar();
    const data = fixture('all-day.ics');
    const events = () =>
      [...emu.groupware.of(anna).events.values()].filter(
        (e) => e.json.subject === 'Konferenz (drei Tage, ganztägig)',
      ).length;
    const before = events();
    const first = await gw.putItem(cal, item(data, 'text/calendar'));
    assert.equal(events(), before, 'the copy of the earlier test was found by its UID');
    const changed = data.replace('SUMMARY:Konferenz (drei Tage\\, ganztägig)', 'SUMMARY:Konferenz (verlegt)');
    const second = await gw.putItem(cal, item(changed, 'text/calendar'), first);
    assert.equal(second.key, first.key);
    assert.equal(emu.groupware.of(anna).events.get(first.key)!.json.subject, 'Konferenz (verlegt)');
    await assert.rejects(
      gw.putItem(cal, item(data, 'text/calendar'), first),
      /does not match the current change key/,
    );
  });

  test('a refused event carries Graph’s words and is a rejected item', async () => {
    const cal = await defaultCalendar();
    const bad = fixture('floating.ics')
      .replace('DTEND:20250318T073000', 'DTEND:20250318T063000')
      .replace(/UID:.*/, 'UID:backwards');
    await assert.rejects(gw.putItem(cal, item(bad, 'text/calendar')), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, ErrorCode.MessageRejected);
      assert.match(
        err.message,
        /HTTP 400 ErrorInvalidRequest — The end time of the event is before its start time\./,
      );
      return true;
    });
  });
});

describe('To Do tasks ↔ VTODO', () => {
  test('a task and its subtask, read back meaning the same; To Do fields set; the missing link said', async () => {
    const list = await defaultTasks();
    for (const name of ['task-parent.ics', 'task-subtask.ics']) {
      const data = fixture(name);
      const ref = await gw.putItem(list, item(data, 'text/calendar'));
      assert.deepEqual(compareCalendars(data, (await readOne(list, ref.key)).data), [], name);
      const t = emu.groupware.of(anna).tasks.get(ref.key)!.json;
      if (name === 'task-parent.ics') {
        assert.deepEqual([t.title, t.importance, t.status], ['Umzug vorbereiten', 'high', 'inProgress']);
        assert.deepEqual(t.reminderDateTime, { dateTime: '2025-03-28T08:00:00.0000000', timeZone: 'UTC' });
        assert.deepEqual(t.dueDateTime, { dateTime: '2025-03-31T00:00:00.0000000', timeZone: 'UTC' });
      } else {
        assert.deepEqual(
          [t.status, t.completedDateTime],
          ['completed', { dateTime: '2025-03-04T11:30:00.0000000', timeZone: 'UTC' }],
        );
        assert.ok(gw.notes.get(ref.key)!.some((n) => n.startsWith('RELATED-TO')));
      }
    }
  });
});

describe('To Do replace', () => {
  test('a task changed in To Do since Cutover wrote it is not overwritten (To Do takes no If-Match)', async () => {
    const list = await defaultTasks();
    const data = fixture('task-parent.ics');
    const first = await gw.putItem(list, item(data, 'text/calendar'));
    const second = await gw.putItem(
      list,
      item(data.replace('Umzug vorbereiten', 'Umzug planen'), 'text/calendar'),
      first,
    );
    assert.equal(second.key, first.key);
    assert.equal(emu.groupware.of(anna).tasks.get(second.key)!.json.title, 'Umzug planen');
    await assert.rejects(gw.putItem(list, item(data, 'text/calendar'), first), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, ErrorCode.Conflict);
      return true;
    });
    assert.equal(emu.groupware.of(anna).tasks.get(second.key)!.json.title, 'Umzug planen', 'left as it was');
  });
});

describe('delta', () => {
  test('contacts: added, changed, deleted; an expired link gives a full listing', async () => {
    const start = await gw.changes('contacts', undefined);
    assert.equal(start.full, true);
    assert.ok(start.changed.length > 0);
    const quiet = await gw.changes('contacts', start.token);
    assert.deepEqual([quiet.changed, quiet.deleted, quiet.full], [[], [], false]);
    const added = await gw.putItem('contacts', item(fixture('group-apple-3.0.vcf'), 'text/vcard'));
    const victim = start.changed[0]!;
    const other = start.changed[1]!;
    await gw.deleteItem('contacts', victim);
    const c = emu.groupware.of(anna).contacts.get(other.key)!;
    c.json.nickName = 'Neu';
    emu.groupware.touchContact(c);
    const next = await gw.changes('contacts', quiet.token);
    assert.deepEqual(next.changed.map((r) => r.key).sort(), [added.key, other.key].sort());
    assert.deepEqual(next.deleted, [victim.key]);
    emu.groupware.expireDeltaTokens();
    const again = await gw.changes('contacts', next.token);
    assert.equal(again.full, true);
    assert.ok(again.changed.some((r) => r.key === added.key));
  });

  test('calendars: a new event, a series whose occurrence was changed or cancelled, a deleted event', async () => {
    const cal = await defaultCalendar();
    const start = await gw.changes(cal, undefined);
    assert.equal(start.full, true);
    const series = start.changed.find(
      (r) => emu.groupware.of(anna).events.get(r.key)?.json.subject === 'Team-Abstimmung, Woche für Woche',
    );
    assert.ok(series, 'the series master is listed as one item');
    const today = new Date();
    const single = await gw.putItem(
      cal,
      item(
        [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'BEGIN:VEVENT',
          'UID:delta-single',
          `DTSTART:${today.toISOString().slice(0, 10).replace(/-/g, '')}T120000Z`,
          `DTEND:${today.toISOString().slice(0, 10).replace(/-/g, '')}T130000Z`,
          'SUMMARY:Neu',
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ].join('\r\n'),
        'text/calendar',
      ),
    );
    const step = await gw.changes(cal, start.token);
    assert.deepEqual(
      step.changed.map((r) => r.key),
      [single.key],
    );
    // An occurrence of the series cancelled in Outlook: the master comes back changed.
    const d = emu.groupware.of(anna);
    d.cancelled.get(series.key)!.add(Date.UTC(2025, 2, 19, 8, 30));
    emu.groupware.touchEvent(d.events.get(series.key)!);
    await gw.deleteItem(cal, single);
    const next = await gw.changes(cal, step.token);
    assert.ok(
      next.changed.some((r) => r.key === series.key && r.etag === d.events.get(series.key)!.changeKey),
    );
    assert.ok(next.deleted.includes(single.key));
    emu.groupware.expireDeltaTokens();
    assert.equal((await gw.changes(cal, next.token)).full, true);
  });

  test('To Do: a changed task', async () => {
    const list = await defaultTasks();
    const start = await gw.changes(list, undefined);
    const t = emu.groupware.of(anna).tasks.get(start.changed[0]!.key)!;
    t.json.title = 'Umzug vorbereiten!';
    emu.groupware.touchTask(t);
    const next = await gw.changes(list, start.token);
    assert.deepEqual(next.changed, [{ key: t.id, etag: t.etag }]);
  });
});

describe('no invitations, throttling', () => {
  test('nothing Cutover wrote would have been sent; the emulator does record what Graph would send', async () => {
    assert.deepEqual(emu.groupware.invitations, []);
    // Control: the same series given to Graph with its attendees, as a naive writer would, is mailed.
    const client = new GraphClient(
      graphTarget(emulatorServer(emu), appLogin(emu, B)),
      tokenSourceFor(
        graphTarget(emulatorServer(emu), appLogin(emu, B)),
        appLogin(emu, B),
        appOf(emulatorServer(emu)),
      ),
    );
    const cal = [...emu.groupware.of(emu.store.user(B)!).calendars.values()][0]!;
    await client.json('POST', `/users/${B}/calendars/${cal.id}/events`, {
      body: {
        subject: 'naive',
        start: { dateTime: '2025-05-05T10:00:00', timeZone: 'UTC' },
        end: { dateTime: '2025-05-05T11:00:00', timeZone: 'UTC' },
        attendees: [{ type: 'required', emailAddress: { address: 'x@partner.example' } }],
      },
    });
    const sent: EmInvitation[] = emu.groupware.invitations;
    assert.deepEqual(
      sent.map((i) => [i.mailbox, i.kind, i.to]),
      [[B, 'request', ['x@partner.example']]],
    );
    emu.groupware.invitations.length = 0;
  });

  test('a 429 becomes a RateLimitError with Graph’s wait, and the next call goes through', async () => {
    emu.throttleNext(1, 7);
    await assert.rejects(
      gw.listCollections(),
      (err: unknown) => err instanceof RateLimitError && err.retryAfterMs === 7000,
    );
    assert.ok((await gw.listCollections()).length > 0);
  });
});

test('Windows zone names in the fixture map to IANA without moving an instant (the formats layer the reader relies on)', () => {
  const mapped = ianaTimeZones(fixture('exchange-windows-zones.ics'));
  assert.deepEqual(mapped.renamed.map((r) => r.to).sort(), ['America/Los_Angeles', 'Europe/Berlin']);
});
