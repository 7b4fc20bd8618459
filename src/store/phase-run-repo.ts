/**
 * What has happened to each phase of the plan's schedule (table phase_runs), one row per scheduled phase
 * key, so a restarted scheduler neither repeats nor loses a phase.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PhaseRunTable } from './schema.js';

/** A phase_runs row as stored. */
export type PhaseRunRow = Selectable<PhaseRunTable>;

export class PhaseRunRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every recorded phase, by key. */
  async byKey(): Promise<Map<string, PhaseRunRow>> {
    const rows = await this.db.selectFrom('phase_runs').selectAll().execute();
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Insert or replace the row of `row.key`. */
  async record(row: PhaseRunRow): Promise<void> {
    const { key: _k, ...set } = row;
    await this.db
      .insertInto('phase_runs')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet(set))
      .execute();
  }

  /**
   * When the latest finished run of `phase` with `status` finished. Rows without a finish time are left
   * out: PostgreSQL sorts NULLs first in a descending order, SQLite last.
   */
  async lastFinished(phase: string, status: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('phase_runs')
      .select('finished_at')
      .where('phase', '=', phase)
      .where('status', '=', status)
      .where('finished_at', 'is not', null)
      .orderBy('finished_at', 'desc')
      .executeTakeFirst();
    return r?.finished_at ?? undefined;
  }
}
