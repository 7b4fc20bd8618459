/**
 * Verifications (table verifications): each read-back of a mailbox's destination, its counts and, per
 * folder, the messages that differ. The report says "reconciles" only from the last one; the tracker and
 * the mailbox page show it. Lists are capped per folder (the counts stay exact).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import { refreshPassSummary } from './pass-summary.js';

/** A message named in a finding: its source key, destination key and Message-ID where known. */
export interface VerifyItem {
  sourceUid: number | null;
  destUid: number | null;
  messageId: string | null;
  /** An item that is not a message, named for people ("script 'main'", "rule 'News'"). */
  item?: string;
}

/** Not at the destination: `lost` when the ledger says it was copied, `not-copied` when no pass copied it yet. */
export interface MissingItem extends VerifyItem {
  cause: 'lost' | 'not-copied';
}

/** At the destination with other flags (both sides after the destination's own normalisation). */
export interface FlagsItem extends VerifyItem {
  source: string[];
  destination: string[];
}

/** At the destination, but not as written: another size, other bytes, or unreadable there. */
export interface AlteredItem extends VerifyItem {
  reason: string;
}

/** What verifying one source folder found. */
export interface FolderFindings {
  /** The source folder and where it goes, '/'-joined for people. */
  source: string;
  destination: string;
  /** Source messages looked for at the destination. */
  checked: number;
  missing: MissingItem[];
  flagsDiffer: FlagsItem[];
  /** Second copies of a source message (`sourceUid` names the message they copy). */
  extra: VerifyItem[];
  altered: AlteredItem[];
  /** Why the content (deep) was not compared here, when it was not. */
  notCompared?: string;
  /** Why this folder could not be verified at all. */
  error?: string;
}

/** How many of each finding (exact, where the lists are capped). */
export interface FindingCounts {
  missing: number;
  flagsDiffer: number;
  extra: number;
  altered: number;
}

/** A folder as stored: its findings (lists capped at LIST_CAP) and exact counts. */
export interface VerifiedFolder extends FolderFindings {
  counts: FindingCounts;
}

/** normal: keys, sizes and flags; deep: content too. */
export type VerifyMode = 'normal' | 'deep';
/** matches: nothing differs; differs: something does (or a folder could not be read); failed: no read-back. */
export type VerifyResult = 'matches' | 'differs' | 'failed';

/** One verification without its folder detail (what the tracker and the report show). */
export interface VerificationSummary extends FindingCounts {
  id: number;
  mailboxId: number;
  startedAt: string;
  finishedAt: string;
  mode: VerifyMode;
  result: VerifyResult;
  checked: number;
  error: string | null;
}

/** One verification with what it found per folder. */
export interface Verification extends VerificationSummary {
  folders: VerifiedFolder[];
}

/** Items kept per folder and kind of finding. */
export const LIST_CAP = 500;

/** Counts of a folder's findings. */
export function countsOf(f: FolderFindings): FindingCounts {
  return {
    missing: f.missing.length,
    flagsDiffer: f.flagsDiffer.length,
    extra: f.extra.length,
    altered: f.altered.length,
  };
}

