/**
 * The operator's list of personal links, one row per mailbox (a spreadsheet to hand out when Cutover
 * sends no messages itself). Mailboxes without a live link get one; existing links are kept.
 */
import type { Kysely } from 'kysely';
import type { Table } from '../exports/table.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { Database } from '../store/schema.js';
import { portalPath, type CredentialLinks } from './credential-links.js';

/** The links of every mailbox (or of one project's), as a table: source, destination, link, expires. */
export async function credentialLinksTable(
  db: Kysely<Database>,
  links: CredentialLinks,
  opts: { publicUrl?: string; projectId?: number },
): Promise<Table> {
  const mailboxes = await new MailboxRepo(db).logins({ projectId: opts.projectId, order: 'sourceUser' });
  const issued = await links.currentMany(mailboxes.map((m) => m.id));
  return {
    name: 'Credential links',
    columns: ['source', 'destination', 'link', 'expires'],
    rows: mailboxes.map((m) => {
      const l = issued.get(m.id)!;
      return [m.sourceUser, m.destUser, `${opts.publicUrl ?? ''}${portalPath(l.token)}`, l.expiresAt];
    }),
  };
}
