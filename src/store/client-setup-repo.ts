/** Client set-up downloads (Apple profile, ...) fetched per mailbox: the tracker's "client set-up" stage. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ClientSetupRow {
  mailboxId: number;
  kind: string;
  firstAt: string;
  lastAt: string;
  count: number;
}

export class ClientSetupRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Count one fetch of `kind` for a mailbox. */
  async record(mailboxId: number, kind: string, at = new Date()): Promise<void> {
    const t = at.toISOString();
    await this.db
      .insertInto('client_setups')
      .values({ mailbox_id: mailboxId, kind, first_at: t, last_at: t, count: 1 })
      .onConflict((oc) =>
        oc
          .columns(['mailbox_id', 'kind'])
          .doUpdateSet((eb) => ({ last_at: t, count: eb('client_setups.count', '+', 1) })),
      )
      .execute();
  }

  /** Every fetch record (optionally of some mailboxes). */
  async list(mailboxIds?: number[]): Promise<ClientSetupRow[]> {
    let q = this.db.selectFrom('client_setups').selectAll().orderBy('mailbox_id');
    if (mailboxIds) q = q.where('mailbox_id', 'in', mailboxIds.length ? mailboxIds : [-1]);
    return (await q.execute()).map((r) => ({
      mailboxId: Number(r.mailbox_id),
      kind: r.kind,
      firstAt: r.first_at,
      lastAt: r.last_at,
      count: Number(r.count),
    }));
  }

  /** Mailboxes with at least one set-up download. */
  async mailboxesDone(mailboxIds?: number[]): Promise<number> {
    let q = this.db
      .selectFrom('client_setups')
      .select((eb) => eb.fn.count<number>('mailbox_id').distinct().as('n'));
    if (mailboxIds) q = q.where('mailbox_id', 'in', mailboxIds.length ? mailboxIds : [-1]);
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
