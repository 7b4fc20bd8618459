/**
 * Messages to people, one row per (mailbox, event). The row is written before the message is sent (intent),
 * so a restart never sends an event twice: only rows that certainly did not reach the server are retried.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, MessageTable } from './schema.js';

/** pending: claimed, being sent (or the process died while sending: never resent); sent; failed: not delivered, retried; refused: final (5xx, no address); uncertain: may have arrived, never retried. */
export type MessageStatus = 'pending' | 'sent' | 'failed' | 'refused' | 'uncertain';

export interface MessageRow {
  id: number;
  mailboxId: number | null;
  event: string;
  recipient: string;
  subject: string;
  status: MessageStatus;
  attempts: number;
  error: string | null;
  smtpId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A stored row as the rest of Cutover sees it. */
function toRow(r: Selectable<MessageTable>): MessageRow {
  return {
    id: Number(r.id),
    mailboxId: r.mailbox_id === null ? null : Number(r.mailbox_id),
    event: r.event,
    recipient: r.recipient,
    subject: r.subject,
    status: r.status as MessageStatus,
    attempts: Number(r.attempts),
    error: r.error,
    smtpId: r.smtp_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The unique key of an event for a mailbox (or the project). */
export const dedupeKey = (mailboxId: number | null, event: string): string =>
  `${mailboxId ?? 'project'}|${event}`;

export class MessageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Claim the right to send `event` to the mailbox: the row's id when this caller inserted the intent, or took
   * over a failed row with fewer than `maxAttempts` attempts; undefined when it was sent, is being sent, or may
   * have arrived.
   */
  async claim(
    m: {
      mailboxId: number | null;
      /** Default: the mailbox's project (a message without a mailbox and without this belongs to none). */
      projectId?: number | null;
      event: string;
      recipient: string;
      subject: string;
    },
    maxAttempts = 5,
  ): Promise<number | undefined> {
    const t = new Date().toISOString();
    const key = dedupeKey(m.mailboxId, m.event);
    const inserted = await this.db
      .insertInto('messages')
      .values({
        mailbox_id: m.mailboxId,
        project_id:
          m.projectId ??
          (m.mailboxId === null
            ? null
            : this.db.selectFrom('mailboxes').select('project_id').where('id', '=', m.mailboxId)),
        dedupe_key: key,
        event: m.event,
        recipient: m.recipient,
        subject: m.subject,
        status: 'pending',
        attempts: 1,
        created_at: t,
        updated_at: t,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return Number(inserted.id);
    // Conditional update: of two processes retrying the same failed row, one wins.
    const retried = await this.db
      .updateTable('messages')
      .set((eb) => ({
        status: 'pending',
        recipient: m.recipient,
        subject: m.subject,
        attempts: eb('attempts', '+', 1),
        updated_at: t,
      }))
      .where('dedupe_key', '=', key)
      .where('status', '=', 'failed')
      .where('attempts', '<', maxAttempts)
      .returning('id')
      .executeTakeFirst();
    return retried ? Number(retried.id) : undefined;
  }

  /** Record the outcome of a claimed send. */
  async finish(
    id: number,
    outcome: { status: Exclude<MessageStatus, 'pending'>; smtpId?: string; error?: string },
  ): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        status: outcome.status,
        smtp_id: outcome.smtpId ?? null,
        error: outcome.error ?? null,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Messages of a mailbox (or all), oldest first. */
  async list(mailboxId?: number): Promise<MessageRow[]> {
    let q = this.db.selectFrom('messages').selectAll().orderBy('id');
    if (mailboxId !== undefined) q = q.where('mailbox_id', '=', mailboxId);
    return (await q.execute()).map(toRow);
  }

  /** A project's log, newest first, a page at a time, each message with its mailbox's source login (null: the project). */
  async page(opts: {
    projectId: number;
    offset: number;
    limit: number;
  }): Promise<{ total: number; items: Array<MessageRow & { mailbox: string | null }> }> {
    const total = Number(
      (
        await this.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', opts.projectId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const rows = await this.db
      .selectFrom('messages')
      .leftJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
      .where('messages.project_id', '=', opts.projectId)
      .selectAll('messages')
      .select('mailboxes.source_user')
      .orderBy('messages.id', 'desc')
      .offset(opts.offset)
      .limit(opts.limit)
      .execute();
    const items = rows.map((r) => ({ ...toRow(r), mailbox: r.source_user }));
    return { total, items };
  }

  /** Keys that need no more sending: sent, refused, uncertain, in flight, or failed `maxAttempts` times. */
  async settledKeys(maxAttempts: number): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('messages')
      .select('dedupe_key')
      .where((eb) => eb.or([eb('status', '!=', 'failed'), eb('attempts', '>=', maxAttempts)]))
      .execute();
    return new Set(rows.map((r) => r.dedupe_key));
  }

  /** Mailboxes for which `event` was sent. */
  async sentTo(event: string): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('messages')
      .select('mailbox_id')
      .where('event', '=', event)
      .where('status', '=', 'sent')
      .execute();
    return new Set(rows.filter((r) => r.mailbox_id !== null).map((r) => Number(r.mailbox_id)));
  }
}
