/**
 * CalDAV/CardDAV discovery and listing against real Radicale and Xandikos servers (test/harness/): the URL's
 * path may be the root, the principal or a home and finds the same collections; each collection is listed
 * with its properties and the default marked; a wrong password (Radicale; Xandikos checks none) is
 * AuthFailed with a hint; the dav:// URL keeps its path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseServerUrl } from '../../src/config/server-url.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { CutoverError, ErrorCode, PermanentError } from '../../src/errors.js';
import type { DavTestServer } from '../harness/dav-server.js';
import { seeder } from '../harness/dav-server.js';
import { ALICE, SERVERS, contact, davUrl, event, openDav } from './dav-fixtures.js';

test('dav:// and davs:// URLs keep their path for discovery', () => {
  const a = parseServerUrl('dav://alice:pw@dav.example.com:5232/dav/calendars/alice/');
  assert.equal(a.server.kind, 'dav');
  assert.equal(a.server.port, 5232);
  assert.equal(a.server.tls, 'none');
  assert.deepEqual(a.server.dav, { path: '/dav/calendars/alice/' });
  const b = parseServerUrl('davs://alice:pw@dav.example.com');
  assert.equal(b.server.tls, 'tls');
  assert.equal(b.server.port, 443);
  assert.deepEqual(b.server.dav, { path: '/' });
  // Other kinds still refuse a path.
  assert.throws(() => parseServerUrl('imap://alice:pw@mail.example.com/INBOX'), /Unexpected path/);
});

test('the dav kind refuses mail with the item types it carries', async () => {
  const { server, auth } = parseServerUrl('dav://alice:pw@127.0.0.1:1/');
  const c = connectorFor('dav');
  assert.deepEqual(c.items, ['contacts', 'calendars', 'tasks']);
  await assert.rejects(c.openSource(server, auth), (e: unknown) => {
    assert.ok(e instanceof PermanentError);
    assert.match(e.message, /contacts, calendars and tasks only/);
    assert.match(e.hint ?? '', /--items contacts,calendars,tasks/);
    return true;
  });
  await assert.rejects(c.openDestination(server, auth), /contacts, calendars and tasks only/);
});

for (const def of SERVERS) {
  describe(`discovery on ${def.name}`, () => {
    let s: DavTestServer;
    before(async () => {
      s = await def.start();
      const seed = seeder(s, ALICE.user);
      const cal = `${s.calendarHome(ALICE.user)}work/`;
      await seed.calendar(cal, 'Work');
      await s.request(
        ALICE.user,
        'PROPPATCH',
        cal,
        '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:I="http://apple.com/ns/ical/"><D:set><D:prop><I:calendar-color>#3366CCFF</I:calendar-color></D:prop></D:set></D:propertyupdate>',
      );
      await seed.calendar(`${s.calendarHome(ALICE.user)}todo/`, 'Chores', ['VTODO']);
      await seed.put(`${cal}ev1.ics`, event('ev1@example.com'));
      const book = s.builtIn.addressbook ?? `${s.addressbookHome(ALICE.user)}contacts/`;
      if (!s.builtIn.addressbook) await seed.addressbook(book, 'Contacts');
      await seed.put(`${book}c1.vcf`, contact('c1@example.com'));
    });
    after(() => s?.stop());

    const starts = () => [
      ['the root', '/'],
      ['the principal', s.principal(ALICE.user)],
      ['the calendar home', s.calendarHome(ALICE.user)],
    ];

    test('the root, the principal and a home find the same collections', async () => {
      const seen: string[][] = [];
      for (const [what, path] of starts()) {
        const ep = await openDav(s, path);
        const ids = (await ep.listCollections()).map((c) => c.id);
        assert.ok(ids.includes(`${s.calendarHome(ALICE.user)}work/`), `${what}: ${ids.join(' ')}`);
        seen.push(ids);
        await ep.close();
      }
      assert.deepEqual(seen[1], seen[0]);
      assert.deepEqual(seen[2], seen[0]);
    });

    test('collections are listed with their properties and the defaults marked', async () => {
      const ep = await openDav(s);
      const list = await ep.listCollections();
      const work = list.find((c) => c.id === `${s.calendarHome(ALICE.user)}work/`);
      assert.equal(work?.type, 'calendar');
      assert.equal(work?.displayName, 'Work');
      assert.equal(work?.color, '#3366CCFF');
      assert.equal(work?.sharedFrom, undefined);
      const chores = list.find((c) => c.displayName === 'Chores');
      assert.ok(chores, list.map((c) => c.displayName).join(', '));
      if (def.name === 'Radicale') assert.deepEqual(chores.components, ['VTODO']);
      // Xandikos treats every calendar as taking every component.
      else assert.deepEqual(chores.components, ['VEVENT', 'VTODO', 'VJOURNAL']);
      const books = list.filter((c) => c.type === 'addressbook');
      assert.equal(books.length, 1);
      assert.equal(books[0]!.isDefault, true);
      const defaults = list.filter((c) => c.type === 'calendar' && c.isDefault).map((c) => c.id);
      // No server here offers schedule-default-calendar-URL: the first calendar (path order) taking events.
      const expected = s.builtIn.calendar ?? `${s.calendarHome(ALICE.user)}todo/`;
      if (def.name === 'Radicale') assert.deepEqual(defaults, [`${s.calendarHome(ALICE.user)}work/`]);
      else assert.deepEqual(defaults, [expected]);
      assert.equal(ep.capabilities.vcardVersion, '3.0');
      assert.deepEqual(ep.capabilities.types, ['contacts', 'calendars', 'tasks']);
    });

    test('testLogin reports the DAV classes, the homes and the collections', async () => {
      const { server, auth } = parseServerUrl(davUrl(s, '/'));
      const r = await connectorFor('dav').testLogin(server, auth);
      assert.ok(r.capabilities.includes('calendar-access'), r.capabilities.join(', '));
      assert.ok(r.capabilities.includes(`calendar home ${s.calendarHome(ALICE.user)}`));
      assert.ok((r.folders ?? 0) >= 3);
    });

    test('a wrong password is AuthFailed with a hint (Xandikos: credentials are ignored)', async () => {
      const wrong = { user: ALICE.user, password: 'not-the-password' };
      if (!s.checksPasswords) {
        // Xandikos has no authentication of its own: the same collections, whatever the password.
        const ep = await openDav(s, '/', wrong);
        assert.ok((await ep.listCollections()).length >= 3);
        return;
      }
      await assert.rejects(openDav(s, '/', wrong), (e: unknown) => {
        assert.ok(e instanceof CutoverError);
        assert.equal(e.code, ErrorCode.AuthFailed);
        assert.match(e.message, /refused the login of alice \(401 Unauthorized\)/);
        assert.match(e.hint ?? '', /user name and password/);
        return true;
      });
    });
  });
}
