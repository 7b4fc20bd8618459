/**
 * What the operator does with alerts: alerts with their project, status changes recorded with what they
 * replaced (so the last action can be undone), auto-archive rules per project and type, and e-mail requests.
 */
import { sql, type Kysely } from 'kysely';
import type { AlertLevel, AlertStatus } from './alert-repo.js';
import type { Database } from './schema.js';

/** An alert with its project and mailbox. */
export interface AlertDetailRow {
  id: number;
  projectId: number | null;
  mailboxId: number | null;
  mailbox: string | null;
  type: string;
  level: AlertLevel;
  text: string;
  status: AlertStatus;
  createdAt: string;
  updatedAt: string;
}

/** A recorded action: which alerts changed from what to what. */
export interface AlertActionRow {
  id: number;
  projectId: number | null;
  action: string;
  changes: Array<{ id: number; from: AlertStatus; to: AlertStatus }>;
  ruleType: string | null;
  createdAt: string;
  undoneAt: string | null;
}

export interface AlertFilter {
  status?: AlertStatus;
  level?: AlertLevel;
  type?: string;
}

const now = () => new Date().toISOString();

export class AlertAdminRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private detail() {
    return this.db
      .selectFrom('alerts as a')
      .leftJoin('mailboxes as m', 'm.id', 'a.mailbox_id')
      .select([
        'a.id',
        'a.mailbox_id',
        'm.source_user',
        'a.type',
        'a.level',
        'a.text',
        'a.status',
        'a.created_at',
        'a.updated_at',
        sql<number | null>`coalesce(a.project_id, m.project_id)`.as('project_id'),
      ]);
  }

  async get(id: number): Promise<AlertDetailRow | undefined> {
    const r = await this.detail().where('a.id', '=', id).executeTakeFirst();
    return r && toDetail(r);
  }

  /** A project's alerts (its mailboxes' and its own), newest first, paged. */
  async page(
    projectId: number,
    f: AlertFilter & { offset: number; limit: number },
  ): Promise<{ rows: AlertDetailRow[]; total: number }> {
    let q = this.db
      .selectFrom('alerts as a')
      .leftJoin('mailboxes as m', 'm.id', 'a.mailbox_id')
      .where((eb) => eb.or([eb('m.project_id', '=', projectId), eb('a.project_id', '=', projectId)]));
    if (f.status) q = q.where('a.status', '=', f.status);
    if (f.level) q = q.where('a.level', '=', f.level);
    if (f.type) q = q.where('a.type', '=', f.type);
    const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const ids = await q.select('a.id').orderBy('a.id', 'desc').limit(f.limit).offset(f.offset).execute();
    const rows = ids.length
      ? await this.detail()
          .where(
            'a.id',
            'in',
            ids.map((r) => r.id),
          )
          .orderBy('a.id', 'desc')
          .execute()
      : [];
    return { rows: rows.map(toDetail), total: Number(total.n) };
  }

  /** The project's alerts raised or changed at or after `since` (ISO time), oldest change first. */
  async changedSince(
    projectId: number,
    since: string,
  ): Promise<Array<{ id: number; createdAt: string; updatedAt: string }>> {
    const rows = await this.db
      .selectFrom('alerts as a')
      .leftJoin('mailboxes as m', 'm.id', 'a.mailbox_id')
      .where((eb) => eb.or([eb('m.project_id', '=', projectId), eb('a.project_id', '=', projectId)]))
      .where('a.updated_at', '>=', since)
      .select(['a.id', 'a.created_at', 'a.updated_at'])
      .orderBy('a.updated_at')
      .orderBy('a.id')
      .limit(1000)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  /** Active alerts of `type` in the project. */
  async activeOfType(projectId: number, type: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('alerts as a')
      .leftJoin('mailboxes as m', 'm.id', 'a.mailbox_id')
      .where((eb) => eb.or([eb('m.project_id', '=', projectId), eb('a.project_id', '=', projectId)]))
      .where('a.type', '=', type)
      .where('a.status', '=', 'active')
      .select('a.id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Apply status changes and record them as one action, in one transaction; returns the action id. */
  async act(a: {
    projectId: number | null;
    action: string;
    changes: AlertActionRow['changes'];
    rule?: { projectId: number; type: string };
  }): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      for (const c of a.changes)
        await tx
          .updateTable('alerts')
          .set({ status: c.to, updated_at: now() })
          .where('id', '=', c.id)
          .execute();
      if (a.rule)
        await tx
          .insertInto('alert_rules')
          .values({ project_id: a.rule.projectId, type: a.rule.type, action: 'archive', created_at: now() })
          .onConflict((oc) => oc.columns(['project_id', 'type']).doNothing())
          .execute();
      const r = await tx
        .insertInto('alert_actions')
        .values({
          project_id: a.projectId,
          action: a.action,
          changes: JSON.stringify(a.changes),
          rule_type: a.rule?.type ?? null,
          created_at: now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(r.id);
    });
  }

  /** The newest action not undone yet (of the project, when given). */
  async lastAction(projectId?: number): Promise<AlertActionRow | undefined> {
    let q = this.db.selectFrom('alert_actions').selectAll().where('undone_at', 'is', null);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    const r = await q.orderBy('id', 'desc').executeTakeFirst();
    return r && toAction(r);
  }

  async action(id: number): Promise<AlertActionRow | undefined> {
    const r = await this.db.selectFrom('alert_actions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toAction(r);
  }

  /**
   * Undo an action in one transaction: each alert goes back to its former status unless someone changed it
   * since; a rule the action made is removed. Returns the alerts restored.
   */
  async undo(a: AlertActionRow): Promise<number[]> {
    return this.db.transaction().execute(async (tx) => {
      const restored: number[] = [];
      for (const c of a.changes) {
        const r = await tx
          .updateTable('alerts')
          .set({ status: c.from, updated_at: now() })
          .where('id', '=', c.id)
          .where('status', '=', c.to)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows)) restored.push(c.id);
      }
      if (a.ruleType && a.projectId !== null)
        await tx
          .deleteFrom('alert_rules')
          .where('project_id', '=', a.projectId)
          .where('type', '=', a.ruleType)
          .execute();
      await tx.updateTable('alert_actions').set({ undone_at: now() }).where('id', '=', a.id).execute();
      return restored;
    });
  }

  /** Types the project archives automatically. */
  async rules(projectId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('alert_rules')
      .select('type')
      .where('project_id', '=', projectId)
      .orderBy('type')
      .execute();
    return rows.map((r) => r.type);
  }

  async recordEmail(e: {
    alertId: number;
    recipient: string;
    note: string | null;
    status: string;
    error: string | null;
  }) {
    await this.db
      .insertInto('alert_emails')
      .values({
        alert_id: e.alertId,
        recipient: e.recipient,
        note: e.note,
        status: e.status,
        error: e.error,
        created_at: now(),
      })
      .execute();
  }
}

function toDetail(r: {
  id: number;
  mailbox_id: number | null;
  source_user: string | null;
  type: string;
  level: string;
  text: string;
  status: string;
  created_at: string;
  updated_at: string;
  project_id: number | null;
}): AlertDetailRow {
  return {
    id: Number(r.id),
    projectId: r.project_id === null ? null : Number(r.project_id),
    mailboxId: r.mailbox_id === null ? null : Number(r.mailbox_id),
    mailbox: r.source_user,
    type: r.type,
    level: r.level as AlertLevel,
    text: r.text,
    status: r.status as AlertStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAction(
  r: Database['alert_actions'] extends infer T ? { [K in keyof T]: unknown } : never,
): AlertActionRow {
  return {
    id: Number(r.id),
    projectId: r.project_id === null ? null : Number(r.project_id),
    action: String(r.action),
    changes: JSON.parse(String(r.changes)) as AlertActionRow['changes'],
    ruleType: (r.rule_type as string | null) ?? null,
    createdAt: String(r.created_at),
    undoneAt: (r.undone_at as string | null) ?? null,
  };
}
