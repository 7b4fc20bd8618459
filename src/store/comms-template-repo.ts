/**
 * Operators' edits of the message templates, per project; a kind without a row uses the shipped default. A
 * project file run without a stored project (projectId null) keeps its edits in message_templates.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StoredTemplate {
  kind: string;
  subject: string;
  text: string;
  html: string;
  updatedAt: string;
}

export class CommsTemplateRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly projectId: number | null = null,
  ) {}

  /** The edited templates. */
  async list(): Promise<StoredTemplate[]> {
    const rows =
      this.projectId === null
        ? await this.db.selectFrom('message_templates').selectAll().orderBy('kind').execute()
        : await this.db
            .selectFrom('project_message_templates')
            .selectAll()
            .where('project_id', '=', this.projectId)
            .orderBy('kind')
            .execute();
    return rows.map((r) => ({
      kind: r.kind,
      subject: r.subject,
      text: r.text,
      html: r.html,
      updatedAt: r.updated_at,
    }));
  }

  /** Save an edit. */
  async put(t: Omit<StoredTemplate, 'updatedAt'>): Promise<void> {
    const row = { ...t, updated_at: new Date().toISOString() };
    const set = { subject: row.subject, text: row.text, html: row.html, updated_at: row.updated_at };
    if (this.projectId === null)
      await this.db
        .insertInto('message_templates')
        .values(row)
        .onConflict((oc) => oc.column('kind').doUpdateSet(set))
        .execute();
    else
      await this.db
        .insertInto('project_message_templates')
        .values({ ...row, project_id: this.projectId })
        .onConflict((oc) => oc.columns(['project_id', 'kind']).doUpdateSet(set))
        .execute();
  }

  /** Back to the default. */
  async remove(kind: string): Promise<void> {
    if (this.projectId === null)
      await this.db.deleteFrom('message_templates').where('kind', '=', kind).execute();
    else
      await this.db
        .deleteFrom('project_message_templates')
        .where('project_id', '=', this.projectId)
        .where('kind', '=', kind)
        .execute();
  }
}
