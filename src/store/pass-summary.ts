/**
 * What the tracker needs of a mailbox's passes and verifications, kept on the mailbox's own row (columns of
 * migration 0020t) so that classifying 25,000 mailboxes per stage reads one table instead of probing the
 * passes of each: when its first writing pass finished, its latest pass, the start of its latest clean pass,
 * when a pass last wrote to it, and its latest verification.
 *
 * Every column is derived from the passes and verifications tables, never counted up: `refreshPassSummary`
 * recomputes a mailbox's columns from them, so a missed refresh (a process killed between the two writes)
 * is corrected by the next one, and nothing but these rows decides what the columns say.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/** Larger than any ISO time: "a pass is writing now" in `written_at`. */
export const WRITING_NOW = '9999-12-31T23:59:59.999Z';

/** The latest writing pass's column `col` (passes of `dry_run` = 0, by id). */
const lastPass = (col: string) =>
  sql`(select ${sql.ref(`p.${col}`)} from passes p where p.mailbox_id = mailboxes.id and p.dry_run = 0
    order by p.id desc limit 1)`;

/** The SET clause: each summary column from the mailbox's passes and verifications. */
function summaryColumns(): Record<string, RawBuilder<unknown>> {
  return {
    synced_at: sql`(select min(p.finished_at) from passes p where p.mailbox_id = mailboxes.id
      and p.dry_run = 0 and p.status = 'done')`,
    last_pass_started_at: lastPass('started_at'),
    last_pass_status: lastPass('status'),
    last_pass_failed: lastPass('failed'),
    last_pass_error: lastPass('error'),
    clean_pass_started_at: sql`(select max(p.started_at) from passes p where p.mailbox_id = mailboxes.id
      and p.dry_run = 0 and p.status = 'done' and p.failed = 0)`,
    // A pass that wrote (copied, or synced flags), or may have (under way, or interrupted): when it ended;
    // one under way counts as writing now, so a verification before it is outdated.
    written_at: sql`(select max(case when p.status = 'running' or p.finished_at is null
        then ${WRITING_NOW} else p.finished_at end)
      from passes p where p.mailbox_id = mailboxes.id and p.dry_run = 0
      and (p.copied > 0 or p.flags_synced > 0 or p.status in ('running', 'interrupted')))`,
    verified_id: sql`(select max(v.id) from verifications v where v.mailbox_id = mailboxes.id)`,
  };
}

/**
 * Recompute the summary columns of one mailbox, of those whose latest pass is still running (after stale
 * passes were closed), or of every mailbox (`{}`).
 */
export async function refreshPassSummary(
  db: Kysely<Database>,
  which: { mailboxId: number } | { runningPass: true } | Record<string, never>,
): Promise<void> {
  let q = db.updateTable('mailboxes').set(summaryColumns() as never);
  if ('mailboxId' in which) q = q.where('id', '=', which.mailboxId);
  else if ('runningPass' in which) q = q.where('last_pass_status', '=', 'running');
  await q.execute();
}
