/**
 * The operator's list of personal links, one row per mailbox (a spreadsheet to hand out when Cutover
 * sends no messages itself). Mailboxes without a live link get one; existing links are kept.
 */
import type { Kysely } from 'kysely';
import type { Table } from '../exports/table.js';
import type { Database } from '../store/schema.js';
import { portalPath, type CredentialLinks } from './credential-links.js';

/** The links of every mailbox (or of one project's), as a table: source, destination, link, expires. */
export async function credentialLinksTable(
  db: Kysely<Database>,
  links: CredentialLinks,
  opts: { publicUrl?: string; projectId?: number },
): Promise<Table> {
  let q = db
    .selectFrom('mailboxes')
    .select(['id', 'source_user', 'dest_user'])
    .orderBy('source_user')
    .orderBy('id');
  if (opts.projectId !== undefined) q = q.where('project_id', '=', opts.projectId);
  const mailboxes = await q.execute();
  const issued = await links.currentMany(mailboxes.map((m) => Number(m.id)));
  return {
    name: 'Credential links',
    columns: ['source', 'destination', 'link', 'expires'],
    rows: mailboxes.map((m) => {
      const l = issued.get(Number(m.id))!;
      return [m.source_user, m.dest_user, `${opts.publicUrl ?? ''}${portalPath(l.token)}`, l.expiresAt];
    }),
  };
}
