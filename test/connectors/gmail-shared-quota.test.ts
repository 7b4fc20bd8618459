/**
 * The Gmail connector's per-user quota paced over every worker (src/connectors/gmail/gmail-quota.ts through
 * ConnectorContext.sharedLimits), against the LOCAL EMULATOR of the Gmail API (test/emulators/gmail/: Google
 * cannot be reached from here; the emulator refuses a user's requests over its quota with 429) and a real
 * PostgreSQL started by the harness, where two PgSharedLimits on pools of their own stand for two worker
 * processes. Two workers on the same user stay under the configured rate together (the units the emulator
 * received, counted per second), a worker on another user is not slowed by that traffic, and the connector
 * built from a context with the hook paces through it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { GmailApi, UNITS, type GmailOp } from '../../src/connectors/gmail/gmail-api.js';
import { gmailTarget } from '../../src/connectors/gmail/gmail-config.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { PgSharedLimits } from '../../src/runner/pg/pg-shared-limits.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';
import { migratedDatabase, workerPool } from '../runner/pg-limits-support.js';

const USERS = ['ann@example.test', 'bob@example.test', 'cat@example.test', 'dan@example.test'];
/** The emulator's quota per user; the connector is configured at 80 % of it (gmail-fixture.ts). */
const EMULATED_RATE = 100;
const RATE = Math.floor(EMULATED_RATE * 0.8);

let server: PgTestServer;
let emu: GmailEmulator;
const pools: pg.Pool[] = [];
/** Every Gmail API request the emulator received: when, for whom, its units. */
let arrivals: Array<{ at: number; user: string; units: number }> = [];

before(async () => {
  server = await startPostgres();
  emu = await GmailEmulator.start({ users: USERS, unitsPerSecond: EMULATED_RATE });
  emu.beforeRequest = (op, mailbox) =>
    void arrivals.push({ at: Date.now(), user: mailbox.email, units: UNITS[op as GmailOp] ?? 5 });
});
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await emu?.stop();
  await server?.stop();
});

/** Two "workers": each its own pool and PgSharedLimits on one fresh database. */
async function twoWorkers(): Promise<PgSharedLimits[]> {
  const url = await migratedDatabase(server);
  return [0, 1].map(() => {
    const pool = workerPool(url);
    pools.push(pool);
    return new PgSharedLimits(pool, { pollMs: 20 });
  });
}

/**
 * `lanes` requests at a time of messages.list (5 units) for `user` through `hook`, for `ms`. Each worker
 * names the API by a URL of its own (the same emulator), so this process's own per-user gate, which is
 * keyed by the URL, cannot be what keeps two workers under the rate: only the shared window can.
 */
async function traffic(
  hook: PgSharedLimits | undefined,
  user: string,
  lanes: number,
  ms: number,
  worker: string,
): Promise<void> {
  const server = gmailServer(emu, { apiUrl: `${emu.url}/${worker}/..` });
  const api = new GmailApi(gmailTarget(server, serviceAccountLogin(emu, user)), hook);
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (Date.now() < until)
        await api.json({ op: 'messages.list', path: '/messages', query: { maxResults: 1 } });
    }),
  );
}

/** The units `user` spent, in all and at most in any one second, among the arrivals since `from`. */
function spent(user: string, from: number): { total: number; perSecond: number } {
  const mine = arrivals.filter((a) => a.user === user && a.at >= from && a.units > 0);
  let perSecond = 0;
  for (const a of mine) {
    const inSecond = mine.filter((b) => b.at >= a.at && b.at < a.at + 1000);
    perSecond = Math.max(
      perSecond,
      inSecond.reduce((sum, b) => sum + b.units, 0),
    );
  }
  return { total: mine.reduce((sum, a) => sum + a.units, 0), perSecond };
}

test('two workers on the same Gmail user stay under its rate together', async () => {
  const [a, b] = await twoWorkers();
  arrivals = [];
  const rejected = emu.stats.quotaRejected;
  const t0 = Date.now();
  const MS = 3000;
  await Promise.all([traffic(a, USERS[0]!, 4, MS, 'a'), traffic(b, USERS[0]!, 4, MS, 'b')]);
  const seconds = (Date.now() - t0) / 1000;
  const { total, perSecond } = spent(USERS[0]!, t0);
  assert.equal(emu.stats.quotaRejected, rejected, 'the emulator refused nothing over the quota');
  // Each alone would spend RATE a second; together they must not spend more than RATE a second between
  // them (one second's window full at the start, plus RATE per second after it).
  assert.ok(total <= RATE * (seconds + 1), `${total} units in ${seconds} s, rate ${RATE}/s for both`);
  assert.ok(perSecond <= EMULATED_RATE, `${perSecond} units in one second at the emulator`);
  assert.ok(total >= RATE * seconds * 0.6, `${total} units in ${seconds} s: the quota was used`);
  await Promise.all([a!.close(), b!.close()]);
});

test('a worker on another user is not slowed by the first user’s traffic', async () => {
  const [a, b] = await twoWorkers();
  arrivals = [];
  const t0 = Date.now();
  const MS = 3000;
  // Worker a keeps ann's quota full from both of its sides while worker b works on bob.
  await Promise.all([
    traffic(a, USERS[1]!, 4, MS, 'a'),
    traffic(b, USERS[1]!, 4, MS, 'b'),
    traffic(b, USERS[2]!, 3, MS, 'b'),
  ]);
  const seconds = (Date.now() - t0) / 1000;
  const busy = spent(USERS[1]!, t0);
  const other = spent(USERS[2]!, t0);
  assert.ok(busy.total <= RATE * (seconds + 1), `${busy.total} units for the busy user`);
  assert.ok(
    other.total >= RATE * seconds * 0.6,
    `${other.total} units in ${seconds} s for the other user: paced at its own rate (${RATE}/s), not the busy one's`,
  );
  await Promise.all([a!.close(), b!.close()]);
});

test('the connector given the hook in its context counts the user’s units in the shared window', async () => {
  const url = await migratedDatabase(server);
  const pool = workerPool(url);
  pools.push(pool);
  const hook = new PgSharedLimits(pool);
  const gmail = connectorFor('gmail', { sharedLimits: hook });
  const report = await gmail.testLogin(gmailServer(emu), serviceAccountLogin(emu, USERS[3]!));
  assert.match(report.greeting ?? '', /dan@example\.test/);
  const rows = await pool.query<{ key: string; amount: string }>(
    'select key, sum(amount)::text as amount from limit_windows group by key',
  );
  // getProfile and labels.list: 1 unit each (the Gmail API's usage limits).
  assert.deepEqual(
    rows.rows.map((r) => [r.key, Number(r.amount)]),
    [[`gmail:user:${USERS[3]}`, 2]],
  );
  await hook.close();
});
