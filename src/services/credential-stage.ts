/** The tracker's "credentials" and "client set-up" stages as counts (for the API and reports). */
import type { Kysely } from 'kysely';
import type { CredentialSide } from '../store/credential-repo.js';
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
  let totalQ = db.selectFrom('mailboxes').select((eb) => eb.fn.countAll<number>().as('n'));
  if (ids) totalQ = totalQ.where('id', 'in', ids.length ? ids : [-1]);
  const total = Number((await totalQ.executeTakeFirstOrThrow()).n);
  if (required.length === 0) return { total, present: total, verified: total };
  let q = db.selectFrom('credentials').select(['mailbox_id', 'verified_at']).where('side', 'in', required);
  if (ids) q = q.where('mailbox_id', 'in', ids.length ? ids : [-1]);
  const per = new Map<number, { present: number; verified: number }>();
  for (const r of await q.execute()) {
    const c = per.get(Number(r.mailbox_id)) ?? { present: 0, verified: 0 };
    c.present++;
    if (r.verified_at) c.verified++;
    per.set(Number(r.mailbox_id), c);
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
  let totalQ = db.selectFrom('mailboxes').select((eb) => eb.fn.countAll<number>().as('n'));
  let doneQ = db
    .selectFrom('client_setups')
    .select((eb) => eb.fn.count<number>('mailbox_id').distinct().as('n'));
  if (opts.mailboxIds) {
    const ids = opts.mailboxIds.length ? opts.mailboxIds : [-1];
    totalQ = totalQ.where('id', 'in', ids);
    doneQ = doneQ.where('mailbox_id', 'in', ids);
  }
  return {
    total: Number((await totalQ.executeTakeFirstOrThrow()).n),
    done: Number((await doneQ.executeTakeFirstOrThrow()).n),
  };
}
