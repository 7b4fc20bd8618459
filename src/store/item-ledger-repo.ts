/**
 * The ledger of items that are not messages (filters today), keyed by strings: where each source item
 * ended. One row per (mailbox, item type, collection, key); a later pass overwrites its row.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Where a non-message item ended (see ItemLedgerTable). */
export type ItemStatus = 'copied' | 'present' | 'skipped' | 'failed';

/** One item's row. */
export interface ItemEntry {
  itemType: string;
  collection: string;
  key: string;
  /** script | rule | vacation | signature | activation */
  kind: string;
  sourceHash: string | null;
  destHash: string | null;
  status: ItemStatus;
  reason: string | null;
  original: string | null;
  /** The item's key at the destination; a collection's id there. */
  destRef?: string | null;
  /** A collection's delta state at the source (its sync token). */
  state?: string | null;
  passId: number | null;
}

export class ItemLedgerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Record these items' outcomes (replacing earlier rows of the same keys), in one transaction. */
  async record(mailboxId: number, entries: ItemEntry[]): Promise<void> {
    if (!entries.length) return;
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (tx) => {
      for (const e of entries) {
        const row = {
          mailbox_id: mailboxId,
          item_type: e.itemType,
          collection: e.collection,
          item_key: e.key,
          kind: e.kind,
          source_hash: e.sourceHash,
          dest_hash: e.destHash,
          status: e.status,
          reason: e.reason,
          original: e.original,
          dest_ref: e.destRef ?? null,
          state: e.state ?? null,
          pass_id: e.passId,
          updated_at: now,
        };
        await tx
          .insertInto('item_ledger')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['mailbox_id', 'item_type', 'collection', 'item_key']).doUpdateSet({
              kind: row.kind,
              source_hash: row.source_hash,
              dest_hash: row.dest_hash,
              status: row.status,
              reason: row.reason,
              original: row.original,
              dest_ref: row.dest_ref,
              state: row.state,
              pass_id: row.pass_id,
              updated_at: row.updated_at,
            }),
          )
          .execute();
      }
    });
  }

  /**
   * Replace every row of one item type of a mailbox with these: what the source no longer has is no longer
   * an item to account for (it was deleted there; the destination keeps its copy).
   */
  async replaceType(mailboxId: number, itemType: string, entries: ItemEntry[]): Promise<void> {
    await this.db
      .deleteFrom('item_ledger')
      .where('mailbox_id', '=', mailboxId)
      .where('item_type', '=', itemType)
      .execute();
    await this.record(mailboxId, entries);
  }

  /** A mailbox's items (of one type, or all), in key order. */
  async list(mailboxId: number, itemType?: string): Promise<ItemEntry[]> {
    let q = this.db.selectFrom('item_ledger').selectAll().where('mailbox_id', '=', mailboxId);
    if (itemType) q = q.where('item_type', '=', itemType);
    const rows = await q.orderBy('item_type').orderBy('collection').orderBy('item_key').execute();
    return rows.map((r) => ({
      itemType: r.item_type,
      collection: r.collection,
      key: r.item_key,
      kind: r.kind,
      sourceHash: r.source_hash,
      destHash: r.dest_hash,
      status: r.status as ItemStatus,
      reason: r.reason,
      original: r.original,
      destRef: r.dest_ref,
      state: r.state,
      passId: r.pass_id,
    }));
  }

  /** The rows of one collection of a mailbox (its items), by key. */
  async collection(mailboxId: number, itemType: string, collection: string): Promise<Map<string, ItemEntry>> {
    const all = await this.list(mailboxId, itemType);
    return new Map(all.filter((e) => e.collection === collection).map((e) => [e.key, e]));
  }

  /** A project's items that are not messages, counted by item type and outcome (the tracker's line). */
  async countsByType(projectId: number): Promise<Record<string, Record<ItemStatus, number>>> {
    const rows = await this.db
      .selectFrom('item_ledger')
      .innerJoin('mailboxes', 'mailboxes.id', 'item_ledger.mailbox_id')
      .where('mailboxes.project_id', '=', projectId)
      .select(['item_ledger.item_type as type', 'item_ledger.status as status'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy(['item_ledger.item_type', 'item_ledger.status'])
      .execute();
    const out: Record<string, Record<ItemStatus, number>> = {};
    for (const r of rows)
      (out[r.type] ??= { copied: 0, present: 0, skipped: 0, failed: 0 })[r.status as ItemStatus] += Number(
        r.n,
      );
    return out;
  }
}
