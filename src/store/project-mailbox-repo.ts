/**
 * Mailboxes as members of a project: paged lists, add, edit, remove, star, per-mailbox options and bulk
 * changes by ids or by filter — all in SQL over the (project_id, …) indexes so 25,000 rows stay fast.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';
import { toMailbox, type MailboxRow } from './mailbox-repo.js';
import { ownersOf, upsertMailboxes, type MailboxOverrides, type UpsertRow } from './mailbox-upsert.js';
import { loginContains } from './page-repo.js';

/** Per-mailbox options (JSON in mailboxes.options); absent keys take the project's defaults. */
export type { MailboxOverrides };

/** A project's mailbox with its options. */
export interface MemberRow extends MailboxRow {
  projectId: number;
  options: MailboxOverrides;
  updatedAt: string;
}

/** Which mailboxes of a project: ids, or a filter (status, starred, search in either login). */
export interface MemberFilter {
  ids?: number[];
  status?: string;
  starred?: boolean;
  search?: string;
}

export interface MemberPageQuery extends MemberFilter {
  offset: number;
  limit: number;
  sort: 'name' | 'destination' | 'size' | 'status' | 'starred';
  order: 'asc' | 'desc';
}

const sortColumn = {
  name: 'source_user',
  destination: 'dest_user',
  size: 'source_bytes',
  status: 'status',
  starred: 'starred',
} as const;
const now = () => new Date().toISOString();

type MailboxQuery = SelectQueryBuilder<Database, 'mailboxes', object>;

export class ProjectMailboxRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private filtered(projectId: number, f: MemberFilter): MailboxQuery {
    let q: MailboxQuery = this.db.selectFrom('mailboxes').where('project_id', '=', projectId);
    if (f.ids) q = q.where('id', 'in', f.ids.length ? f.ids : [-1]);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.starred !== undefined) q = q.where('starred', '=', f.starred ? 1 : 0);
    if (f.search) q = q.where(loginContains(f.search));
    return q;
  }

  async page(projectId: number, q: MemberPageQuery): Promise<{ rows: MemberRow[]; total: number }> {
    const base = this.filtered(projectId, q);
    const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy(sortColumn[q.sort], q.order)
      .orderBy('id', q.order)
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { rows: rows.map(toMember), total: Number(total.n) };
  }

  /** Ids of the mailboxes matching `f` (for bulk actions and runs). */
  async ids(projectId: number, f: MemberFilter): Promise<number[]> {
    const rows = await this.filtered(projectId, f).select('id').orderBy('id').execute();
    return rows.map((r) => Number(r.id));
  }

  /** Every mailbox of the project matching `f`, full rows. */
  async all(projectId: number, f: MemberFilter = {}): Promise<MemberRow[]> {
    return (await this.filtered(projectId, f).selectAll().orderBy('id').execute()).map(toMember);
  }

  async get(id: number): Promise<MemberRow | undefined> {
    const r = await this.db
      .selectFrom('mailboxes')
      .selectAll()
      .where('id', '=', id)
      .where('project_id', 'is not', null)
      .executeTakeFirst();
    return r && toMember(r);
  }

  async byKey(key: string): Promise<{ id: number; projectId: number | null } | undefined> {
    const r = await this.db
      .selectFrom('mailboxes')
      .select(['id', 'project_id'])
      .where('key', '=', key)
      .executeTakeFirst();
    return r && { id: Number(r.id), projectId: r.project_id === null ? null : Number(r.project_id) };
  }

  async insert(
    projectId: number,
    m: { key: string; sourceUser: string; destUser: string; starred: boolean; options: MailboxOverrides },
  ): Promise<number> {
    const r = await this.db
      .insertInto('mailboxes')
      .values({
        key: m.key,
        project_id: projectId,
        source_user: m.sourceUser,
        dest_user: m.destUser,
        starred: m.starred ? 1 : 0,
        options: JSON.stringify(m.options),
        status: 'idle',
        updated_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async update(
    id: number,
    m: { key?: string; destUser?: string; starred?: boolean; options?: MailboxOverrides },
  ): Promise<void> {
    await this.db
      .updateTable('mailboxes')
      .set({
        ...(m.key !== undefined ? { key: m.key } : {}),
        ...(m.destUser !== undefined ? { dest_user: m.destUser } : {}),
        ...(m.starred !== undefined ? { starred: m.starred ? 1 : 0 } : {}),
        ...(m.options !== undefined ? { options: JSON.stringify(m.options) } : {}),
        updated_at: now(),
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('mailboxes').where('id', '=', id).execute();
  }

  /**
   * Add or update many mailboxes of the project (CSV import) by key, in chunks (src/store/mailbox-upsert.ts);
   * a key that belongs to another project is left alone and reported. Returns counts and the conflicting keys.
   */
  async upsertMany(
    projectId: number,
    rows: UpsertRow[],
  ): Promise<{ added: number; updated: number; conflicts: string[] }> {
    return upsertMailboxes(this.db, projectId, rows);
  }

  /** The id and project of each existing mailbox among `keys` (looked up in chunks). */
  async byKeys(keys: string[]): Promise<Map<string, { id: number; projectId: number | null }>> {
    return ownersOf(this.db, keys);
  }

  /** New keys for the project's mailboxes (its servers changed), in one transaction. */
  async rekey(
    projectId: number,
    keyOf: (m: { sourceUser: string; destUser: string }) => string,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('mailboxes')
        .select(['id', 'source_user', 'dest_user'])
        .where('project_id', '=', projectId)
        .execute();
      for (const r of rows)
        await tx
          .updateTable('mailboxes')
          .set({ key: keyOf({ sourceUser: r.source_user, destUser: r.dest_user }) })
          .where('id', '=', r.id)
          .execute();
    });
  }

  /** Star or unstar every listed mailbox of the project; returns how many changed. */
  async setStarred(projectId: number, ids: number[], starred: boolean): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const r = await this.db
        .updateTable('mailboxes')
        .set({ starred: starred ? 1 : 0, updated_at: now() })
        .where('project_id', '=', projectId)
        .where('id', 'in', ids.slice(i, i + 500))
        .executeTakeFirst();
      n += Number(r.numUpdatedRows);
    }
    return n;
  }

  /** The project's first mailbox by id. */
  async first(projectId: number): Promise<{ id: number; sourceUser: string; destUser: string } | undefined> {
    const r = await this.db
      .selectFrom('mailboxes')
      .select(['id', 'source_user', 'dest_user'])
      .where('project_id', '=', projectId)
      .orderBy('id')
      .executeTakeFirst();
    return r && { id: Number(r.id), sourceUser: r.source_user, destUser: r.dest_user };
  }

  /** Make these mailboxes (by key) members of the project. */
  async attach(projectId: number, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 500)
      await this.db
        .updateTable('mailboxes')
        .set({ project_id: projectId, updated_at: now() })
        .where('key', 'in', keys.slice(i, i + 500))
        .execute();
  }
}

function toMember(r: Database['mailboxes'] extends infer T ? { [K in keyof T]: unknown } : never): MemberRow {
  return {
    ...toMailbox(r),
    projectId: Number(r.project_id),
    options: typeof r.options === 'string' ? (JSON.parse(r.options) as MailboxOverrides) : {},
    updatedAt: String(r.updated_at),
  };
}
