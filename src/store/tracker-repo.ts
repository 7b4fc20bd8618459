/**
 * The tracker's per-stage classification of a project's mailboxes, in SQL: each stage is one CASE
 * expression giving done | running | attention | waiting per mailbox, so counts are one GROUP BY and the
 * drill-down is one paged query, fast at 25,000 mailboxes (indexes of migration 0007b).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/** The colour-coded status of a mailbox in a stage. */
export type StageState = 'done' | 'running' | 'attention' | 'waiting';

/** The stages the store can classify. */
export type TrackedStage =
  'destination-ready' | 'credentials' | 'client-setup' | 'initial-sync' | 'dns' | 'final-sync';

/** Sides whose credential the stage waits for (those without an admin login). */
export interface StageContext {
  requiredSides: Array<'source' | 'destination'>;
  /** DNS: the state of each plan domain (a mailbox whose address is in none takes `other`), with the reason. */
  dns?: { domains: Array<{ domain: string; state: StageState; reason: string | null }>; other: StageState };
  /** Final sync: passes started at or after this ISO time count (the plan's cutover); null = no cutover date. */
  finalFrom?: string | null;
}

const lit = (s: StageState) => sql.lit<StageState>(s);
const inDomain = (domain: string) =>
  sql`(lower(m.dest_user) like ${'%@' + domain.toLowerCase()} or lower(m.source_user) like ${'%@' + domain.toLowerCase()})`;
const afterCutover = (from: string) => sql`p.mailbox_id = m.id and p.dry_run = 0 and p.started_at >= ${from}`;

/** Why a mailbox is not done in the stage: the stage's own reason, else the mailbox's last error. */
function reasonCase(stage: TrackedStage, ctx: StageContext): RawBuilder<string | null> {
  if (stage === 'dns' && ctx.dns?.domains.length) {
    const whens = ctx.dns.domains.map((d) => sql`when ${inDomain(d.domain)} then cast(${d.reason} as text)`);
    return sql<string | null>`case ${sql.join(whens, sql` `)} else null end`;
  }
  if (stage === 'final-sync' && ctx.finalFrom)
    return sql<string | null>`coalesce((select coalesce(p.error, case when p.failed > 0
      then cast(p.failed as text) || ' item(s) failed' end) from passes p where ${afterCutover(ctx.finalFrom)}
      order by p.id desc limit 1), m.last_error)`;
  return sql<string | null>`m.last_error`;
}

function stageCase(stage: TrackedStage, ctx: StageContext): RawBuilder<StageState> {
  switch (stage) {
    case 'destination-ready':
      return sql<StageState>`case
        when exists (select 1 from alerts a where a.mailbox_id = m.id and a.status = 'active' and a.level = 'critical') then 'attention'
        when exists (select 1 from passes p where p.mailbox_id = m.id and p.status = 'done' and p.dry_run = 0) then 'done'
        when not exists (select 1 from scan_mailboxes s where s.mailbox_id = m.id) then 'waiting'
        when exists (select 1 from scan_mailboxes s where s.mailbox_id = m.id
          and s.scan_id = (select max(s2.scan_id) from scan_mailboxes s2 where s2.mailbox_id = m.id)
          and (s.status <> 'done' or s.dest_error is not null)) then 'attention'
        else 'done' end`;
    case 'initial-sync':
      return sql<StageState>`case
        when exists (select 1 from passes p where p.mailbox_id = m.id and p.status = 'done' and p.dry_run = 0) then 'done'
        when m.status = 'running' then 'running'
        when m.status = 'failed' then 'attention'
        when exists (select 1 from passes p where p.mailbox_id = m.id and p.dry_run = 0) then 'running'
        else 'waiting' end`;
    case 'credentials': {
      const sides = ctx.requiredSides;
      if (!sides.length) return sql<StageState>`'done'`;
      const inSides = sql.join(sides.map((s) => sql`${s}`));
      return sql<StageState>`case
        when (select count(*) from credentials c where c.mailbox_id = m.id and c.side in (${inSides})
          and c.verified_at is not null) = ${sides.length} then 'done'
        when exists (select 1 from credentials c where c.mailbox_id = m.id and c.side in (${inSides})) then 'running'
        else 'waiting' end`;
    }
    case 'dns': {
      const d = ctx.dns ?? { domains: [], other: 'waiting' };
      if (!d.domains.length) return lit(d.other);
      const whens = d.domains.map((x) => sql`when ${inDomain(x.domain)} then ${lit(x.state)}`);
      return sql<StageState>`case ${sql.join(whens, sql` `)} else ${lit(d.other)} end`;
    }
    case 'final-sync': {
      // Passes since the cutover: a clean one is done; the latest under way (or interrupted, stopped: it
      // resumes) is running; a failed one, or one that left failed items, needs attention.
      if (!ctx.finalFrom) return lit('waiting');
      const after = afterCutover(ctx.finalFrom);
      return sql<StageState>`case
        when exists (select 1 from passes p where ${after} and p.status = 'done' and p.failed = 0) then 'done'
        when (select p.status from passes p where ${after} order by p.id desc limit 1)
          in ('running', 'interrupted', 'stopped') then 'running'
        when exists (select 1 from passes p where ${after}) then 'attention'
        else 'waiting' end`;
    }
    case 'client-setup':
      return sql<StageState>`case when exists (select 1 from client_setups c where c.mailbox_id = m.id) then 'done' else 'waiting' end`;
  }
}

