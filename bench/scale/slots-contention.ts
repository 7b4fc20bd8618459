/**
 * How fast connection slots are handed out when many workers take them at once on one PostgreSQL database
 * (src/runner/pg/pg-slots.ts): `--takers` PgSlots, each on a pool of its own as a separate worker process
 * would have, take slots of ONE server as the engine does (2 on the server and 2 on a user of it), hold them
 * `--hold-ms`, give them back, again and again for `--seconds`. The server's cap is high enough never to be
 * full, so every wait measured is contention between takers, not a full server. Prints takes/s and the
 * wait per take (p50/p95/max).
 *
 * `node --import tsx bench/scale/slots-contention.ts [--takers 8] [--seconds 10] [--hold-ms 5]
 * [--database-url URL]` (without a URL: a throwaway server of test/harness/postgres.ts).
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PgSlots } from '../../src/runner/pg/pg-slots.js';
import { openStoreAt } from '../../src/store/db.js';
import { startPostgres, type PgTestServer } from '../../test/harness/postgres.js';

const { values } = parseArgs({
  options: {
    takers: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    'hold-ms': { type: 'string', default: '5' },
    'database-url': { type: 'string' },
  },
});
const takers = Number(values.takers);
const seconds = Number(values.seconds);
const holdMs = Number(values['hold-ms']);

let server: PgTestServer | undefined;
let url = values['database-url'];
if (!url) {
  server = await startPostgres();
  url = await server.createDatabase();
}
const store = await openStoreAt({ databaseUrl: url }); // brings the database to the latest schema
await store.close();

const imap = { host: 'imap.bench', port: 993, maxConnections: 4 * takers + 8 };
const pools = Array.from({ length: takers }, () => new pg.Pool({ connectionString: url, max: 4 }));
const slots = pools.map((p) => new PgSlots(p));
const waits: number[] = [];
const until = Date.now() + seconds * 1000;
const started = Date.now();
await Promise.all(
  slots.map(async (s, i) => {
    while (Date.now() < until) {
      const t0 = performance.now();
      const release = await s.acquire(imap, undefined, 2, { [`user${i}`]: 2 });
      waits.push(performance.now() - t0);
      if (holdMs > 0) await sleep(holdMs);
      release();
    }
  }),
);
const elapsed = (Date.now() - started) / 1000;
await Promise.all(slots.map((s) => s.close()));
await Promise.all(pools.map((p) => p.end()));
await server?.stop();

waits.sort((a, b) => a - b);
const at = (q: number) => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))]!.toFixed(1);
process.stdout.write(
  `${takers} takers, ${seconds} s, hold ${holdMs} ms: ${waits.length} takes, ` +
    `${(waits.length / elapsed).toFixed(0)} takes/s; wait per take p50 ${at(0.5)} ms, ` +
    `p95 ${at(0.95)} ms, max ${waits[waits.length - 1]!.toFixed(1)} ms\n`,
);
