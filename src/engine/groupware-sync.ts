/**
 * The groupware pass of one mailbox (item types contacts, calendars, tasks): every address book, calendar
 * and task list of the source recreated at the destination (src/connectors/groupware-contract.ts), then
 * their items, keyed by strings in the item ledger.
 *
 * - Collections: the default maps onto the destination's default; one shared with the user (owned by
 *   someone else) is reported, not copied as if owned; properties the destination could not keep are said.
 * - Items go in their standard text (iCalendar, vCard) with only what must change changed: the plan's
 *   address replacements (attendees, organizer, contact e-mail), vCards in the version the destination
 *   keeps, Windows time-zone names as IANA names (no instant moves). Each change is noted on the item.
 * - Delta: the source's sync token when it has one, else ETags against the ledger. An item changed at the
 *   source replaces its copy (never a second copy); one changed at the destination since it was copied is
 *   not overwritten (failed, with the reason); one deleted at the source is reported and left at the
 *   destination — Cutover never deletes there.
 * - A refusal (too large, invalid by the destination's rules, a UID already there) fails that item with the
 *   destination's words; the rest of the collection goes on. A failure of the whole pass never fails the
 *   mail of the mailbox: it is recorded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthSpec, ItemType, ServerSpec } from '../config/types.js';
import type { Connector } from '../connectors/contract.js';
import type {
  GroupwareCollection,
  GroupwareEndpoint,
  GroupwareItem,
  GroupwareItemRef,
} from '../connectors/groupware-contract.js';
import { compareCalendars, compareVcards } from '../formats/semantic-compare.js';
import {
  AbortError,
  ErrorCode,
  RateLimitError,
  TransientError,
  asCutoverError,
  throwIfAborted,
} from '../errors.js';
import { replaceAddresses } from '../formats/address-replace.js';
import { calendarObjects } from '../formats/icalendar.js';
import { toVersion } from '../formats/vcard.js';
import { ianaTimeZones } from '../formats/windows-zones.js';
import type { ItemEntry, ItemLedgerRepo, ItemStatus } from '../store/item-ledger-repo.js';
import type { ProgressSink } from './progress.js';
import { withRetries } from './connect-retries.js';
import { openGroupwareOf } from './item-endpoints.js';

/** The groupware item types. */
export type GroupwareType = 'contacts' | 'calendars' | 'tasks';
export const GROUPWARE_TYPES: readonly GroupwareType[] = ['contacts', 'calendars', 'tasks'];

/** One side of the pass. */
interface Endpoint {
  connector: Connector;
  server: ServerSpec;
  auth: AuthSpec;
}

/** One mailbox's groupware pass. */
export interface GroupwareJob {
  mailboxId: number;
  source: Endpoint;
  dest: Endpoint;
  /** The groupware types this pass moves. */
  types: GroupwareType[];
  /** The plan's address replacements, as a function (identity when there are none). */
  replaceAddress: (address: string) => string;
  dryRun: boolean;
}

export interface GroupwareDeps {
  items: ItemLedgerRepo;
  progress: ProgressSink;
}

/** Counts of a groupware pass (items and collections). */
export interface GroupwareCounts {
  copied: number;
  present: number;
  skipped: number;
  failed: number;
}

/** Items read from the source per call. */
const BATCH = 50;
/** Tries of one collection when the connection drops or the system throttles. */
const COLLECTION_TRIES = 6;
/** The longest wait between two tries (a longer Retry-After is cut to this; the next try may wait again). */
const MAX_WAIT_MS = 5 * 60_000;

