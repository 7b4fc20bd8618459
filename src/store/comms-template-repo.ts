/** Operators' edits of the message templates; a kind without a row uses the shipped default. */
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
  constructor(private readonly db: Kysely<Database>) {}

  /** The edited templates. */
  async list(): Promise<StoredTemplate[]> {
    const rows = await this.db.selectFrom('message_templates').selectAll().orderBy('kind').execute();
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
    await this.db
      .insertInto('message_templates')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('kind')
          .doUpdateSet({ subject: row.subject, text: row.text, html: row.html, updated_at: row.updated_at }),
      )
      .execute();
  }

  /** Back to the default. */
  async remove(kind: string): Promise<void> {
    await this.db.deleteFrom('message_templates').where('kind', '=', kind).execute();
  }
}
