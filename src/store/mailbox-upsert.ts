/**
 * Adding or updating many of a project's mailboxes at once (CSV import, 100,000 rows and more) without
 * holding the store. better-sqlite3 answers synchronously, so a long chain of awaited queries never lets
 * the event loop run, and a single transaction also keeps Kysely's one connection from every other request:
 * one import froze the whole server for seconds. Rows go in chunks, each its own transaction (one lookup of
 * the chunk's keys, one multi-row insert, updates for keys already there), with the event loop given back
 * between chunks. A failure leaves the chunks before it stored; importing the same file again finishes the
 * job, since rows are matched by key.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One mailbox to add or update, by key. */
export interface UpsertRow {
  key: string;
  sourceUser: string;
  destUser: string;
  starred: boolean;
  options: MailboxOverrides;
}

/** Rows per transaction: a few milliseconds of work, small enough for other requests to slip between. */
export const UPSERT_CHUNK = 500;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The id and project of every existing mailbox among `keys`, looked up `UPSERT_CHUNK` keys at a time. */
export async function ownersOf(
  db: Kysely<Database>,
  keys: string[],
): Promise<Map<string, { id: number; projectId: number | null }>> {
  const out = new Map<string, { id: number; projectId: number | null }>();
  for (let i = 0; i < keys.length; i += UPSERT_CHUNK) {
    const rows = await db
      .selectFrom('mailboxes')
      .select(['id', 'key', 'project_id'])
      .where('key', 'in', keys.slice(i, i + UPSERT_CHUNK))
      .execute();
    for (const r of rows)
      out.set(r.key, { id: Number(r.id), projectId: r.project_id === null ? null : Number(r.project_id) });
    if (i + UPSERT_CHUNK < keys.length) await yieldToEventLoop();
  }
  return out;
}

/**
 * Add or update `rows` in `projectId` by key; a key that belongs to another project is left alone and
 * reported. A key listed twice is added once and then updated, as row-by-row processing would.
 */
export async function upsertMailboxes(
  db: Kysely<Database>,
  projectId: number,
  rows: UpsertRow[],
  chunk = UPSERT_CHUNK,
): Promise<{ added: number; updated: number; conflicts: string[] }> {
  const out = { added: 0, updated: 0, conflicts: [] as string[] };
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await db.transaction().execute(async (tx) => {
      const known = await ownersOf(tx, [...new Set(part.map((m) => m.key))]);
      const inserted = new Set<UpsertRow>();
      const newKeys = new Set<string>();
      for (const m of part)
        if (!known.has(m.key) && !newKeys.has(m.key)) {
          newKeys.add(m.key);
          inserted.add(m);
        }
      const at = new Date().toISOString();
      if (inserted.size) {
        const ids = await tx
          .insertInto('mailboxes')
          .values(
            [...inserted].map((m) => ({
              key: m.key,
              project_id: projectId,
              source_user: m.sourceUser,
              dest_user: m.destUser,
              starred: m.starred ? 1 : 0,
              options: JSON.stringify(m.options),
              status: 'idle',
              updated_at: at,
            })),
          )
          .returning(['id', 'key'])
          .execute();
        for (const r of ids) known.set(r.key, { id: Number(r.id), projectId });
        out.added += ids.length;
      }
      for (const m of part) {
        if (inserted.has(m)) continue;
        const e = known.get(m.key)!;
        if (e.projectId !== null && e.projectId !== projectId) {
          out.conflicts.push(m.key);
          continue;
        }
        await tx
          .updateTable('mailboxes')
          .set({
            project_id: projectId,
            starred: m.starred ? 1 : 0,
            options: JSON.stringify(m.options),
            updated_at: at,
          })
          .where('id', '=', e.id)
          .execute();
        e.projectId = projectId;
        out.updated++;
      }
    });
    await yieldToEventLoop();
  }
  return out;
}

/** Per-mailbox options (JSON in mailboxes.options); absent keys take the project's defaults. */
export interface MailboxOverrides {
  itemTypes?: string[];
  since?: string | null;
  before?: string | null;
}
