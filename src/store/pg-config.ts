/**
 * The pg client settings of a store URL: int8 (counts, bigint columns) and numeric (sums) come back as JS
 * numbers through the connection's own type parsers, so other pg users in the process (pg-boss) keep pg's
 * defaults; a name in pg_stat_activity that says which process and machine a connection belongs to.
 */
import os from 'node:os';
import pg from 'pg';

const INT8 = 20;
const NUMERIC = 1700;

/** pg's parsers, except int8 and numeric as numbers (every value Cutover keeps is far below 2^53). */
function parserOf(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8 || oid === NUMERIC) return (v) => Number(v);
  return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
}
const types: pg.CustomTypesConfig = { getTypeParser: parserOf as pg.CustomTypesConfig['getTypeParser'] };

/** What this process calls itself on the server (pg_stat_activity), so an operator can tell who holds what. */
export const applicationName = () => `cutover ${process.pid}@${os.hostname()}`.slice(0, 63);

/** The pg settings of a store URL (also used for the run lock's own connection). */
export function clientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    types,
    application_name: applicationName(),
    connectionTimeoutMillis: 15_000,
  };
}
