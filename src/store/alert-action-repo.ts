/**
 * The operator's actions on alerts: status changes recorded with what they replaced (so the last action can
 * be undone), the auto-archive rule an action makes, and e-mail requests.
 */
import type { Kysely } from 'kysely';
import type { AlertStatus } from './alert-repo.js';
import type { Database } from './schema.js';

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

const now = () => new Date().toISOString();

export class AlertActionRepo {
  constructor(private readonly db: Kysely<Database>) {}

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
