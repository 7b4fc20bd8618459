/**
 * Items against real Radicale and Xandikos servers (test/harness/): written and read back (the server's own
 * form kept byte for byte, the content the same); a second resource with a UID already in the collection
 * refused with the server's words (Xandikos: 207 holding 412 no-uid-conflict; Radicale: 409 no-uid-conflict);
 * a PUT retried after a lost answer finding its own write; If-Match replace and a stale ETag; multiget in
 * batches with a key gone meanwhile; DELETE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GroupwareEndpoint } from '../../src/connectors/groupware-contract.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import type { DavTestServer } from '../harness/dav-server.js';
import { seeder } from '../harness/dav-server.js';
import { ALICE, SERVERS, contact, event, item, lineSet, openDav, readAll, task } from './dav-fixtures.js';

for (const def of SERVERS) {
  describe(`items on ${def.name}`, () => {
    let s: DavTestServer;
    let ep: GroupwareEndpoint;
    let cal: string;
    let book: string;
    before(async () => {
      s = await def.start();
      ep = await openDav(s);
      cal = (
        await ep.ensureCollection({ id: '/x/', type: 'calendar', displayName: 'Items', isDefault: false })
      ).id;
      book = (
        await ep.ensureCollection({ id: '/y/', type: 'addressbook', displayName: 'People', isDefault: false })
      ).id;
    });
    after(() => s?.stop());

    test('events, tasks and contacts are written and read back as the server stores them', async () => {
      for (const [coll, uid, data] of [
        [cal, 'ev-put@example.com', event('ev-put@example.com', 'Kick-off\\, part 1\\; room 3')],
        [cal, 'todo-put@example.com', task('todo-put@example.com')],
        [book, 'card-put@example.com', contact('card-put@example.com')],
      ] as const) {
        const ref = await ep.putItem(coll, item(`/src/${uid}`, uid, data));
        assert.equal(ref.key, `${coll}${encodeURIComponent(uid)}${coll === book ? '.vcf' : '.ics'}`);
        const got = [];
        for await (const it of ep.readItems(coll, [ref.key])) got.push(it);
        assert.equal(got.length, 1);
        const it = got[0]!;
        assert.equal(it.uid, uid);
        assert.equal(it.etag, ref.etag);
        assert.equal(it.contentType, coll === book ? 'text/vcard' : 'text/calendar');
        // Exactly the bytes the server serves (CRLF kept through the multiget's XML)…
        assert.equal(it.data, (await s.request(ALICE.user, 'GET', ref.key)).body);
        assert.match(it.data, /\r\n$/);
        // …which hold the same lines as what was sent (both servers reorder properties).
        assert.deepEqual(lineSet(it.data), lineSet(data));
        // The server's own form is a fixed point: written again, it comes back byte for byte.
        const again = await ep.putItem(coll, { ...it }, ref);
        const back = [];
        for await (const b of ep.readItems(coll, [again.key])) back.push(b);
        assert.equal(back[0]?.data, it.data);
      }
    });

    test('a second resource with a UID already in the collection is refused with the server’s words', async () => {
      const uid = 'dup@example.com';
      await seeder(s, ALICE.user).put(`${cal}made-by-a-client.ics`, event(uid, 'Original'));
      await assert.rejects(ep.putItem(cal, item('/src/dup', uid, event(uid, 'Copy'))), (e: unknown) => {
        assert.ok(e instanceof PermanentError);
        assert.equal(e.code, ErrorCode.MessageRejected);
        if (def.name === 'Xandikos')
          assert.match(
            e.message,
            /refused the item \(412 Precondition Failed: no-uid-conflict: UID already in use\.\)/,
          );
        else assert.match(e.message, /refused the item \(409 Conflict: no-uid-conflict\)/);
        assert.match(e.hint ?? '', /already has this UID/);
        return true;
      });
      const all = await readAll(ep, cal);
      assert.equal(all.filter((i) => i.uid === uid).length, 1);
    });

    test('a PUT retried after a lost answer finds its own earlier write', async () => {
      const uid = 'retry@example.com';
      const first = await ep.putItem(cal, item('/src/retry', uid, event(uid)));
      const second = await ep.putItem(cal, item('/src/retry', uid, event(uid)));
      assert.deepEqual(second, { ...first, found: true }, 'the same item, said to be found (not written)');
      assert.equal((await readAll(ep, cal)).filter((i) => i.uid === uid).length, 1);
    });

    test('a UID with unsafe characters gets a safe href that is the same every time', async () => {
      const uid = 'Weird UID/with?chars#&ü';
      const ref = await ep.putItem(book, item('/src/w', uid, contact(uid, 'Wendy Weird')));
      assert.match(ref.key, /^\/[A-Za-z0-9/_.%@+-]+\.vcf$/);
      assert.match(ref.key, /Weird_UID_with_chars___-[0-9a-f]{12}\.vcf$/);
      const again = await ep.putItem(book, item('/src/w', uid, contact(uid, 'Wendy Weird')));
      assert.equal(again.key, ref.key);
    });

    test('If-Match replaces the item; a stale ETag is a conflict, nothing written', async () => {
      const uid = 'replace@example.com';
      const ref = await ep.putItem(cal, item('/src/r', uid, event(uid, 'Before')));
      const next = await ep.putItem(cal, item('/src/r', uid, event(uid, 'After')), ref);
      assert.equal(next.key, ref.key);
      assert.notEqual(next.etag, ref.etag);
      await assert.rejects(ep.putItem(cal, item('/src/r', uid, event(uid, 'Stale')), ref), (e: unknown) => {
        assert.ok(e instanceof PermanentError);
        assert.equal(e.code, ErrorCode.Conflict);
        return true;
      });
      const now = (await readAll(ep, cal)).find((i) => i.uid === uid);
      assert.match(now?.data ?? '', /SUMMARY:After\r\n/);
    });

    test('multiget reads in batches and leaves out a key that is gone', async () => {
      const keys: string[] = [];
      for (let i = 0; i < 57; i++) {
        const uid = `batch-${i}@example.com`;
        keys.push((await ep.putItem(book, item(`/src/${uid}`, uid, contact(uid, `Person N${i}`)))).key);
      }
      await seeder(s, ALICE.user).remove(keys[3]!);
      const got = [];
      for await (const it of ep.readItems(book, [...keys, `${book}never-there.vcf`])) got.push(it.key);
      assert.equal(got.length, 56);
      assert.ok(!got.includes(keys[3]!));
      assert.deepEqual(new Set(got), new Set(keys.filter((_, i) => i !== 3)));
    });

    test('deleteItem removes the item and takes an item already gone', async () => {
      const uid = 'gone@example.com';
      const ref = await ep.putItem(cal, item('/src/g', uid, event(uid)));
      const del = ep.deleteItem?.bind(ep);
      assert.ok(del, 'the DAV endpoint deletes items');
      await del(cal, ref);
      assert.equal(
        (await readAll(ep, cal)).some((i) => i.uid === uid),
        false,
      );
      await del(cal, ref);
    });
  });
}
