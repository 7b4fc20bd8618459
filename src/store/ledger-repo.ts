/**
 * The ledger (source key → destination key + fingerprint + outcome) and per-folder state.
 * Every write the engine makes goes through here, in transactions sized to one batch.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Outcome of one source message ('missing': a verification did not find it at the destination). */
export type LedgerStatus = 'intent' | 'copied' | 'present' | 'skipped' | 'failed' | 'gone' | 'missing';

export interface LedgerEntry {
  folderKey: string;
  uidValidity: string;
  uid: number;
  fingerprint: string;
  size: number;
  status: LedgerStatus;
  reason: string | null;
  destUid: number | null;
  flags: string;
  passId: number;
}

export interface FolderRow {
  folderKey: string;
  destPath: string | null;
  uidValidity: string | null;
  uidNext: number | null;
  highestModseq: string | null;
  messages: number;
  destUidValidity: string | null;
  renamed: string | null;
  excluded: string | null;
  error: string | null;
  lastPassId: number | null;
}

/** Per-folder counts by status, for reports. */
export interface FolderCounts {
  folderKey: string;
  counts: Partial<Record<LedgerStatus, number>>;
  bytesCopied: number;
  /** Copied items that differ from the source in a way the servers forced (their rows say how). */
  altered: number;
}

const CHUNK = 400;

/** A folder row that keeps `prev`'s source state (or starts empty) with `patch` applied. */
export function folderRow(
  folderKey: string,
  prev: FolderRow | undefined,
  patch: Partial<FolderRow>,
): FolderRow {
  return {
    folderKey,
    destPath: prev?.destPath ?? null,
    uidValidity: prev?.uidValidity ?? null,
    uidNext: prev?.uidNext ?? null,
    highestModseq: prev?.highestModseq ?? null,
    messages: prev?.messages ?? 0,
    destUidValidity: prev?.destUidValidity ?? null,
    renamed: prev?.renamed ?? null,
    excluded: null,
    error: null,
    lastPassId: prev?.lastPassId ?? null,
    ...patch,
  };
}