export class TrackerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Mailboxes of the project per state of the stage. */
  async counts(
    projectId: number,
    stage: TrackedStage,
    ctx: StageContext,
  ): Promise<Record<StageState, number>> {
    const rows = await this.db
      .selectFrom('mailboxes as m')
      .where('m.project_id', '=', projectId)
      .select([stageCase(stage, ctx).as('state'), (eb) => eb.fn.countAll().as('n')])
      .groupBy('state')
      .execute();
    const out: Record<StageState, number> = { done: 0, running: 0, attention: 0, waiting: 0 };
    for (const r of rows) out[r.state] += Number(r.n);
    return out;
  }

  /** The project's mailboxes that are not done in the stage, attention first, then by name; paged. */
  async notDone(
    projectId: number,
    stage: TrackedStage,
    ctx: StageContext,
    page: { offset: number; limit: number; state?: Exclude<StageState, 'done'> },
  ): Promise<{
    rows: Array<{
      id: number;
      sourceUser: string;
      destUser: string;
      state: StageState;
      lastError: string | null;
    }>;
    total: number;
  }> {
    const base = this.db
      .selectFrom((eb) =>
        eb
          .selectFrom('mailboxes as m')
          .where('m.project_id', '=', projectId)
          .select([
            'm.id',
            'm.source_user',
            'm.dest_user',
            reasonCase(stage, ctx).as('reason'),
            stageCase(stage, ctx).as('state'),
          ])
          .as('t'),
      )
      .where('t.state', page.state ? '=' : '<>', page.state ?? 'done');
    const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy(sql`case t.state when 'attention' then 0 when 'running' then 1 else 2 end`)
      .orderBy('t.source_user')
      .orderBy('t.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return {
      rows: rows.map((r) => ({
        id: Number(r.id),
        sourceUser: r.source_user,
        destUser: r.dest_user,
        state: r.state,
        lastError: r.reason,
      })),
      total: Number(total.n),
    };
  }

  /** Mailbox counts by status, and the messages and bytes at the source of those not done yet. */
  async overall(projectId: number): Promise<{
    byStatus: Record<string, number>;
    remaining: Array<{ mailbox: string; messages: number; bytes: number; starred: boolean }>;
  }> {
    const rows = await this.db
      .selectFrom('mailboxes')
      .where('project_id', '=', projectId)
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const remaining = await this.db
      .selectFrom('mailboxes')
      .where('project_id', '=', projectId)
      .where('status', '<>', 'done')
      .select(['source_user', 'source_messages', 'source_bytes', 'starred'])
      .execute();
    return {
      byStatus: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
      remaining: remaining.map((r) => ({
        mailbox: r.source_user,
        messages: Number(r.source_messages),
        bytes: Number(r.source_bytes),
        starred: Number(r.starred) === 1,
      })),
    };
  }
}
