/**
 * Both directions between the real servers (test/harness/): Radicale → Xandikos and Xandikos → Radicale,
 * driven through the groupware contract the way a pass uses it (list, ensure, changes, multiget, PUT), then a
 * second pass from the sync token that replaces only the item changed at the source. The engine's own pass
 * (ledger, report) is the lead's; this proves the connector carries what the servers hold, on either side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GroupwareEndpoint, GroupwareItemRef } from '../../src/connectors/groupware-contract.js';
import type { DavTestServer } from '../harness/dav-server.js';
import { seeder } from '../harness/dav-server.js';
import { startRadicale } from '../harness/radicale.js';
import { startXandikos } from '../harness/xandikos.js';
import { ALICE, BOB, contact, event, lineSet, openDav, readAll, task } from './dav-fixtures.js';

/** What one pass keeps per source collection: where it went, the token, source key → destination ref. */
type State = Map<string, { dest: string; token?: string; items: Map<string, GroupwareItemRef> }>;

async function pass(src: GroupwareEndpoint, dst: GroupwareEndpoint, state: State): Promise<number> {
  let written = 0;
  for (const c of await src.listCollections()) {
    if (c.sharedFrom) continue;
    let st = state.get(c.id);
    if (!st) {
      st = { dest: (await dst.ensureCollection(c)).id, items: new Map() };
      state.set(c.id, st);
    }
    const ch = await src.changes(c.id, st.token);
    for await (const it of src.readItems(
      c.id,
      ch.changed.map((r) => r.key),
    )) {
      st.items.set(it.key, await dst.putItem(st.dest, it, st.items.get(it.key)));
      written++;
    }
    st.token = ch.token;
  }
  return written;
}

describe('Radicale ↔ Xandikos through the groupware contract', () => {
  let rad: DavTestServer;
  let xan: DavTestServer;
  before(async () => {
    [rad, xan] = await Promise.all([startRadicale({ users: [ALICE, BOB] }), startXandikos()]);
    const r = seeder(rad, ALICE.user);
    await r.calendar('/alice/home/', 'Home');
    await r.calendar('/alice/jobs/', 'Jobs', ['VTODO']);
    await r.addressbook('/alice/people/', 'People');
    await r.put('/alice/home/a.ics', event('rad-a@example.com', 'Dentist'));
    await r.put('/alice/home/b.ics', event('rad-b@example.com', 'Concert', ['LOCATION:Town hall']));
    await r.put('/alice/jobs/t.ics', task('rad-t@example.com'));
    await r.put('/alice/people/c.vcf', contact('rad-c@example.com', 'Grace Hopper'));
    const x = seeder(xan, ALICE.user);
    await x.put('/user/calendars/calendar/x.ics', event('xan-x@example.com', 'Standup'));
    await x.put('/user/contacts/addressbook/y.vcf', contact('xan-y@example.com', 'Alan Turing'));
  });
  after(async () => {
    await rad?.stop();
    await xan?.stop();
  });

  for (const [from, to] of [
    ['Radicale', 'Xandikos'],
    ['Xandikos', 'Radicale'],
  ] as const) {
    test(`${from} → ${to}: every item arrives with its content, and a delta pass replaces only what changed`, async () => {
      const server = (n: string) => (n === 'Radicale' ? rad : xan);
      const src = await openDav(server(from));
      // Into Radicale as bob: alice's Radicale collections already hold the items that went to Xandikos.
      const dst = await openDav(server(to), '/', to === 'Radicale' ? BOB : ALICE);
      const state: State = new Map();
      const first = await pass(src, dst, state);
      assert.ok(first >= 2);
      for (const [srcId, st] of state) {
        const want = await readAll(src, srcId);
        const got = await readAll(dst, st.dest);
        for (const w of want) {
          const g = got.find((i) => i.uid === w.uid);
          assert.ok(g, `${w.uid} missing in ${st.dest}`);
          assert.deepEqual(lineSet(g.data), lineSet(w.data), w.uid);
        }
      }
      // Nothing changed: nothing written. Then one change at the source: one replace, no duplicate.
      assert.equal(await pass(src, dst, state), 0);
      const [srcId, st] = [...state].find(([id]) => id.includes(from === 'Radicale' ? 'home' : 'calendar/'))!;
      const uid = from === 'Radicale' ? 'rad-a@example.com' : 'xan-x@example.com';
      const key = (await readAll(src, srcId)).find((i) => i.uid === uid)!.key;
      await seeder(server(from), ALICE.user).put(key, event(uid, 'Moved'));
      assert.equal(await pass(src, dst, state), 1);
      const copies = (await readAll(dst, st.dest)).filter((i) => i.uid === uid);
      assert.equal(copies.length, 1);
      assert.match(copies[0]!.data, /SUMMARY:Moved\r\n/);
    });
  }
});
