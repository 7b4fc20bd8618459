/**
 * ensureCollection against real Radicale and Xandikos servers (test/harness/): a calendar, a task list and an
 * address book created with display name, colour and description; what the server ignored at creation set
 * by PROPPATCH and read back; what it cannot store reported in `notKept` (Xandikos: a calendar's description; an address book's it
 * takes by PROPPATCH); a second
 * call finds the collection instead of making another; the default maps onto the default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GroupwareCollection } from '../../src/connectors/groupware-contract.js';
import type { DavTestServer } from '../harness/dav-server.js';
import { seeder } from '../harness/dav-server.js';
import { ALICE, SERVERS, openDav } from './dav-fixtures.js';

const calendar: GroupwareCollection = {
  id: '/src/cal/',
  type: 'calendar',
  components: ['VEVENT'],
  displayName: 'Projects & Plans',
  color: '#FF8800FF',
  description: 'Everything about the <move>',
  isDefault: false,
};
const tasks: GroupwareCollection = {
  id: '/src/tasks/',
  type: 'calendar',
  components: ['VTODO'],
  displayName: 'Errands',
  color: '#00AA00',
  isDefault: false,
};
const book: GroupwareCollection = {
  id: '/src/book/',
  type: 'addressbook',
  displayName: 'Suppliers',
  description: 'People we buy from',
  isDefault: false,
};

for (const def of SERVERS) {
  describe(`ensureCollection on ${def.name}`, () => {
    let s: DavTestServer;
    before(async () => {
      s = await def.start();
      // Radicale makes nothing for a new user: give alice a default calendar and address book as a client would.
      if (!s.builtIn.calendar)
        await seeder(s, ALICE.user).calendar(`${s.calendarHome(ALICE.user)}main/`, 'Main');
      if (!s.builtIn.addressbook)
        await seeder(s, ALICE.user).addressbook(`${s.addressbookHome(ALICE.user)}book/`, 'Book');
    });
    after(() => s?.stop());

    test('a calendar is created with its colour and description, or what is not kept is said', async () => {
      const ep = await openDav(s);
      const made = await ep.ensureCollection(calendar);
      assert.equal(made.existed, false);
      assert.ok(made.id.startsWith(s.calendarHome(ALICE.user)), made.id);
      const listed = (await ep.listCollections()).find((c) => c.id === made.id);
      assert.equal(listed?.displayName, 'Projects & Plans');
      // Xandikos ignores the colour in MKCALENDAR; the PROPPATCH afterwards sets it.
      assert.equal(listed?.color, '#FF8800FF');
      if (def.name === 'Radicale') {
        assert.equal(listed?.description, 'Everything about the <move>');
        assert.deepEqual(listed?.components, ['VEVENT']);
        assert.deepEqual(made.notKept, []);
      } else {
        // Xandikos cannot store a calendar description (PROPPATCH: 409) and takes every component.
        assert.equal(listed?.description, undefined);
        assert.deepEqual(made.notKept, [
          'description: the server cannot store it (409)',
          'components: the server adds VTODO, VJOURNAL',
        ]);
      }
    });

    test('a second call finds the collection it made', async () => {
      const ep = await openDav(s);
      const first = await ep.ensureCollection(tasks);
      const again = await ep.ensureCollection(tasks);
      assert.equal(first.existed, false);
      assert.equal(again.existed, true);
      assert.equal(again.id, first.id);
      const listed = (await ep.listCollections()).filter((c) => c.displayName === 'Errands');
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.color?.toUpperCase().slice(0, 7), '#00AA00');
    });

    test('an address book is created by extended MKCOL with its description', async () => {
      const ep = await openDav(s);
      const made = await ep.ensureCollection(book);
      const listed = (await ep.listCollections()).find((c) => c.id === made.id);
      assert.equal(listed?.type, 'addressbook');
      assert.equal(listed?.displayName, 'Suppliers');
      // Xandikos ignores it in MKCOL but takes it by PROPPATCH afterwards.
      assert.equal(listed?.description, 'People we buy from');
      assert.deepEqual(made.notKept, []);
    });

    test('a path already taken by something the listing does not show gets the next suffix', async () => {
      const plain = `${s.calendarHome(ALICE.user)}plain/`;
      const made = await s.request(ALICE.user, 'MKCOL', plain);
      if (def.name === 'Radicale') {
        // Radicale refuses plain collections in a user's home, so nothing unlisted can sit there.
        assert.equal(made.status, 403);
        return;
      }
      assert.equal(made.status, 201, made.body);
      const ep = await openDav(s);
      const r = await ep.ensureCollection({
        id: '/src/p/',
        type: 'calendar',
        displayName: 'Plain',
        isDefault: false,
      });
      assert.equal(r.id, `${s.calendarHome(ALICE.user)}plain-2/`);
      assert.equal(r.existed, false);
    });

    test('the default calendar and address book map onto the destination’s defaults', async () => {
      const ep = await openDav(s);
      const before = await ep.listCollections();
      const cal = await ep.ensureCollection({
        ...calendar,
        displayName: 'Kalender',
        isDefault: true,
        components: undefined,
      });
      const ab = await ep.ensureCollection({ ...book, displayName: 'Adressbuch', isDefault: true });
      assert.equal(cal.existed, true);
      assert.equal(ab.existed, true);
      assert.equal(cal.id, before.find((c) => c.type === 'calendar' && c.isDefault)?.id);
      assert.equal(ab.id, before.find((c) => c.type === 'addressbook' && c.isDefault)?.id);
      assert.equal((await ep.listCollections()).length, before.length);
    });
  });
}
