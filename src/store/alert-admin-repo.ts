/** Alerts as the operator sees them: with their project and mailbox, per project, changed since, rules. */
import { sql, type Kysely } from 'kysely';
import { toAlert, type AlertLevel, type AlertRow, type AlertStatus } from './alert-repo.js';
import type { Database } from './schema.js';

/** An alert with its project and mailbox. */
export interface AlertDetailRow extends AlertRow {
  projectId: number | null;
  mailbox: string | null;
}

export interface AlertFilter {
  status?: AlertStatus;
  level?: AlertLevel;
  type?: string;
}

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

  /** The project's alerts: its mailboxes' and its own. */
  private ofProject(projectId: number) {
    return this.db
      .selectFrom('alerts as a')
      .leftJoin('mailboxes as m', 'm.id', 'a.mailbox_id')
      .where((eb) => eb.or([eb('m.project_id', '=', projectId), eb('a.project_id', '=', projectId)]));
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
    let q = this.ofProject(projectId);
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
    const rows = await this.ofProject(projectId)
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
    const rows = await this.ofProject(projectId)
      .where('a.type', '=', type)
      .where('a.status', '=', 'active')
      .select('a.id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** How many of the project's alerts are active, per level (the tracker's badge). */
  async activeCounts(projectId: number): Promise<Record<AlertLevel, number>> {
    const rows = await this.ofProject(projectId)
      .where('a.status', '=', 'active')
      .select(['a.level', (eb) => eb.fn.countAll().as('n')])
      .groupBy('a.level')
      .execute();
    const n = (level: AlertLevel) => Number(rows.find((r) => r.level === level)?.n ?? 0);
    return { critical: n('critical'), advisory: n('advisory') };
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
}

function toDetail(
  r: Parameters<typeof toAlert>[0] & { source_user: string | null; project_id: number | null },
): AlertDetailRow {
  return {
    ...toAlert(r),
    projectId: r.project_id === null ? null : Number(r.project_id),
    mailbox: r.source_user,
  };
}
