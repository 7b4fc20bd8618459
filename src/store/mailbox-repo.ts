/** Mailboxes and their passes. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { refreshPassSummary } from './pass-summary.js';

/** A mailbox row with numbers normalised (pg returns int8 as strings). */
export interface MailboxRow {
  id: number;
  key: string;
  sourceUser: string;
  destUser: string;
  starred: boolean;
  status: string;
  sourceBytes: number;
  sourceMessages: number;
  lastError: string | null;
}

/** Counters of one pass. */
export interface PassCounters {
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  flagsSynced: number;
  bytes: number;
  throttledMs: number;
}

export interface PassRow extends PassCounters {
  id: number;
  mailboxId: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  dryRun: boolean;
  error: string | null;
}

const now = () => new Date().toISOString();

export class MailboxRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert or update by key; returns the id. */
  async upsert(m: { key: string; sourceUser: string; destUser: string; starred: boolean }): Promise<number> {
    const row = await this.db
      .insertInto('mailboxes')
      .values({
        key: m.key,
        source_user: m.sourceUser,
        dest_user: m.destUser,
        starred: m.starred ? 1 : 0,
        status: 'idle',
        updated_at: now(),
      })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ source_user: m.sourceUser, dest_user: m.destUser, starred: m.starred ? 1 : 0 }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async get(id: number): Promise<MailboxRow | undefined> {
    const r = await this.db.selectFrom('mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toMailbox(r);
  }

  /** Every mailbox, starred first, then largest first. */
  async list(): Promise<MailboxRow[]> {
    const rows = await this.db
      .selectFrom('mailboxes')
      .selectAll()
      .orderBy('starred', 'desc')
      .orderBy('source_bytes', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toMailbox);
  }

  async setStatus(id: number, status: string, lastError: string | null = null): Promise<void> {
    await this.db
      .updateTable('mailboxes')
      .set({ status, last_error: lastError, updated_at: now() })
      .where('id', '=', id)
      .execute();
  }

  async setSize(id: number, messages: number, bytes: number): Promise<void> {
    await this.db
      .updateTable('mailboxes')
      .set({ source_messages: messages, source_bytes: bytes })
      .where('id', '=', id)
      .execute();
  }

  async startPass(mailboxId: number, dryRun: boolean): Promise<number> {
    const r = await this.db
      .insertInto('passes')
      .values({ mailbox_id: mailboxId, started_at: now(), status: 'running', dry_run: dryRun ? 1 : 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (!dryRun) await refreshPassSummary(this.db, { mailboxId });
    return Number(r.id);
  }

  async finishPass(id: number, status: string, c: PassCounters, error: string | null = null): Promise<void> {
    const row = await this.db
      .updateTable('passes')
      .set({
        status,
        finished_at: now(),
        copied: c.copied,
        present: c.present,
        skipped: c.skipped,
        failed: c.failed,
        flags_synced: c.flagsSynced,
        bytes: c.bytes,
        throttled_ms: c.throttledMs,
        error,
      })
      .where('id', '=', id)
      .returning('mailbox_id')
      .executeTakeFirst();
    if (row) await refreshPassSummary(this.db, { mailboxId: Number(row.mailbox_id) });
  }

  /**
   * A pass left 'running' by a killed process is marked as interrupted, and its mailbox stopped — except a
   * mailbox running now for a run in the store (its own or its run's heartbeat is newer than `liveSince`, ms
   * since the epoch): on a shared database a server or CLI starting must not take that for the remains of a
   * crash.
   */
  async closeStalePasses(liveSince = Date.now() - 60_000): Promise<void> {
    // A worker renews its mailbox's heartbeat; a server running a pass in its own process renews the run's.
    const live = this.db
      .selectFrom('run_mailboxes as rm')
      .innerJoin('runs as r', 'r.id', 'rm.run_id')
      .select('rm.mailbox_id')
      .where('rm.state', '=', 'running')
      .where((eb) => eb.or([eb('rm.heartbeat_at', '>=', liveSince), eb('r.heartbeat_at', '>=', liveSince)]));
    await this.db
      .updateTable('passes')
      .set({ status: 'interrupted', finished_at: now() })
      .where('status', '=', 'running')
      .where('mailbox_id', 'not in', live)
      .execute();
    await refreshPassSummary(this.db, { runningPass: true });
    await this.db
      .updateTable('mailboxes')
      .set({ status: 'stopped' })
      .where('status', '=', 'running')
      .where('id', 'not in', live)
      .execute();
  }

  /** How many mailboxes (of one project, or these ids, when given). */
  async count(f: { projectId?: number; ids?: number[] } = {}): Promise<number> {
    let q = this.db.selectFrom('mailboxes').select((eb) => eb.fn.countAll<number>().as('n'));
    if (f.projectId !== undefined) q = q.where('project_id', '=', f.projectId);
    if (f.ids) q = q.where('id', 'in', f.ids.length ? f.ids : [-1]);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /** Ids and logins of the mailboxes (of one project), by id or by source login, optionally a page. */
  async logins(f: {
    projectId?: number;
    order: 'id' | 'sourceUser';
    offset?: number;
    limit?: number;
  }): Promise<Array<{ id: number; sourceUser: string; destUser: string }>> {
    let q = this.db.selectFrom('mailboxes').select(['id', 'source_user', 'dest_user']);
    if (f.projectId !== undefined) q = q.where('project_id', '=', f.projectId);
    q = f.order === 'id' ? q.orderBy('id') : q.orderBy('source_user').orderBy('id');
    if (f.limit !== undefined) q = q.limit(f.limit);
    if (f.offset !== undefined) q = q.offset(f.offset);
    return (await q.execute()).map((r) => ({
      id: Number(r.id),
      sourceUser: r.source_user,
      destUser: r.dest_user,
    }));
  }

  /** The project of a mailbox: its id, null for none, undefined when there is no such mailbox. */
  async projectOf(id: number): Promise<number | null | undefined> {
    const r = await this.db
      .selectFrom('mailboxes')
      .select('project_id')
      .where('id', '=', id)
      .executeTakeFirst();
    return r && (r.project_id === null ? null : Number(r.project_id));
  }

  /** Finished real passes that copied at least `minCopied` messages (the estimate's measured rates). */
  /** The latest `limit` finished passes that copied at least `minCopied` (of one project's mailboxes). */
  async measuredPasses(
    minCopied: number,
    limit: number,
    projectId?: number,
  ): Promise<Array<{ startedAt: string; finishedAt: string; copied: number; bytes: number }>> {
    let q = this.db
      .selectFrom('passes as p')
      .select(['p.started_at', 'p.finished_at', 'p.copied', 'p.bytes'])
      .where('p.status', '=', 'done')
      .where('p.dry_run', '=', 0)
      .where('p.finished_at', 'is not', null)
      .where('p.copied', '>=', minCopied);
    if (projectId !== undefined)
      q = q.where('p.mailbox_id', 'in', (eb) =>
        eb.selectFrom('mailboxes').select('id').where('project_id', '=', projectId),
      );
    const rows = await q.orderBy('p.id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      startedAt: r.started_at,
      finishedAt: r.finished_at!,
      copied: Number(r.copied),
      bytes: Number(r.bytes),
    }));
  }

  async passes(mailboxId: number): Promise<PassRow[]> {
    const rows = await this.db
      .selectFrom('passes')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      mailboxId: Number(r.mailbox_id),
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
      dryRun: Boolean(r.dry_run),
      copied: Number(r.copied),
      present: Number(r.present),
      skipped: Number(r.skipped),
      failed: Number(r.failed),
      flagsSynced: Number(r.flags_synced),
      bytes: Number(r.bytes),
      throttledMs: Number(r.throttled_ms),
      error: r.error,
    }));
  }
}

/** A `mailboxes` row as a MailboxRow (the one mapping; project-member and page reads build on it). */
export function toMailbox(
  r: Database['mailboxes'] extends infer T ? { [K in keyof T]: unknown } : never,
): MailboxRow {
  return {
    id: Number(r.id),
    key: String(r.key),
    sourceUser: String(r.source_user),
    destUser: String(r.dest_user),
    starred: Number(r.starred) === 1,
    status: String(r.status),
    sourceBytes: Number(r.source_bytes),
    sourceMessages: Number(r.source_messages),
    lastError: (r.last_error as string | null) ?? null,
  };
}