export class VerificationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Record a finished verification; returns its id. */
  async record(v: {
    mailboxId: number;
    startedAt: string;
    finishedAt: string;
    mode: VerifyMode;
    result: VerifyResult;
    error: string | null;
    folders: FolderFindings[];
  }): Promise<number> {
    const folders: VerifiedFolder[] = v.folders.map((f) => ({
      ...f,
      missing: f.missing.slice(0, LIST_CAP),
      flagsDiffer: f.flagsDiffer.slice(0, LIST_CAP),
      extra: f.extra.slice(0, LIST_CAP),
      altered: f.altered.slice(0, LIST_CAP),
      counts: countsOf(f),
    }));
    const sum = (k: keyof FindingCounts) => folders.reduce((s, f) => s + f.counts[k], 0);
    const row = await this.db
      .insertInto('verifications')
      .values({
        mailbox_id: v.mailboxId,
        started_at: v.startedAt,
        finished_at: v.finishedAt,
        mode: v.mode,
        result: v.result,
        checked: folders.reduce((s, f) => s + f.checked, 0),
        missing: sum('missing'),
        flags_differ: sum('flagsDiffer'),
        extra: sum('extra'),
        altered: sum('altered'),
        error: v.error,
        details: JSON.stringify(folders),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await refreshPassSummary(this.db, { mailboxId: v.mailboxId });
    return Number(row.id);
  }

  /** The mailbox's last verification with its folder detail. */
  async last(mailboxId: number): Promise<Verification | undefined> {
    const r = await this.db
      .selectFrom('verifications')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && { ...toSummary(r), folders: JSON.parse(r.details) as VerifiedFolder[] };
  }

  /** The last verification of each of these mailboxes (no detail), by mailbox id. */
  async lastOf(mailboxIds: number[]): Promise<Map<number, VerificationSummary>> {
    const out = new Map<number, VerificationSummary>();
    for (let i = 0; i < mailboxIds.length; i += 500) {
      const ids = mailboxIds.slice(i, i + 500);
      const latest = this.db
        .selectFrom('verifications')
        .select((eb) => eb.fn.max('id').as('id'))
        .where('mailbox_id', 'in', ids)
        .groupBy('mailbox_id');
      const rows = await this.db
        .selectFrom('verifications')
        .select([
          'id',
          'mailbox_id',
          'started_at',
          'finished_at',
          'mode',
          'result',
          'checked',
          'missing',
          'flags_differ',
          'extra',
          'altered',
          'error',
        ])
        .where('id', 'in', latest)
        .execute();
      for (const r of rows) out.set(Number(r.mailbox_id), toSummary(r));
    }
    return out;
  }

  /**
   * The ProjectVerifications of a project, from each mailbox's last verification and last writing pass: one
   * aggregate over the mailboxes' rows (store/pass-summary.ts keeps both on them).
   */
  async ofProject(projectId: number): Promise<ProjectVerifications> {
    const outdated = sql`v.id is not null and m.written_at is not null and v.started_at < m.written_at`;
    const one = (cond: RawBuilder<unknown>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
    const of = (result: VerifyResult) =>
      one(sql`v.id is not null and not (${outdated}) and v.result = ${result}`);
    const r = await this.db
      .selectFrom('mailboxes as m')
      .leftJoin('verifications as v', 'v.id', 'm.verified_id')
      .where('m.project_id', '=', projectId)
      .select((eb) => [
        eb.fn.countAll<number>().as('mailboxes'),
        of('matches').as('matches'),
        of('differs').as('differs'),
        of('failed').as('failed'),
        one(sql`v.id is null`).as('not_verified'),
        one(outdated).as('outdated'),
        eb.fn.max('v.finished_at').as('last_at'),
        eb.fn.sum<number>('v.missing').as('missing'),
        eb.fn.sum<number>('v.flags_differ').as('flags_differ'),
        eb.fn.sum<number>('v.extra').as('extra'),
        eb.fn.sum<number>('v.altered').as('altered'),
      ])
      .executeTakeFirstOrThrow();
    return {
      mailboxes: Number(r.mailboxes),
      matches: Number(r.matches ?? 0),
      differs: Number(r.differs ?? 0),
      failed: Number(r.failed ?? 0),
      notVerified: Number(r.not_verified ?? 0),
      outdated: Number(r.outdated ?? 0),
      lastAt: r.last_at ?? null,
      missing: Number(r.missing ?? 0),
      flagsDiffer: Number(r.flags_differ ?? 0),
      extra: Number(r.extra ?? 0),
      altered: Number(r.altered ?? 0),
    };
  }
}

/** A project's verifications at a glance (the tracker's final-sync stage). */
export interface ProjectVerifications extends FindingCounts {
  mailboxes: number;
  matches: number;
  differs: number;
  failed: number;
  /** Mailboxes never verified. */
  notVerified: number;
  /** Verified, but a pass wrote (or is writing) after it. */
  outdated: number;
  lastAt: string | null;
}

function toSummary(
  r: Omit<Database['verifications'], 'details' | 'id'> & { id: unknown },
): VerificationSummary {
  return {
    id: Number(r.id),
    mailboxId: Number(r.mailbox_id),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    mode: r.mode as VerifyMode,
    result: r.result as VerifyResult,
    checked: Number(r.checked),
    missing: Number(r.missing),
    flagsDiffer: Number(r.flags_differ),
    extra: Number(r.extra),
    altered: Number(r.altered),
    error: r.error,
  };
}
