/**
 * changes() against real Radicale and Xandikos servers (test/harness/): a full listing with a token; after an
 * add, a modify and a delete, only those; nothing after nothing; a token the server no longer takes
 * (Radicale: 403 valid-sync-token; Xandikos: 500 for an unknown one) gives a full listing instead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GroupwareEndpoint } from '../../src/connectors/groupware-contract.js';
import type { DavTestServer } from '../harness/dav-server.js';
import { seeder } from '../harness/dav-server.js';
import { ALICE, SERVERS, event, openDav } from './dav-fixtures.js';

for (const def of SERVERS) {
  describe(`changes on ${def.name}`, () => {
    let s: DavTestServer;
    let ep: GroupwareEndpoint;
    let cal: string;
    before(async () => {
      s = await def.start();
      ep = await openDav(s);
      cal = (
        await ep.ensureCollection({ id: '/x/', type: 'calendar', displayName: 'Sync', isDefault: false })
      ).id;
      const seed = seeder(s, ALICE.user);
      for (const n of [1, 2, 3]) await seed.put(`${cal}e${n}.ics`, event(`e${n}@example.com`));
    });
    after(() => s?.stop());

    test('add, modify and delete are seen with the token; nothing else', async () => {
      const full = await ep.changes(cal, undefined);
      assert.equal(full.full, true);
      assert.deepEqual(full.deleted, []);
      assert.deepEqual(
        full.changed.map((c) => c.key).sort(),
        [1, 2, 3].map((n) => `${cal}e${n}.ics`),
      );
      assert.ok(full.token);
      const etag2 = full.changed.find((c) => c.key.endsWith('e2.ics'))!.etag;

      const seed = seeder(s, ALICE.user);
      await seed.put(`${cal}e4.ics`, event('e4@example.com'));
      await seed.put(`${cal}e2.ics`, event('e2@example.com', 'Moved to Thursday'));
      await seed.remove(`${cal}e3.ics`);
      const delta = await ep.changes(cal, full.token);
      assert.equal(delta.full, false);
      assert.deepEqual(delta.changed.map((c) => c.key).sort(), [`${cal}e2.ics`, `${cal}e4.ics`]);
      assert.notEqual(delta.changed.find((c) => c.key.endsWith('e2.ics'))!.etag, etag2);
      assert.deepEqual(delta.deleted, [`${cal}e3.ics`]);
      assert.ok(delta.token && delta.token !== full.token);

      const none = await ep.changes(cal, delta.token);
      assert.deepEqual([none.changed, none.deleted, none.full], [[], [], false]);
    });

    test('a token the server no longer takes gives the full listing', async () => {
      const stale =
        def.name === 'Radicale' ? `http://radicale.org/ns/sync/${'0'.repeat(64)}` : '0'.repeat(40);
      const r = await ep.changes(cal, stale);
      assert.equal(r.full, true);
      assert.deepEqual(r.deleted, []);
      const now = await ep.changes(cal, undefined);
      assert.deepEqual(r.changed.map((c) => c.key).sort(), now.changed.map((c) => c.key).sort());
      assert.ok(r.changed.length >= 3);
      assert.ok(r.token);
    });
  });
}
