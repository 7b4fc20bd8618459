/**
 * The tracker's per-stage classification of a project's mailboxes, in SQL: each stage is one CASE
 * expression giving done | running | attention | waiting per mailbox, so counts are one GROUP BY and the
 * drill-down is one paged query, fast at 25,000 mailboxes (indexes of migration 0007b). What a stage needs of
 * a mailbox's passes is kept on its row (store/pass-summary.ts), so no stage probes the passes table.
 */
import { sql, type Kysely, type QueryCreator, type RawBuilder } from 'kysely';
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
/** The mailbox's latest pass started at or after `from` (store/pass-summary.ts keeps it on the row). */
const lastAfter = (from: string) => sql`m.last_pass_started_at >= ${from}`;

/** Why a mailbox is not done in the stage: the stage's own reason, else the mailbox's last error. */
function reasonCase(stage: TrackedStage, ctx: StageContext): RawBuilder<string | null> {
  if (stage === 'dns' && ctx.dns?.domains.length) {
    const whens = ctx.dns.domains.map((d) => sql`when ${inDomain(d.domain)} then cast(${d.reason} as text)`);
    return sql<string | null>`case ${sql.join(whens, sql` `)} else null end`;
  }
  if (stage === 'final-sync' && ctx.finalFrom)
    return sql<string | null>`case when ${lastAfter(ctx.finalFrom)} then coalesce(m.last_pass_error,
      case when m.last_pass_failed > 0 then cast(m.last_pass_failed as text) || ' item(s) failed' end,
      m.last_error) else m.last_error end`;
  return sql<string | null>`m.last_error`;
}

function stageCase(stage: TrackedStage, ctx: StageContext): RawBuilder<StageState> {
  switch (stage) {
    case 'destination-ready':
      // `m.id in (select …)` rather than a correlated exists: both databases build the set once and look
      // each mailbox up in it, instead of probing the other table once per mailbox. Scans come joined (`ls`,
      // see withScans): that set grows with every scan.
      return sql<StageState>`case
        when m.id in (select a.mailbox_id from alerts a where a.status = 'active' and a.level = 'critical') then 'attention'
        when m.synced_at is not null then 'done'
        when ls.last_scan is null then 'waiting'
        when ls.last_bad_scan = ls.last_scan then 'attention'
        else 'done' end`;
    case 'initial-sync':
      return sql<StageState>`case
        when m.synced_at is not null then 'done'
        when m.status = 'running' then 'running'
        when m.status = 'failed' then 'attention'
        when m.last_pass_status is not null then 'running'
        else 'waiting' end`;
    case 'credentials': {
      const sides = ctx.requiredSides;
      if (!sides.length) return sql<StageState>`'done'`;
      const inSides = sql.join(sides.map((s) => sql`${s}`));
      return sql<StageState>`case
        when m.id in (select c.mailbox_id from credentials c where c.side in (${inSides})
          and c.verified_at is not null group by c.mailbox_id having count(*) = ${sides.length}) then 'done'
        when m.id in (select c.mailbox_id from credentials c where c.side in (${inSides})) then 'running'
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
      const after = lastAfter(ctx.finalFrom);
      return sql<StageState>`case
        when m.clean_pass_started_at >= ${ctx.finalFrom} then 'done'
        when ${after} and m.last_pass_status in ('running', 'interrupted', 'stopped') then 'running'
        when ${after} then 'attention'
        else 'waiting' end`;
    }
    case 'client-setup':
      return sql<StageState>`case when m.id in (select c.mailbox_id from client_setups c) then 'done' else 'waiting' end`;
  }
}

/**
 * The project's mailboxes (`m`), each with its latest scan and its latest scan that found a problem (`ls`,
 * for the destination-ready stage).
 */
function mailboxesOf(db: QueryCreator<Database>, projectId: number) {
  return db
    .selectFrom('mailboxes as m')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('scan_mailboxes as s')
          .select((e) => [
            's.mailbox_id',
            e.fn.max('s.scan_id').as('last_scan'),
            e.fn
              .max(sql<number>`case when s.status <> 'done' or s.dest_error is not null then s.scan_id end`)
              .as('last_bad_scan'),
          ])
          .groupBy('s.mailbox_id')
          .as('ls'),
      (j) => j.onRef('ls.mailbox_id', '=', 'm.id'),
    )
    .where('m.project_id', '=', projectId);
}

export class TrackerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Mailboxes of the project per state of the stage. */
  async counts(
    projectId: number,
    stage: TrackedStage,
    ctx: StageContext,
  ): Promise<Record<StageState, number>> {
    return (await this.countsOf(projectId, [stage], ctx))[stage];
  }

  /**
   * Mailboxes of the project per state of each of these stages, in one pass over its mailboxes: a row per
   * combination of states (at most 4^stages, a handful in practice) summed here.
   */
  async countsOf<S extends TrackedStage>(
    projectId: number,
    stages: S[],
    ctx: StageContext,
  ): Promise<Record<S, Record<StageState, number>>> {
    const cols = stages.map((_, i) => `s${i}`);
    const rows = (await mailboxesOf(this.db, projectId)
      .select((eb) => [...stages.map((st, i) => stageCase(st, ctx).as(cols[i]!)), eb.fn.countAll().as('n')])
      .groupBy(cols)
      .execute()) as Array<Record<string, unknown>>;
    const out = Object.fromEntries(
      stages.map((st) => [st, { done: 0, running: 0, attention: 0, waiting: 0 }]),
    ) as Record<S, Record<StageState, number>>;
    for (const r of rows) stages.forEach((st, i) => (out[st][r[cols[i]!] as StageState] += Number(r.n)));
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
      .selectFrom(
        mailboxesOf(this.db, projectId)
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

  /** Mailbox counts by status. */
  async byStatus(projectId: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('mailboxes')
      .where('project_id', '=', projectId)
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** How many mailboxes are not done, and the messages and bytes at their source: one row. */
  async pending(projectId: number): Promise<{ mailboxes: number; messages: number; bytes: number }> {
    const r = await this.db
      .selectFrom('mailboxes')
      .where('project_id', '=', projectId)
      .where('status', '<>', 'done')
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.sum<number>('source_messages').as('messages'),
        eb.fn.sum<number>('source_bytes').as('bytes'),
      ])
      .executeTakeFirstOrThrow();
    return { mailboxes: Number(r.n), messages: Number(r.messages ?? 0), bytes: Number(r.bytes ?? 0) };
  }

  /** The messages and bytes at the source of each mailbox not done yet (what an ETA is made of). */
  async remaining(
    projectId: number,
  ): Promise<Array<{ mailbox: string; messages: number; bytes: number; starred: boolean }>> {
    const rows = await this.db
      .selectFrom('mailboxes')
      .where('project_id', '=', projectId)
      .where('status', '<>', 'done')
      .select(['source_user', 'source_messages', 'source_bytes', 'starred'])
      .execute();
    return rows.map((r) => ({
      mailbox: r.source_user,
      messages: Number(r.source_messages),
      bytes: Number(r.source_bytes),
      starred: Number(r.starred) === 1,
    }));
  }
}
