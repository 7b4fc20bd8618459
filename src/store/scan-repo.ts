/**
 * Environment scans: per mailbox, folder and item type figures, kept so scans can be resumed and compared.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ScanRow {
  id: number;
  /** The project whose mailboxes it surveyed (null: a one-off CLI run). */
  projectId: number | null;
  startedAt: string;
  finishedAt: string | null;
  status: string;
}

export interface ScanFolderRow {
  mailboxId: number;
  folderKey: string;
  destPath: string | null;
  depth: number;
  messages: number;
  bytes: number;
  oldest: string | null;
  newest: string | null;
  oversize: number;
  noMessageId: number;
  duplicateIds: number;
  nameProblem: string | null;
  excluded: string | null;
}

export interface ScanMailboxRow {
  mailboxId: number;
  status: 'done' | 'failed';
  error: string | null;
  destError: string | null;
  quotaUsed: number | null;
  quotaLimit: number | null;
  appendLimit: number | null;
  duplicateIds: number;
  finishedAt: string | null;
}

/** The item types a scan counts besides mail. */
export type ScanItemType = 'contacts' | 'calendars' | 'tasks' | 'filters';

/** One mailbox's count of one item type that is not mail. */
export interface ScanItemRow {
  mailboxId: number;
  itemType: ScanItemType;
  /** Address books, calendars or task lists; null for filters. */
  collections: number | null;
  /** Contacts, events or tasks; scripts or rules for filters. */
  items: number;
  /** Collections shared with the user by someone else (not moved, not counted in the figures above). */
  shared: number;
  /** Why the type could not be read at the source; null when it was. */
  problem: string | null;
}

const now = () => new Date().toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class ScanRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new scan of the project's mailboxes (null: a one-off CLI run over a project file). */
  async start(projectId: number | null): Promise<number> {
    const r = await this.db
      .insertInto('scans')
      .values({ started_at: now(), finished_at: null, status: 'running', project_id: projectId })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async finish(id: number, status: 'done' | 'stopped'): Promise<void> {
    await this.db
      .updateTable('scans')
      .set({ status, finished_at: status === 'done' ? now() : null })
      .where('id', '=', id)
      .execute();
  }

  /** The project's scans (null: those of one-off CLI runs), newest first. */
  async list(projectId: number | null): Promise<ScanRow[]> {
    const rows = await this.db
      .selectFrom('scans')
      .selectAll()
      .where((eb) => (projectId === null ? eb('project_id', 'is', null) : eb('project_id', '=', projectId)))
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      projectId: r.project_id === null ? null : Number(r.project_id),
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
    }));
  }

  /** Mailboxes this scan has finished (done or failed): a resumed scan skips them. */
  async finishedMailboxes(scanId: number): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('scan_mailboxes')
      .select('mailbox_id')
      .where('scan_id', '=', scanId)
      .execute();
    return new Set(rows.map((r) => Number(r.mailbox_id)));
  }

  /** Record one mailbox's result, its folders and item counts, replacing anything a stopped attempt left. */
  async saveMailbox(
    scanId: number,
    m: ScanMailboxRow,
    folders: ScanFolderRow[],
    items: ScanItemRow[] = [],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('scan_items')
        .where('scan_id', '=', scanId)
        .where('mailbox_id', '=', m.mailboxId)
        .execute();
      if (items.length)
        await trx
          .insertInto('scan_items')
          .values(
            items.map((i) => ({
              scan_id: scanId,
              mailbox_id: m.mailboxId,
              item_type: i.itemType,
              collections: i.collections,
              items: i.items,
              shared: i.shared,
              problem: i.problem,
            })),
          )
          .execute();
      await trx
        .deleteFrom('scan_folders')
        .where('scan_id', '=', scanId)
        .where('mailbox_id', '=', m.mailboxId)
        .execute();
      for (let i = 0; i < folders.length; i += 200)
        await trx
          .insertInto('scan_folders')
          .values(
            folders.slice(i, i + 200).map((f) => ({
              scan_id: scanId,
              mailbox_id: m.mailboxId,
              folder_key: f.folderKey,
              dest_path: f.destPath,
              depth: f.depth,
              messages: f.messages,
              bytes: f.bytes,
              oldest: f.oldest,
              newest: f.newest,
              oversize: f.oversize,
              no_message_id: f.noMessageId,
              duplicate_ids: f.duplicateIds,
              name_problem: f.nameProblem,
              excluded: f.excluded,
            })),
          )
          .execute();
      const v = {
        scan_id: scanId,
        mailbox_id: m.mailboxId,
        status: m.status,
        error: m.error,
        dest_error: m.destError,
        quota_used: m.quotaUsed,
        quota_limit: m.quotaLimit,
        append_limit: m.appendLimit,
        duplicate_ids: m.duplicateIds,
        finished_at: now(),
      };
      const { scan_id: _s, mailbox_id: _m, ...set } = v;
      await trx
        .insertInto('scan_mailboxes')
        .values(v)
        .onConflict((oc) => oc.columns(['scan_id', 'mailbox_id']).doUpdateSet(set))
        .execute();
    });
  }

  async mailboxes(scanId: number): Promise<ScanMailboxRow[]> {
    const rows = await this.db
      .selectFrom('scan_mailboxes')
      .selectAll()
      .where('scan_id', '=', scanId)
      .execute();
    return rows.map((r) => ({
      mailboxId: Number(r.mailbox_id),
      status: r.status as 'done' | 'failed',
      error: r.error,
      destError: r.dest_error,
      quotaUsed: num(r.quota_used),
      quotaLimit: num(r.quota_limit),
      appendLimit: num(r.append_limit),
      duplicateIds: Number(r.duplicate_ids),
      finishedAt: r.finished_at,
    }));
  }

  async folders(scanId: number): Promise<ScanFolderRow[]> {
    const rows = await this.db
      .selectFrom('scan_folders')
      .selectAll()
      .where('scan_id', '=', scanId)
      .orderBy('mailbox_id')
      .orderBy('folder_key')
      .execute();
    return rows.map((r) => ({
      mailboxId: Number(r.mailbox_id),
      folderKey: r.folder_key,
      destPath: r.dest_path,
      depth: Number(r.depth),
      messages: Number(r.messages),
      bytes: Number(r.bytes),
      oldest: r.oldest,
      newest: r.newest,
      oversize: Number(r.oversize),
      noMessageId: Number(r.no_message_id),
      duplicateIds: Number(r.duplicate_ids),
      nameProblem: r.name_problem,
      excluded: r.excluded,
    }));
  }

  /** The scan's counts of item types that are not mail, per mailbox. */
  async items(scanId: number): Promise<ScanItemRow[]> {
    const rows = await this.db
      .selectFrom('scan_items')
      .selectAll()
      .where('scan_id', '=', scanId)
      .orderBy('mailbox_id')
      .orderBy('item_type')
      .execute();
    return rows.map((r) => ({
      mailboxId: Number(r.mailbox_id),
      itemType: r.item_type as ScanItemType,
      collections: num(r.collections),
      items: Number(r.items),
      shared: Number(r.shared),
      problem: r.problem,
    }));
  }
}
