/** Sealed end-user passwords per mailbox and side. The sealed value leaves this file only through `sealed()`. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type CredentialSide = 'source' | 'destination';
export type EnteredBy = 'portal' | 'operator' | 'import';

/** What may be shown about a stored credential: never the secret. */
export interface CredentialState {
  mailboxId: number;
  side: CredentialSide;
  enteredBy: EnteredBy;
  verifiedAt: string | null;
  updatedAt: string;
}

export class CredentialRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Store (or replace) the sealed credential of one side of a mailbox. */
  async put(c: Omit<CredentialState, 'updatedAt'> & { sealed: string }, at = new Date()): Promise<void> {
    const row = {
      mailbox_id: c.mailboxId,
      side: c.side,
      sealed: c.sealed,
      entered_by: c.enteredBy,
      verified_at: c.verifiedAt,
      updated_at: at.toISOString(),
    };
    await this.db
      .insertInto('credentials')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['mailbox_id', 'side']).doUpdateSet({
          sealed: row.sealed,
          entered_by: row.entered_by,
          verified_at: row.verified_at,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** The sealed value, for the secret box to open at the moment a login needs it. */
  async sealed(mailboxId: number, side: CredentialSide): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('credentials')
      .select('sealed')
      .where('mailbox_id', '=', mailboxId)
      .where('side', '=', side)
      .executeTakeFirst();
    return r?.sealed;
  }

  /** States of every stored credential (optionally of some mailboxes), without secrets. */
  async states(mailboxIds?: number | number[]): Promise<CredentialState[]> {
    let q = this.db
      .selectFrom('credentials')
      .select(['mailbox_id', 'side', 'entered_by', 'verified_at', 'updated_at'])
      .orderBy('mailbox_id')
      .orderBy('side');
    if (typeof mailboxIds === 'number') q = q.where('mailbox_id', '=', mailboxIds);
    else if (mailboxIds) q = q.where('mailbox_id', 'in', mailboxIds.length ? mailboxIds : [-1]);
    return (await q.execute()).map((r) => ({
      mailboxId: Number(r.mailbox_id),
      side: r.side as CredentialSide,
      enteredBy: r.entered_by as EnteredBy,
      verifiedAt: r.verified_at,
      updatedAt: r.updated_at,
    }));
  }

  /** A stored password stopped working: keep it, but no longer count it as verified (the user is asked again). */
  async unverify(mailboxId: number, side: CredentialSide, at = new Date()): Promise<void> {
    await this.db
      .updateTable('credentials')
      .set({ verified_at: null, updated_at: at.toISOString() })
      .where('mailbox_id', '=', mailboxId)
      .where('side', '=', side)
      .execute();
  }

  /** A run logged in with a stored, unchecked credential: it is now known to work. */
  async markVerified(mailboxId: number, side: CredentialSide, at = new Date()): Promise<void> {
    await this.db
      .updateTable('credentials')
      .set({ verified_at: at.toISOString() })
      .where('mailbox_id', '=', mailboxId)
      .where('side', '=', side)
      .where('verified_at', 'is', null)
      .execute();
  }

  /** Forget the stored credentials of a mailbox (one side or both). */
  async remove(mailboxId: number, side?: CredentialSide): Promise<void> {
    let q = this.db.deleteFrom('credentials').where('mailbox_id', '=', mailboxId);
    if (side) q = q.where('side', '=', side);
    await q.execute();
  }
}
