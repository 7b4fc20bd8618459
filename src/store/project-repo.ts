/** Projects: a name and the settings document (src/services/project-settings.ts), plus mailbox counts. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { containsIgnoringCase } from './page-repo.js';

/** A project row, settings still as JSON text. */
export interface ProjectRow {
  id: number;
  name: string;
  settings: string;
  mailboxCount: number;
  createdAt: string;
  updatedAt: string;
}

const now = () => new Date().toISOString();

export class ProjectRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private base() {
    return this.db
      .selectFrom('projects as p')
      .select(['p.id', 'p.name', 'p.settings', 'p.created_at', 'p.updated_at'])
      .select((eb) =>
        eb
          .selectFrom('mailboxes as m')
          .whereRef('m.project_id', '=', 'p.id')
          .select(eb.fn.countAll().as('n'))
          .as('mailbox_count'),
      );
  }

  /** A page of projects by name, optionally those whose name contains `search`. */
  async page(q: {
    offset: number;
    limit: number;
    search?: string;
  }): Promise<{ rows: ProjectRow[]; total: number }> {
    const where = q.search ? containsIgnoringCase('p.name', q.search) : sql<boolean>`1 = 1`;
    const total = await this.db
      .selectFrom('projects as p')
      .where(where)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await this.base()
      .where(where)
      .orderBy('p.name')
      .orderBy('p.id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { rows: rows.map(toRow), total: Number(total.n) };
  }

  async get(id: number): Promise<ProjectRow | undefined> {
    const r = await this.base().where('p.id', '=', id).executeTakeFirst();
    return r && toRow(r);
  }

  async byName(name: string): Promise<ProjectRow | undefined> {
    const r = await this.base().where('p.name', '=', name).executeTakeFirst();
    return r && toRow(r);
  }

  /** Ids of the projects, oldest first (at most `limit`). */
  async ids(limit?: number): Promise<number[]> {
    let q = this.db.selectFrom('projects').select('id').orderBy('id');
    if (limit !== undefined) q = q.limit(limit);
    return (await q.execute()).map((r) => Number(r.id));
  }

  /** The id of the project named `name`. */
  async idByName(name: string): Promise<number | undefined> {
    const r = await this.db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst();
    return r && Number(r.id);
  }

  /** Every project's settings document (JSON text), oldest first. */
  async allSettings(): Promise<Array<{ id: number; settings: string }>> {
    const rows = await this.db.selectFrom('projects').select(['id', 'settings']).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), settings: r.settings }));
  }

  async insert(name: string, settings: string): Promise<number> {
    const r = await this.db
      .insertInto('projects')
      .values({ name, settings, created_at: now(), updated_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async update(id: number, fields: { name?: string; settings?: string }): Promise<void> {
    await this.db
      .updateTable('projects')
      .set({ ...fields, updated_at: now() })
      .where('id', '=', id)
      .execute();
  }

  /** Delete the project; its mailboxes (and their passes, ledger, alerts) go with it. */
  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

function toRow(r: {
  id: number;
  name: string;
  settings: string;
  created_at: string;
  updated_at: string;
  mailbox_count: unknown;
}): ProjectRow {
  return {
    id: Number(r.id),
    name: r.name,
    settings: r.settings,
    mailboxCount: Number(r.mailbox_count ?? 0),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