/** Run the pass; never throws except when aborted (a failure is recorded). */
export async function syncGroupware(
  job: GroupwareJob,
  deps: GroupwareDeps,
  passId: number,
  signal?: AbortSignal,
): Promise<GroupwareCounts> {
  const counts: GroupwareCounts = { copied: 0, present: 0, skipped: 0, failed: 0 };
  const record = async (entries: ItemEntry[]) => {
    for (const e of entries) counts[e.status]++;
    if (!job.dryRun) await deps.items.record(job.mailboxId, entries);
  };
  let src: GroupwareEndpoint | undefined;
  let dst: GroupwareEndpoint | undefined;
  try {
    [src, dst] = await Promise.all([
      withRetries(() => openGroupwareOf(job.source, 'source', signal), signal),
      withRetries(() => openGroupwareOf(job.dest, 'destination', signal), signal),
    ]);
    for (const c of await src.listCollections(signal)) {
      throwIfAborted(signal);
      const type = typeOf(c, job.types);
      if (!type) continue;
      // Throttled or cut off: wait (as long as the system asked) and go on with the collection from the
      // ledger — what was written is found there or, if its answer was lost, found at the destination.
      for (let attempt = 1; ; attempt++) {
        try {
          await syncCollection(c, type, src, dst, job, deps, passId, record, signal);
          break;
        } catch (err) {
          if (signal?.aborted) throw err;
          const e = asCutoverError(err);
          if (e instanceof TransientError && attempt < COLLECTION_TRIES) {
            const wait = e instanceof RateLimitError && e.retryAfterMs > 0 ? e.retryAfterMs : 2000 * attempt;
            deps.progress.note(
              job.mailboxId,
              'warn',
              `${c.displayName}: ${e.message}; again in ${Math.ceil(wait / 1000)} s`,
            );
            await sleep(Math.min(wait, MAX_WAIT_MS), undefined, signal ? { signal } : undefined);
            continue;
          }
          await record([collectionEntry(c, type, 'failed', passId, { reason: e.describe() })]);
          break;
        }
      }
    }
    if (counts.failed)
      deps.progress.note(
        job.mailboxId,
        'warn',
        `${counts.failed} contact/calendar/task item(s) failed; see the report.`,
      );
    return counts;
  } catch (err) {
    if (signal?.aborted) throw new AbortError('Stopped by the user; rerun to resume.');
    const e = asCutoverError(err);
    deps.progress.note(job.mailboxId, 'error', `Contacts/calendars/tasks: ${e.describe()}`);
    await record([
      {
        itemType: job.types[0] ?? 'contacts',
        collection: '',
        key: '(groupware)',
        kind: 'groupware',
        sourceHash: null,
        destHash: null,
        status: 'failed',
        reason: e.describe(),
        original: null,
        passId,
      },
    ]);
    return counts;
  } finally {
    await Promise.allSettled([src?.close(), dst?.close()]);
  }
}

/** Which selected item type a collection's items count as, or undefined when none is selected. */
export function typeOf(c: GroupwareCollection, types: GroupwareType[]): GroupwareType | undefined {
  if (c.type === 'addressbook') return types.includes('contacts') ? 'contacts' : undefined;
  const comps = c.components ?? ['VEVENT', 'VTODO'];
  if (comps.includes('VEVENT') && types.includes('calendars')) return 'calendars';
  if (comps.includes('VTODO') && types.includes('tasks')) return 'tasks';
  return undefined;
}

