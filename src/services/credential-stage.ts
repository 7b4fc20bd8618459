/** The tracker's "credentials" and "client set-up" stages as counts (for the API and reports). */
import type { Kysely } from 'kysely';
import { ClientSetupRepo } from '../store/client-setup-repo.js';
import { CredentialRepo, type CredentialSide } from '../store/credential-repo.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { Database } from '../store/schema.js';

/** Mailboxes counted for the credentials stage. */
export interface CredentialStage {
  /** Mailboxes considered. */
  total: number;
  /** Every required side has a stored credential. */
  present: number;
  /** Every required side has a stored credential that a real login accepted. */
  verified: number;
}

/**
 * Count the credentials stage over `mailboxIds` (default: every mailbox). `required`: the sides that need
 * the user's password (see requiredSides; default the source only). With no side required every mailbox counts.
 */
export async function credentialStage(
  db: Kysely<Database>,
  opts: { mailboxIds?: number[]; required?: CredentialSide[] } = {},
): Promise<CredentialStage> {
  const required = opts.required ?? ['source'];
  const ids = opts.mailboxIds;
  const total = await new MailboxRepo(db).count({ ids });
  if (required.length === 0) return { total, present: total, verified: total };
  const per = new Map<number, { present: number; verified: number }>();
  for (const r of await new CredentialRepo(db).states(ids)) {
    if (!required.includes(r.side)) continue;
    const c = per.get(r.mailboxId) ?? { present: 0, verified: 0 };
    c.present++;
    if (r.verifiedAt) c.verified++;
    per.set(r.mailboxId, c);
  }
  let present = 0;
  let verified = 0;
  for (const c of per.values()) {
    if (c.present === required.length) present++;
    if (c.verified === required.length) verified++;
  }
  return { total, present, verified };
}

/** Count the client set-up stage: mailboxes whose user fetched a set-up download. */
export async function clientSetupStage(
  db: Kysely<Database>,
  opts: { mailboxIds?: number[] } = {},
): Promise<{ total: number; done: number }> {
  return {
    total: await new MailboxRepo(db).count({ ids: opts.mailboxIds }),
    done: await new ClientSetupRepo(db).mailboxesDone(opts.mailboxIds),
  };
}