export class LedgerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async getFolder(mailboxId: number, folderKey: string): Promise<FolderRow | undefined> {
    const r = await this.db
      .selectFrom('folders')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .executeTakeFirst();
    return r && toFolder(r);
  }

  async listFolders(mailboxId: number): Promise<FolderRow[]> {
    const rows = await this.db
      .selectFrom('folders')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .orderBy('folder_key')
      .execute();
    return rows.map(toFolder);
  }

  async saveFolder(mailboxId: number, f: FolderRow): Promise<void> {
    const v = {
      mailbox_id: mailboxId,
      folder_key: f.folderKey,
      dest_path: f.destPath,
      uid_validity: f.uidValidity,
      uid_next: f.uidNext,
      highest_modseq: f.highestModseq,
      messages: f.messages,
      dest_uid_validity: f.destUidValidity,
      renamed: f.renamed,
      excluded: f.excluded,
      error: f.error,
      last_pass_id: f.lastPassId,
    };
    const { mailbox_id: _m, folder_key: _k, ...set } = v;
    await this.db
      .insertInto('folders')
      .values(v)
      .onConflict((oc) => oc.columns(['mailbox_id', 'folder_key']).doUpdateSet(set))
      .execute();
  }

  /** Ledger rows of these keys in one folder generation. */
  async rows(
    mailboxId: number,
    folderKey: string,
    uidValidity: string,
    uids: number[],
  ): Promise<Map<number, LedgerEntry>> {
    const out = new Map<number, LedgerEntry>();
    if (uids.length === 0) return out;
    const want = new Set(uids);
    const rows = await this.db
      .selectFrom('ledger')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .where('uid_validity', '=', uidValidity)
      .where('uid', '>=', Math.min(...uids))
      .where('uid', '<=', Math.max(...uids))
      .execute();
    for (const r of rows) if (want.has(Number(r.uid))) out.set(Number(r.uid), toEntry(r));
    return out;
  }

  /** Rows with this status in one folder generation (e.g. intents left by a crash). */
  async withStatus(
    mailboxId: number,
    folderKey: string,
    uidValidity: string,
    status: LedgerStatus,
  ): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom('ledger')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .where('uid_validity', '=', uidValidity)
      .where('status', '=', status)
      .execute();
    return rows.map(toEntry);
  }

  /** Insert or replace rows, in one transaction. */
  async put(mailboxId: number, entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < entries.length; i += CHUNK) {
        const values = entries.slice(i, i + CHUNK).map((e) => ({
          mailbox_id: mailboxId,
          folder_key: e.folderKey,
          uid_validity: e.uidValidity,
          uid: e.uid,
          fingerprint: e.fingerprint,
          size: e.size,
          status: e.status,
          reason: e.reason,
          dest_uid: e.destUid,
          flags: e.flags,
          pass_id: e.passId,
        }));
        await trx
          .insertInto('ledger')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['mailbox_id', 'folder_key', 'uid_validity', 'uid']).doUpdateSet((eb) => ({
              fingerprint: eb.ref('excluded.fingerprint'),
              size: eb.ref('excluded.size'),
              status: eb.ref('excluded.status'),
              reason: eb.ref('excluded.reason'),
              dest_uid: eb.ref('excluded.dest_uid'),
              flags: eb.ref('excluded.flags'),
              pass_id: eb.ref('excluded.pass_id'),
            })),
          )
          .execute();
      }
    });
  }

  /** Count of rows in a generation that are still at the source (not gone). */
  async aliveCount(mailboxId: number, folderKey: string, uidValidity: string): Promise<number> {
    const r = await this.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .where('uid_validity', '=', uidValidity)
      .where('status', '!=', 'gone')
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Every key of a generation that is not gone (for expunge detection). */
  async aliveUids(mailboxId: number, folderKey: string, uidValidity: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('ledger')
      .select('uid')
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .where('uid_validity', '=', uidValidity)
      .where('status', '!=', 'gone')
      .execute();
    return rows.map((r) => Number(r.uid));
  }

  /** Mark keys as expunged at the source. */
  async markGone(mailboxId: number, folderKey: string, uidValidity: string, uids: number[]): Promise<void> {
    for (let i = 0; i < uids.length; i += CHUNK)
      await this.db
        .updateTable('ledger')
        .set({ status: 'gone' })
        .where('mailbox_id', '=', mailboxId)
        .where('folder_key', '=', folderKey)
        .where('uid_validity', '=', uidValidity)
        .where('uid', 'in', uids.slice(i, i + CHUNK))
        .execute();
  }

  /** Drop rows of older generations of a folder (after UIDVALIDITY changed). */
  async dropOtherGenerations(mailboxId: number, folderKey: string, uidValidity: string): Promise<number> {
    const r = await this.db
      .deleteFrom('ledger')
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .where('uid_validity', '!=', uidValidity)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Destination keys already claimed by ledger rows of any folder that writes to `destPath`. */
  async claimedDestUids(mailboxId: number, destPath: string): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('ledger')
      .innerJoin('folders', (j) =>
        j
          .onRef('folders.mailbox_id', '=', 'ledger.mailbox_id')
          .onRef('folders.folder_key', '=', 'ledger.folder_key'),
      )
      .select('ledger.dest_uid')
      .where('ledger.mailbox_id', '=', mailboxId)
      .where('folders.dest_path', '=', destPath)
      .where('ledger.dest_uid', 'is not', null)
      .where('ledger.status', 'in', ['copied', 'present'])
      .execute();
    return new Set(rows.map((r) => Number(r.dest_uid)));
  }

  /** Bytes of every message still at the source (largest-first ordering of mailboxes). */
  async totalBytes(mailboxId: number): Promise<number> {
    const r = await this.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.sum<number>('size').as('bytes'))
      .where('mailbox_id', '=', mailboxId)
      .where('status', '!=', 'gone')
      .executeTakeFirst();
    return Number(r?.bytes ?? 0);
  }

  /** Ledger rows of each folder's current generation (rows of older UIDVALIDITYs left out). */
  private currentGeneration() {
    return this.db
      .selectFrom('ledger')
      .innerJoin('folders', (j) =>
        j
          .onRef('folders.mailbox_id', '=', 'ledger.mailbox_id')
          .onRef('folders.folder_key', '=', 'ledger.folder_key')
          .onRef('folders.uid_validity', '=', 'ledger.uid_validity'),
      );
  }

  /** How many rows of one folder generation have one of these statuses. */
  async countWithStatus(
    mailboxId: number,
    folderKey: string,
    uidValidity: string,
    statuses: LedgerStatus[],
  ): Promise<number> {
    const r = await this.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mailbox_id', '=', mailboxId)
      .where('folder_key', '=', folderKey)
      .where('uid_validity', '=', uidValidity)
      .where('status', 'in', statuses)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Per-folder outcome counts of the current generation of each folder. */
  async folderCounts(mailboxId: number): Promise<FolderCounts[]> {
    const rows = await this.currentGeneration()
      .select(['ledger.folder_key', 'ledger.status'])
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('ledger.size').as('bytes')])
      .where('ledger.mailbox_id', '=', mailboxId)
      .groupBy(['ledger.folder_key', 'ledger.status'])
      .execute();
    const altered = await this.currentGeneration()
      .select(['ledger.folder_key'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ledger.mailbox_id', '=', mailboxId)
      .where('ledger.status', '=', 'copied')
      .where('ledger.reason', 'is not', null)
      .groupBy('ledger.folder_key')
      .execute();
    const by = new Map<string, FolderCounts>();
    const of = (key: string) => by.get(key) ?? { folderKey: key, counts: {}, bytesCopied: 0, altered: 0 };
    for (const r of rows) {
      const fc = of(r.folder_key);
      fc.counts[r.status as LedgerStatus] = Number(r.n);
      if (r.status === 'copied') fc.bytesCopied += Number(r.bytes ?? 0);
      by.set(r.folder_key, fc);
    }
    for (const r of altered) by.set(r.folder_key, { ...of(r.folder_key), altered: Number(r.n) });
    return [...by.values()];
  }

  /** Skipped, failed, pending, missing and altered (copied with a note) items with their reasons. */
  async problems(mailboxId: number, limit = 1000): Promise<LedgerEntry[]> {
    const rows = await this.currentGeneration()
      .selectAll('ledger')
      .where('ledger.mailbox_id', '=', mailboxId)
      .where((eb) =>
        eb.or([
          eb('ledger.status', 'in', ['skipped', 'failed', 'intent', 'missing']),
          eb.and([eb('ledger.status', '=', 'copied'), eb('ledger.reason', 'is not', null)]),
        ]),
      )
      .orderBy('ledger.folder_key')
      .orderBy('ledger.uid')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }
}

function toEntry(r: Record<string, unknown>): LedgerEntry {
  return {
    folderKey: String(r.folder_key),
    uidValidity: String(r.uid_validity),
    uid: Number(r.uid),
    fingerprint: String(r.fingerprint),
    size: Number(r.size),
    status: r.status as LedgerStatus,
    reason: (r.reason as string | null) ?? null,
    destUid: r.dest_uid === null || r.dest_uid === undefined ? null : Number(r.dest_uid),
    flags: (r.flags as string | null) ?? '',
    passId: Number(r.pass_id),
  };
}

function toFolder(r: Record<string, unknown>): FolderRow {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const s = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
  return {
    folderKey: String(r.folder_key),
    destPath: s(r.dest_path),
    uidValidity: s(r.uid_validity),
    uidNext: n(r.uid_next),
    highestModseq: s(r.highest_modseq),
    messages: Number(r.messages ?? 0),
    destUidValidity: s(r.dest_uid_validity),
    renamed: s(r.renamed),
    excluded: s(r.excluded),
    error: s(r.error),
    lastPassId: n(r.last_pass_id),
  };
}
