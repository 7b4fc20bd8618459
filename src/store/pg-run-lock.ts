/**
 * The run lock of a PostgreSQL store: a session advisory lock per project (`scope`), taken on a connection of
 * its own and held for the run. Two `cutover migrate` processes on one database, on any machines, cannot run
 * the same project at once; a holder
 * that dies (SIGKILL, a lost machine) loses its connection, and with it the lock, so nothing is left to clean.
 */
import pg from 'pg';
import { ErrorCode, PermanentError } from '../errors.js';
import { clientConfig } from './pg-config.js';
import { openError, redactDatabaseUrl } from './postgres-errors.js';
import type { ReleaseLock } from './store.js';

/** The two-int advisory lock key: Cutover's run locks ('CUTV'), then a hash of the scope (the project). */
const LOCK_CLASS = 0x43555456;

/** Take the run lock of `scope` in the database, or throw Busy naming the process that holds it. */
export async function acquirePgRunLock(url: string, scope = ''): Promise<ReleaseLock> {
  const client = new pg.Client(clientConfig(url));
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw openError(err, url);
  }
  const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [
    LOCK_CLASS,
    scope,
  ]);
  if (!r.rows[0]?.ok) {
    const holder = await client
      .query<{ application_name: string; client_addr: string | null }>(
        `select a.application_name, host(a.client_addr) as client_addr from pg_locks l
         join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.classid = $1 and l.objid = hashtext($2)::oid and l.granted`,
        [LOCK_CLASS, scope],
      )
      .then((q) => q.rows[0])
      .catch(() => undefined);
    await client.end().catch(() => undefined);
    const who = holder
      ? `${holder.application_name || 'a process'}${holder.client_addr ? ` from ${holder.client_addr}` : ''}`
      : 'another process';
    throw new PermanentError(
      ErrorCode.Busy,
      `Another Cutover process (${who}) is migrating ${scope ? `project '${scope}'` : 'a project'} with this database (${redactDatabaseUrl(url)}).`,
      'Wait for it to finish or stop it (Ctrl-C); two runs on one store would copy the same messages twice.',
    );
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Ending the session releases every advisory lock it holds.
    await client.end().catch(() => undefined);
  };
}
