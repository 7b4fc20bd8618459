/**
 * What changed in a Microsoft 365 collection since a token, by Graph's delta queries: contacts/delta per
 * folder, todo tasks/delta per list, and for calendars calendarView/delta (the only event delta of Graph
 * v1.0; `events/delta` is beta). The token is the round's deltaLink. An expired one (410 SyncStateNotFound,
 * or any refusal of an old link) gives a full listing instead.
 *
 * Calendars: a calendar view holds occurrences, not series, over a window (ten years either side of now).
 * A full listing lists the calendar's events (single events and series masters, whatever their dates) and
 * starts a view round for the next token. A later round maps each changed occurrence or exception to its
 * series master; an @removed id is reported deleted, and because a removed occurrence (a cancelled instance
 * of a series) cannot be told from a removed event, every series master is then listed with its changeKey
 * too, so a series that lost an occurrence is still seen as changed. Changes outside the window are seen
 * by the next full listing only.
 */
import { RateLimitError, throwIfAborted } from '../../errors.js';
import type { CollectionChanges, GroupwareItemRef } from '../groupware-contract.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { kindOf } from './graph-groupware-collections.js';

interface DeltaItem {
  id: string;
  changeKey?: string;
  '@odata.etag'?: string;
  type?: string;
  seriesMasterId?: string | null;
  '@removed'?: unknown;
}
interface DeltaPage {
  value: DeltaItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const YEAR_MS = 365.25 * 86_400_000;
/** The calendar view a calendar's delta follows: ten years either side of now. */
export const VIEW_YEARS = 10;

const etagOf = (i: DeltaItem) => i.changeKey ?? i['@odata.etag'] ?? '';

/** One delta round from `url` to its deltaLink. */
async function round(
  client: GraphClient,
  url: string,
  signal?: AbortSignal,
): Promise<{ items: DeltaItem[]; link: string }> {
  const items: DeltaItem[] = [];
  for (let next: string | undefined = url; next;) {
    throwIfAborted(signal);
    const page: DeltaPage = await client.json(
      'GET',
      next,
      { prefer: 'odata.maxpagesize=200', what: 'groupware delta' },
      signal,
    );
    items.push(...page.value);
    if (page['@odata.deltaLink']) return { items, link: page['@odata.deltaLink'] };
    next = page['@odata.nextLink'];
  }
  throw new Error(`${client.target.where}: a delta round ended without a deltaLink.`);
}

function deltaUrl(client: GraphClient, collectionId: string): string {
  const base = `${userPath(client.target)}/${collectionId}`;
  switch (kindOf(collectionId)) {
    case 'contacts':
      return `${collectionId === 'contacts' ? base : `${base}/contacts`}/delta?$select=id,changeKey`;
    case 'tasks':
      return `${base}/tasks/delta`;
    case 'events': {
      const now = Date.now();
      const from = new Date(now - VIEW_YEARS * YEAR_MS).toISOString().slice(0, 19);
      const to = new Date(now + VIEW_YEARS * YEAR_MS).toISOString().slice(0, 19);
      return `${base}/calendarView/delta?startDateTime=${from}Z&endDateTime=${to}Z`;
    }
  }
}

/** Every event of a calendar (singles and series masters) with its changeKey. */
async function calendarEvents(
  client: GraphClient,
  collectionId: string,
  signal?: AbortSignal,
): Promise<Array<DeltaItem>> {
  const out: DeltaItem[] = [];
  for await (const page of client.pages<DeltaItem>(
    `${userPath(client.target)}/${collectionId}/events?$select=id,changeKey,type`,
    signal,
    'odata.maxpagesize=200',
  ))
    out.push(...page);
  return out;
}

/** A full listing and the token that follows it. */
async function full(
  client: GraphClient,
  collectionId: string,
  signal?: AbortSignal,
): Promise<CollectionChanges> {
  const r = await round(client, deltaUrl(client, collectionId), signal);
  const items =
    kindOf(collectionId) === 'events'
      ? await calendarEvents(client, collectionId, signal)
      : r.items.filter((i) => i['@removed'] === undefined);
  return {
    changed: items.map((i) => ({ key: i.id, etag: etagOf(i) })),
    deleted: [],
    token: r.link,
    full: true,
  };
}

/** The changes since `token` (see the file header). */
export async function graphChanges(
  client: GraphClient,
  collectionId: string,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<CollectionChanges> {
  if (!token) return full(client, collectionId, signal);
  let r: { items: DeltaItem[]; link: string };
  try {
    r = await round(client, token, signal);
  } catch (err) {
    if (err instanceof RateLimitError || signal?.aborted) throw err;
    return full(client, collectionId, signal); // 410 SyncStateNotFound, or a link Graph no longer takes
  }
  const deleted = r.items.filter((i) => i['@removed'] !== undefined).map((i) => i.id);
  const live = r.items.filter((i) => i['@removed'] === undefined);
  if (kindOf(collectionId) !== 'events')
    return {
      changed: live.map((i) => ({ key: i.id, etag: etagOf(i) })),
      deleted,
      token: r.link,
      full: false,
    };
  const changed = new Map<string, GroupwareItemRef>();
  const masters = new Set<string>();
  for (const i of live) {
    if (i.seriesMasterId) masters.add(i.seriesMasterId);
    else changed.set(i.id, { key: i.id, etag: etagOf(i) });
  }
  if (deleted.length || masters.size) {
    for (const e of await calendarEvents(client, collectionId, signal))
      if (e.type === 'seriesMaster' && (deleted.length || masters.has(e.id)))
        changed.set(e.id, { key: e.id, etag: etagOf(e) });
  }
  return { changed: [...changed.values()], deleted, token: r.link, full: false };
}
