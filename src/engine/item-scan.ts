/**
 * The scan of what one mailbox moves besides mail, per item type it selects: contacts, calendars and tasks
 * (collections and items at the source's groupware endpoint, or the CalDAV/CardDAV server beside it) and
 * filters (Sieve scripts, or rules where the system keeps rules). Read-only: collections are listed and
 * their items listed (keys and ETags, no bodies); nothing is created, written or activated anywhere.
 *
 * A type the source cannot be read for is a problem of that type, in the connector's words; the other types
 * and the mail are still counted. Collections are counted under the type a pass would move their items as
 * (groupware-sync.ts `typeOf`): a calendar that holds events and tasks counts once, as calendars, when both
 * are selected. Collections shared with the user by someone else are counted apart, as a pass reports them
 * and does not move them.
 */
import type { MailboxOptions } from '../config/types.js';
import { asCutoverError, throwIfAborted } from '../errors.js';
import type { Slots } from '../runner/slots.js';
import type { ScanItemRow, ScanItemType } from '../store/scan-repo.js';
import { withRetries } from './connect-retries.js';
import { isGroupware, typeOf, type GroupwareType } from './groupware-sync.js';
import { groupwareServerOf, openFiltersOf, openGroupwareOf, type ItemSide } from './item-endpoints.js';

/** The order the types are counted and shown in. */
const ORDER: readonly ScanItemType[] = ['contacts', 'calendars', 'tasks', 'filters'];

/** What the item scan needs of a mailbox's scan job. */
export interface ItemScanJob {
  mailboxId: number;
  source: ItemSide;
  options: MailboxOptions;
}

/** Count the mailbox's selected item types other than mail; never throws except when aborted. */
export async function scanItems(
  job: ItemScanJob,
  deps: { slots: Slots },
  signal?: AbortSignal,
): Promise<ScanItemRow[]> {
  const selected = ORDER.filter((t) => job.options.itemTypes.includes(t));
  const rows = selected.map((itemType): ScanItemRow => ({
    mailboxId: job.mailboxId,
    itemType,
    collections: itemType === 'filters' ? null : 0,
    items: 0,
    shared: 0,
    problem: null,
  }));
  const groupware = rows.filter((r) => isGroupware(r.itemType));
  if (groupware.length) await countGroupware(job, groupware, deps, signal);
  const filters = rows.find((r) => r.itemType === 'filters');
  if (filters) await countFilters(job, filters, deps, signal);
  return rows;
}

/** Collections and items per groupware type, through one connection to the source's groupware server. */
async function countGroupware(
  job: ItemScanJob,
  rows: ScanItemRow[],
  deps: { slots: Slots },
  signal?: AbortSignal,
): Promise<void> {
  const types = rows.map((r) => r.itemType as GroupwareType);
  const release = await deps.slots.acquire(groupwareServerOf(job.source), signal, 1);
  let endpoint: Awaited<ReturnType<typeof openGroupwareOf>> | undefined;
  try {
    endpoint = await withRetries(() => openGroupwareOf(job.source, 'source', signal), signal);
    for (const c of await endpoint.listCollections(signal)) {
      throwIfAborted(signal);
      const type = typeOf(c, types);
      const row = rows.find((r) => r.itemType === type);
      if (!row) continue;
      if (c.sharedFrom) {
        row.shared++;
        continue;
      }
      row.collections = (row.collections ?? 0) + 1;
      try {
        row.items += (await endpoint.changes(c.id, undefined, signal)).changed.length;
      } catch (err) {
        throwIfAborted(signal);
        // One collection that cannot be listed leaves the others counted; its items are missing from the count.
        const said = `"${c.displayName}" could not be listed: ${asCutoverError(err).describe()}`;
        row.problem = row.problem ? `${row.problem}; ${said}` : said;
      }
    }
  } catch (err) {
    throwIfAborted(signal);
    const said = asCutoverError(err).describe();
    for (const r of rows) r.problem = said;
  } finally {
    await endpoint?.close().catch(() => undefined);
    release();
  }
}

/** Scripts (script systems) or rules (rule systems) at the source. */
async function countFilters(
  job: ItemScanJob,
  row: ScanItemRow,
  deps: { slots: Slots },
  signal?: AbortSignal,
): Promise<void> {
  const release = await deps.slots.acquire(job.source.server, signal, 1);
  let endpoint: Awaited<ReturnType<typeof openFiltersOf>> | undefined;
  try {
    endpoint = await withRetries(() => openFiltersOf(job.source, 'source', signal), signal);
    row.items =
      endpoint.capabilities.scripts && endpoint.listScripts
        ? (await endpoint.listScripts(signal)).length
        : (await endpoint.readRules(signal)).rules.length;
  } catch (err) {
    throwIfAborted(signal);
    row.problem = asCutoverError(err).describe();
  } finally {
    await endpoint?.close().catch(() => undefined);
    release();
  }
}
