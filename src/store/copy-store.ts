/**
 * Moving an embedded store into PostgreSQL (`cutover migrate-store`): every table of the SQLite store, parents
 * before children (its foreign keys decide), ids kept, in one transaction on the target; identity sequences
 * moved past the copied ids; the row counts of every table compared before the commit. A target that
 * already holds a project or a mailbox is refused: merging two stores is not a copy.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { ConflictError, ErrorCode, PermanentError } from '../errors.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** Rows read and written at a time (PostgreSQL takes at most 65535 parameters per statement). */
const BATCH = 1000;

/** Rows per table, as copied and as counted on both sides. */
export interface CopiedTable {
  table: string;
  rows: number;
}

type Row = Record<string, unknown>;

/** The store's own tables, each after every table it references. */
async function tablesInOrder(db: Kysely<Database>): Promise<string[]> {
  const names = (
    await sql<{ name: string }>`select name from sqlite_master where type = 'table'
      and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db)
  ).rows.map((r) => r.name);
  const parents = new Map<string, string[]>();
  for (const t of names) {
    const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${t})`.execute(db);
    parents.set(
      t,
      fks.rows.map((r) => r.table).filter((p) => p !== t),
    );
  }
  const out: string[] = [];
  const visit = (t: string, path: string[]) => {
    if (out.includes(t)) return;
    if (path.includes(t)) throw new Error(`foreign keys form a cycle: ${[...path, t].join(' → ')}`);
    for (const p of parents.get(t) ?? []) if (names.includes(p)) visit(p, [...path, t]);
    out.push(t);
  };
  for (const t of names) visit(t, []);
  return out;
}

async function count(db: Kysely<Database> | Transaction<Database>, table: string): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Refuse a target that already holds something to merge with (a project, or any row of these tables). */
async function refuseNonEmpty(
  to: Store,
  db: Kysely<Database> | Transaction<Database>,
  tables: string[],
): Promise<void> {
  const projects = await count(db, 'projects');
  let held: string | undefined = projects ? `${projects} project(s)` : undefined;
  for (const t of tables) {
    if (held) break;
    const n = await count(db, t);
    if (n) held = `${n} row(s) in ${t}`;
  }
  if (!held) return;
  throw new ConflictError(
    `The database ${to.location} already holds ${held}: migrate-store copies into an empty store only.`,
    'Point --to at a new database (createdb NAME), or, to start over, drop this one and create it again (dropdb NAME && createdb NAME), then run migrate-store again.',
  );
}

/** Copy one table, BATCH rows at a time in rowid order; returns the rows copied. */
async function copyTable(from: Kysely<Database>, trx: Transaction<Database>, table: string): Promise<number> {
  let last = -Infinity;
  let copied = 0;
  for (;;) {
    const rows = (
      await sql<Row & { _rowid: number }>`select rowid as _rowid, * from ${sql.table(table)}
        where rowid > ${last === -Infinity ? -1 : last} order by rowid limit ${BATCH}`.execute(from)
    ).rows;
    if (!rows.length) return copied;
    last = rows[rows.length - 1]!._rowid;
    const columns = Object.keys(rows[0]!).filter((c) => c !== '_rowid');
    const values = rows.map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))})
      values ${sql.join(values)}`.execute(trx);
    copied += rows.length;
  }
}

/** Move every identity sequence of `table` past the highest id copied. */
async function advanceIdentity(trx: Transaction<Database>, table: string): Promise<void> {
  const seq = (
    await sql<{ seq: string | null }>`select pg_get_serial_sequence(${table}, 'id') as seq
      where exists (select 1 from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} and column_name = 'id')`.execute(trx)
  ).rows[0]?.seq;
  if (!seq) return;
  await sql`select setval(${seq}, (select max(id) from ${sql.table(table)}))
    where exists (select 1 from ${sql.table(table)})`.execute(trx);
}

/**
 * Copy the SQLite store `from` into the PostgreSQL store `to` (both migrated to the same schema), in one
 * transaction; `onTable` hears each table as it is done. Returns the rows of every table.
 */
export async function copyStore(
  from: Store,
  to: Store,
  onTable: (t: CopiedTable) => void = () => undefined,
): Promise<CopiedTable[]> {
  if (from.dialect !== 'sqlite' || to.dialect !== 'postgres')
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `migrate-store copies an embedded (SQLite) store into PostgreSQL, not ${from.dialect} into ${to.dialect}.`,
      'Give --from the data directory and --to a postgres:// URL.',
    );
  const tables = await tablesInOrder(from.db);
  await refuseNonEmpty(to, to.db, tables);
  return to.db.transaction().execute(async (trx) => {
    // Another migrate-store into the same database waits here, then finds it not empty.
    await sql`lock table projects, mailboxes in exclusive mode`.execute(trx);
    await refuseNonEmpty(to, trx, tables);
    const out: CopiedTable[] = [];
    for (const table of tables) {
      const rows = await copyTable(from.db, trx, table);
      await advanceIdentity(trx, table);
      const [source, target] = [await count(from.db, table), await count(trx, table)];
      if (source !== rows || target !== rows)
        throw new PermanentError(
          ErrorCode.Internal,
          `Table ${table}: ${source} row(s) in the embedded store, ${rows} copied, ${target} in the database; nothing was committed.`,
          'Make sure no Cutover process writes to the data directory while migrate-store runs, then run it again.',
        );
      out.push({ table, rows });
      onTable({ table, rows });
    }
    return out;
  });
}
