/**
 * Alerts: raised by the engine, the scan and the planner; one active alert per type and mailbox (raising
 * it again refreshes its text); cleared when the condition is gone; completed or archived by a person.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type AlertLevel = 'critical' | 'advisory';
export type AlertStatus = 'active' | 'completed' | 'archived';

export interface AlertRow {
  id: number;
  mailboxId: number | null;
  type: string;
  level: AlertLevel;
  text: string;
  status: AlertStatus;
  createdAt: string;
  updatedAt: string;
}

const now = () => new Date().toISOString();

export class AlertRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Raise (or refresh) the active alert of this type for this mailbox (null: the project). */
  async raise(a: {
    mailboxId: number | null;
    type: string;
    level: AlertLevel;
    text: string;
  }): Promise<number> {
    const existing = await this.active(a.mailboxId, a.type);
    if (existing) {
      await this.db
        .updateTable('alerts')
        .set({ text: a.text, level: a.level, updated_at: now() })
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    const r = await this.db
      .insertInto('alerts')
      .values({
        mailbox_id: a.mailboxId,
        type: a.type,
        level: a.level,
        text: a.text,
        status: 'active',
        created_at: now(),
        updated_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.applyRules(Number(r.id));
    return Number(r.id);
  }

  /** A new alert of a type its project auto-archives (an operator's rule) is archived at once. */
  private async applyRules(id: number): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set({ status: 'archived' })
      .where('id', '=', id)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('alert_rules as r')
            .leftJoin('mailboxes as m', 'm.project_id', 'r.project_id')
            .select('r.type')
            .whereRef('r.type', '=', 'alerts.type')
            .where((w) =>
              w.or([
                w('m.id', '=', w.ref('alerts.mailbox_id')),
                w('r.project_id', '=', w.ref('alerts.project_id')),
              ]),
            ),
        ),
      )
      .execute();
  }

  /** The condition is gone: the active alert of this type for this mailbox completes itself. */
  async clear(mailboxId: number | null, type: string): Promise<void> {
    const existing = await this.active(mailboxId, type);
    if (existing) await this.setStatus(existing.id, 'completed');
  }

  async setStatus(id: number, status: AlertStatus): Promise<void> {
    await this.db.updateTable('alerts').set({ status, updated_at: now() }).where('id', '=', id).execute();
  }

  async list(status?: AlertStatus): Promise<AlertRow[]> {
    let q = this.db.selectFrom('alerts').selectAll().orderBy('id');
    if (status) q = q.where('status', '=', status);
    return (await q.execute()).map(toAlert);
  }

  /** The active alerts of these types for these mailboxes: mailbox and text. */
  async activeOfTypes(
    types: string[],
    mailboxIds: number[],
  ): Promise<Array<{ mailboxId: number; text: string }>> {
    const rows = await this.db
      .selectFrom('alerts')
      .select(['mailbox_id', 'text'])
      .where('status', '=', 'active')
      .where('type', 'in', types)
      .where('mailbox_id', 'in', mailboxIds.length ? mailboxIds : [-1])
      .execute();
    return rows.map((r) => ({ mailboxId: Number(r.mailbox_id), text: r.text }));
  }

  private async active(mailboxId: number | null, type: string) {
    let q = this.db.selectFrom('alerts').select('id').where('type', '=', type).where('status', '=', 'active');
    q = mailboxId === null ? q.where('mailbox_id', 'is', null) : q.where('mailbox_id', '=', mailboxId);
    const r = await q.executeTakeFirst();
    return r && { id: Number(r.id) };
  }
}

/** An `alerts` row as an AlertRow (the one mapping; the page and operator reads build on it). */
export function toAlert(r: {
  id: number;
  mailbox_id: number | null;
  type: string;
  level: string;
  text: string;
  status: string;
  created_at: string;
  updated_at: string;
}): AlertRow {
  return {
    id: Number(r.id),
    mailboxId: r.mailbox_id === null ? null : Number(r.mailbox_id),
    type: r.type,
    level: r.level as AlertLevel,
    text: r.text,
    status: r.status as AlertStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
