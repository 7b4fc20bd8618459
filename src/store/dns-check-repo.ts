/**
 * The last DNS readiness check per project and mail domain (table dns_checks): written by
 * POST /api/projects/:id/dns/check, read by the tracker's DNS column so it never looks DNS up itself.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One domain's last check. */
export interface DnsCheckRow {
  domain: string;
  checkedAt: string;
  ready: boolean;
  /** What was not visible, one change per entry (empty when ready). */
  missing: string[];
}

export class DnsCheckRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Replace the project's last check of `domain` (one upsert: two checks at once cannot collide). */
  async record(projectId: number, row: DnsCheckRow): Promise<void> {
    const values = {
      checked_at: row.checkedAt,
      ready: row.ready ? 1 : 0,
      missing: row.missing.length ? row.missing.join('\n') : null,
    };
    await this.db
      .insertInto('dns_checks')
      .values({ project_id: projectId, domain: row.domain, ...values })
      .onConflict((oc) => oc.columns(['project_id', 'domain']).doUpdateSet(values))
      .execute();
  }

  /** The project's last checks, by domain. */
  async last(projectId: number): Promise<Map<string, DnsCheckRow>> {
    const rows = await this.db
      .selectFrom('dns_checks')
      .where('project_id', '=', projectId)
      .selectAll()
      .execute();
    return new Map(
      rows.map((r) => [
        r.domain,
        {
          domain: r.domain,
          checkedAt: r.checked_at,
          ready: Number(r.ready) === 1,
          missing: r.missing ? r.missing.split('\n') : [],
        },
      ]),
    );
  }
}
