/**
 * Contacts, calendars and tasks through the engine's pass into and out of the hosted systems: a real
 * Radicale (started by the harness) into Microsoft 365, then Microsoft 365 into Google Workspace — both
 * against the LOCAL EMULATORS of Microsoft Graph and of the Google APIs (the real services cannot be reached
 * from here). The hard fixtures arrive with nothing failed (Microsoft 365 throttling part way), nobody is
 * sent an invitation or a notification, and a rerun writes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ItemType, ProjectConfig } from '../../src/config/types.js';
import { resolveTarget } from '../../src/cli/context.js';
import { seeder, type DavTestServer } from '../harness/dav-server.js';
import { startRadicale } from '../harness/radicale.js';
import { ALICE, davUrl } from '../connectors/dav-fixtures.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { groupwareOf } from '../emulators/gmail/emulator-groupware.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';
import { migrate, tempDataDir } from './helpers.js';

const FIX = path.resolve('test/fixtures/groupware');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const UPN = 'anna@contoso.test';
const GUSER = 'alice@example.com';
const ITEMS: ItemType[] = ['contacts', 'calendars', 'tasks'];

let rad: DavTestServer;
let graph: GraphEmulator;
let google: GmailEmulator;
before(async () => {
  [rad, graph, google] = await Promise.all([
    startRadicale({ users: [ALICE] }),
    startGraphEmulator({ latencyMs: 1 }),
    GmailEmulator.start({ users: [GUSER] }),
  ]);
  graph.store.addUser(UPN);
});
after(async () => {
  await Promise.all([rad?.stop(), graph?.stop(), google?.stop()]);
});

/** A one-mailbox groupware project between the two sides given. */
function project(
  source: Pick<ProjectConfig, 'source'> & {
    user: string;
    auth?: ProjectConfig['mailboxes'][0]['sourceAuth'];
  },
  dest: Pick<ProjectConfig, 'destination'> & {
    user: string;
    auth?: ProjectConfig['mailboxes'][0]['destAuth'];
  },
): ProjectConfig {
  const base = resolveTarget({ from: davUrl(rad, '/'), to: davUrl(rad, '/') }).project;
  return {
    ...base,
    source: source.source,
    destination: dest.destination,
    mailboxes: base.mailboxes.map((m) => ({
      ...m,
      sourceUser: source.user,
      destUser: dest.user,
      sourceAuth: source.auth ?? m.sourceAuth,
      destAuth: dest.auth,
      options: { ...m.options, itemTypes: ITEMS },
    })),
  };
}

test('Radicale → Microsoft 365 → Google: every item arrives, no invitation or notification is sent, reruns write nothing', async () => {
  const r = seeder(rad, ALICE.user);
  await r.calendar('/alice/home/', 'Home', ['VEVENT']);
  await r.calendar('/alice/jobs/', 'Jobs', ['VTODO']);
  await r.addressbook('/alice/people/', 'People');
  for (const f of ['recurring-series.ics', 'all-day.ics', 'exchange-windows-zones.ics'])
    await r.put(`/alice/home/${f}`, fixture(f));
  for (const f of ['task-parent.ics', 'task-subtask.ics']) await r.put(`/alice/jobs/${f}`, fixture(f));
  for (const f of ['contact-3.0.vcf', 'contact-4.0.vcf']) await r.put(`/alice/people/${f}`, fixture(f));
  const ms = emulatorServer(graph);

  const toGraph = project(
    {
      source: resolveTarget({ from: davUrl(rad, '/'), to: davUrl(rad, '/') }).project.source,
      user: ALICE.user,
    },
    { destination: ms, user: UPN, auth: appLogin(graph, UPN) },
  );
  const dataA = tempDataDir();
  // Microsoft 365 throttles part way (429 with Retry-After 1 s, four times): the pass waits and goes on.
  graph.throttleNext(4, 1);
  const first = await migrate(dataA, toGraph);
  assert.equal(first.outcomes[0]!.status, 'done', first.outcomes[0]!.error);
  const counts = (r: typeof first.reports) => r[0]!.itemsByType;
  const failedOf = (r: typeof first.reports) =>
    r[0]!.items.filter((i) => i.status === 'failed').map((i) => `${i.kind} ${i.name}: ${i.reason}`);
  assert.deepEqual(failedOf(first.reports), []);
  // Microsoft 365's own default calendar, To Do list and contacts folder take the defaults (found, not made).
  assert.deepEqual(counts(first.reports).calendars, { copied: 3, present: 1, skipped: 0, failed: 0 });
  assert.deepEqual(counts(first.reports).tasks, { copied: 2, present: 1, skipped: 0, failed: 0 });
  assert.deepEqual(counts(first.reports).contacts, { copied: 2, present: 1, skipped: 0, failed: 0 });
  assert.deepEqual(graph.groupware.invitations, [], 'Exchange would have mailed nobody');
  const again = await migrate(dataA, toGraph);
  assert.deepEqual(counts(again.reports).calendars, { copied: 3, present: 1, skipped: 0, failed: 0 });

  const toGoogle = project(
    { source: ms, user: UPN, auth: appLogin(graph, UPN) },
    { destination: gmailServer(google), user: GUSER, auth: serviceAccountLogin(google, GUSER) },
  );
  const dataB = tempDataDir();
  const second = await migrate(dataB, toGoogle);
  assert.equal(second.outcomes[0]!.status, 'done', second.outcomes[0]!.error);
  assert.deepEqual(failedOf(second.reports), []);
  assert.ok((counts(second.reports).calendars?.copied ?? 0) >= 3, JSON.stringify(counts(second.reports)));
  assert.ok((counts(second.reports).contacts?.copied ?? 0) >= 2, JSON.stringify(counts(second.reports)));
  assert.deepEqual(groupwareOf(google).notifications, [], 'Google would have notified nobody');
  const third = await migrate(dataB, toGoogle);
  assert.equal(
    Object.values(counts(third.reports)).reduce((s, c) => s + c.failed, 0),
    0,
    JSON.stringify(third.reports[0]!.items),
  );
  // The items stay as the first pass copied them; their collections are found already there.
  for (const [type, c] of Object.entries(counts(third.reports))) {
    const before = counts(second.reports)[type]!;
    assert.equal(c.copied + c.present, before.copied + before.present, type);
  }
});