/** One collection: recreate it, then move what changed since the last pass. */
async function syncCollection(
  c: GroupwareCollection,
  type: GroupwareType,
  src: GroupwareEndpoint,
  dst: GroupwareEndpoint,
  job: GroupwareJob,
  deps: GroupwareDeps,
  passId: number,
  record: (entries: ItemEntry[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (c.sharedFrom) {
    await record([
      collectionEntry(c, type, 'skipped', passId, {
        reason: `shared with this user by ${c.sharedFrom}: not copied as if owned; its owner's migration moves it`,
      }),
    ]);
    return;
  }
  const rows = await deps.items.collection(job.mailboxId, type, c.id);
  const prev = (await deps.items.collection(job.mailboxId, type, '')).get(c.id);
  if (job.dryRun) {
    const changes = await src.changes(c.id, prev?.state ?? undefined, signal);
    await record([collectionEntry(c, type, prev?.destRef ? 'present' : 'copied', passId, {})]);
    for (const r of changes.changed)
      if (rows.get(r.key)?.sourceHash !== r.etag)
        await record([itemEntry(r.key, type, c.id, 'copied', passId, {})]);
    return;
  }
  const ensured = await dst.ensureCollection(c, signal);
  const changes = await src.changes(
    c.id,
    prev?.destRef === ensured.id ? (prev?.state ?? undefined) : undefined,
    signal,
  );
  // Keys the ledger has that a full listing no longer shows were deleted at the source.
  const deleted = new Set(changes.deleted);
  if (changes.full) {
    const listed = new Set(changes.changed.map((r) => r.key));
    for (const key of rows.keys()) if (!listed.has(key)) deleted.add(key);
  }
  const todo = changes.changed.filter((r) => {
    const row = rows.get(r.key);
    return !(row && row.sourceHash === r.etag && (row.status === 'copied' || row.status === 'present'));
  });
  const entries: ItemEntry[] = [];
  for (let i = 0; i < todo.length; i += BATCH) {
    const keys = todo.slice(i, i + BATCH).map((r) => r.key);
    const seen = new Set<string>();
    for await (const item of src.readItems(c.id, keys, signal)) {
      seen.add(item.key);
      entries.push(
        await writeItem(item, type, c.id, ensured.id, rows.get(item.key), src, dst, job, passId, signal),
      );
    }
    // Listed but gone before it was read: deleted at the source meanwhile.
    for (const k of keys) if (!seen.has(k)) deleted.add(k);
    await record(entries.splice(0));
  }
  for (const key of deleted) {
    const row = rows.get(key);
    if (!row || row.status === 'skipped') continue;
    await record([
      {
        ...row,
        status: 'skipped',
        reason:
          row.status === 'failed'
            ? 'deleted at the source before it could be copied'
            : 'deleted at the source after it was copied; the copy stays at the destination (Cutover never deletes there)',
        passId,
      },
    ]);
  }
  await record([
    collectionEntry(c, type, ensured.existed ? 'present' : 'copied', passId, {
      destRef: ensured.id,
      state: changes.token ?? null,
      reason: ensured.notKept.length ? `not kept by the destination: ${ensured.notKept.join('; ')}` : null,
    }),
  ]);
}

/** Write one item (new, or replacing its earlier copy) and say how it ended. */
async function writeItem(
  item: GroupwareItem,
  type: GroupwareType,
  srcCollection: string,
  dstCollection: string,
  row: ItemEntry | undefined,
  _src: GroupwareEndpoint,
  dst: GroupwareEndpoint,
  job: GroupwareJob,
  passId: number,
  signal?: AbortSignal,
): Promise<ItemEntry> {
  const base = { sourceHash: item.etag };
  // Calendars holding events and tasks: move only the selected kind.
  if (item.contentType === 'text/calendar') {
    const kinds = calendarObjects(item.data).map((o) => o.type);
    const wanted = kinds.some((k) =>
      k === 'VTODO' ? job.types.includes('tasks') : job.types.includes('calendars'),
    );
    if (!wanted)
      return itemEntry(item.key, type, srcCollection, 'skipped', passId, {
        ...base,
        reason: `a ${kinds.join('/')} in a calendar whose items of that kind are not selected`,
      });
  }
  const { data, notes } = prepare(item, dst, job);
  try {
    const written = await dst.putItem(
      dstCollection,
      { ...item, data },
      row?.destRef && row.destHash ? { key: row.destRef, etag: row.destHash } : undefined,
      signal,
    );
    if (written.found)
      return await foundThere(item, data, written, type, srcCollection, dstCollection, dst, passId, signal);
    return itemEntry(item.key, type, srcCollection, 'copied', passId, {
      ...base,
      destRef: written.key,
      destHash: written.etag,
      reason: notes.length ? notes.join('; ') : null,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    const e = asCutoverError(err);
    // A dropped connection fails the collection for this pass (the next pass goes on from the ledger).
    if (e instanceof TransientError) throw e;
    const reason =
      e.code === ErrorCode.Conflict
        ? 'changed at the destination since Cutover copied it: not overwritten; compare the two and keep the right one by hand'
        : e.describe();
    return itemEntry(item.key, type, srcCollection, 'failed', passId, {
      ...base,
      destRef: row?.destRef ?? null,
      destHash: row?.destHash ?? null,
      reason,
    });
  }
}

/**
 * A new item whose UID the destination already holds at its place (an earlier write whose answer was lost,
 * or a copy made by another run): the same meaning is `present`; another is left alone and failed with why
 * — Cutover does not overwrite what it cannot tell it wrote.
 */
async function foundThere(
  item: GroupwareItem,
  data: string,
  there: GroupwareItemRef,
  type: GroupwareType,
  srcCollection: string,
  dstCollection: string,
  dst: GroupwareEndpoint,
  passId: number,
  signal?: AbortSignal,
): Promise<ItemEntry> {
  let text: string | undefined;
  for await (const it of dst.readItems(dstCollection, [there.key], signal)) text = it.data;
  const diff =
    text === undefined
      ? ['it could not be read back']
      : item.contentType === 'text/vcard'
        ? compareVcards(data, text)
        : compareCalendars(data, text);
  const base = { sourceHash: item.etag, destRef: there.key, destHash: there.etag };
  if (!diff.length) return itemEntry(item.key, type, srcCollection, 'present', passId, base);
  return itemEntry(item.key, type, srcCollection, 'failed', passId, {
    ...base,
    reason: `an item with this UID is already at the destination and differs (${diff.slice(0, 3).join('; ')}${diff.length > 3 ? '; …' : ''}); it was not overwritten — keep the right one by hand`,
  });
}

/** The text the destination gets, and what was changed in it, in words. */
function prepare(
  item: GroupwareItem,
  dst: GroupwareEndpoint,
  job: GroupwareJob,
): { data: string; notes: string[] } {
  const notes: string[] = [];
  let data = item.data;
  const replaced = replaceAddresses(data, job.replaceAddress);
  if (replaced.changed) {
    data = replaced.text;
    notes.push(`${replaced.changed} address(es) replaced as the plan says`);
  }
  if (item.contentType === 'text/vcard') {
    const converted = toVersion(data, dst.capabilities.vcardVersion);
    if (converted !== data)
      notes.push(`written as vCard ${dst.capabilities.vcardVersion}, the version the destination keeps`);
    data = converted;
  } else {
    const zones = ianaTimeZones(data);
    if (zones.renamed.length) {
      data = zones.text;
      notes.push(
        `time zone ${zones.renamed.map((r) => `'${r.from}' named '${r.to}'`).join(', ')} (no time moved)`,
      );
    }
    for (const l of zones.left) notes.push(`time zone '${l.tzid}' kept as written: ${l.reason}`);
  }
  return { data, notes };
}

function collectionEntry(
  c: GroupwareCollection,
  type: GroupwareType,
  status: ItemStatus,
  passId: number,
  more: Partial<ItemEntry>,
): ItemEntry {
  return {
    itemType: type,
    collection: '',
    key: c.id,
    kind: c.type === 'addressbook' ? 'address book' : type === 'tasks' ? 'task list' : 'calendar',
    sourceHash: null,
    destHash: null,
    reason: null,
    original: null,
    ...more,
    status,
    passId,
  };
}

function itemEntry(
  key: string,
  type: GroupwareType,
  collection: string,
  status: ItemStatus,
  passId: number,
  more: Partial<ItemEntry>,
): ItemEntry {
  return {
    itemType: type,
    collection,
    key,
    kind: type === 'contacts' ? 'contact' : type === 'tasks' ? 'task' : 'event',
    sourceHash: null,
    destHash: null,
    reason: null,
    original: null,
    ...more,
    status,
    passId,
  };
}

/** Whether an item type is a groupware type. */
export function isGroupware(t: ItemType): t is GroupwareType {
  return (GROUPWARE_TYPES as readonly string[]).includes(t);
}
