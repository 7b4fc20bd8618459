/**
 * Child process of pg-slots.test.ts: a "worker" that takes connection slots through PostgreSQL and then
 * hangs, to be killed with SIGKILL. Input (env): PG_SLOTS_URL, PG_SLOTS_SERVER (JSON host/port/max),
 * PG_SLOTS_COUNT, PG_SLOTS_LEASE_MS. Prints "held" once it holds them.
 */
import { PgSlots } from '../../src/runner/pg/pg-slots.js';

const server = JSON.parse(process.env.PG_SLOTS_SERVER ?? '{}') as {
  host: string;
  port: number;
  maxConnections: number;
};
const slots = new PgSlots(process.env.PG_SLOTS_URL ?? '', {
  leaseMs: Number(process.env.PG_SLOTS_LEASE_MS),
  pollMs: 20,
});
await slots.acquire(server, undefined, Number(process.env.PG_SLOTS_COUNT));
process.stdout.write('held\n');
setInterval(() => undefined, 60_000); // hold until killed
