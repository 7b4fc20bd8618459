/** Mailboxes as members of a project: add, edit, remove, star, per-mailbox options, bulk changes. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const now = () => new Date().toISOString();

export class ProjectMailboxRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The project's first mailbox by id. */
  async first(projectId: number): Promise<{ sourceUser: string; destUser: string } | undefined> {
    const r = await this.db
      .selectFrom('mailboxes')
      .select(['source_user', 'dest_user'])
      .where('project_id', '=', projectId)
      .orderBy('id')
      .executeTakeFirst();
    return r && { sourceUser: r.source_user, destUser: r.dest_user };
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
