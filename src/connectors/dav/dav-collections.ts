/**
 * The calendars and address books in the user's homes: a depth-1 PROPFIND on each home, each collection
 * with its type, display name, Apple calendar-color, description, component set, sync-token/getctag, owner
 * and the vCard versions it takes.
 *
 * Shared: a collection whose DAV:owner is another principal, or that calendarserver marks `shared` or
 * `subscribed`, carries `sharedFrom`. Default: the calendar the scheduling inbox names
 * (schedule-default-calendar-URL, RFC 6638) where the server offers one; otherwise the first calendar (in
 * path order) that takes events, and — when that one takes no tasks — the first that takes tasks; the first
 * address book in path order is the default address book.
 */
import type { CalendarComponent, GroupwareCollection } from '../groupware-contract.js';
import type { DavHttp } from './dav-http.js';
import { unexpected } from './dav-http.js';
import type { DavHomes } from './dav-discovery.js';
import { davPath, lastSegment } from './dav-paths.js';
import {
  NS,
  XMLNS,
  children,
  parseMultistatus,
  prop,
  propHref,
  propText,
  type DavResponse,
} from './dav-xml.js';

/** A collection as listed, with what the connector keeps for itself. */
export interface DavCollection extends GroupwareCollection {
  syncToken?: string;
  ctag?: string;
  /** CardDAV supported-address-data versions (empty: not advertised). */
  vcardVersions: string[];
  /** CalDAV max-resource-size, bytes. */
  maxBytes?: number;
}

/** The properties a collection listing asks for (and a read-back after creation). */
export const COLLECTION_PROPS = `<d:resourcetype/><d:displayname/><i:calendar-color/><c:calendar-description/>\
<a:addressbook-description/><c:supported-calendar-component-set/><d:sync-token/><cs:getctag/><d:owner/>\
<a:supported-address-data/><c:max-resource-size/>`;

const LIST = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind ${XMLNS}><d:prop>${COLLECTION_PROPS}</d:prop></d:propfind>`;

const COMPONENTS: readonly CalendarComponent[] = ['VEVENT', 'VTODO', 'VJOURNAL'];

/** Every calendar and address book in the homes, owned and shared, with the defaults marked. */
export async function listDavCollections(
  http: DavHttp,
  homes: DavHomes,
  signal?: AbortSignal,
): Promise<DavCollection[]> {
  const found = new Map<string, DavCollection>();
  for (const home of new Set([homes.calendarHome, homes.addressbookHome])) {
    if (home === undefined) continue;
    for (const r of await propfindCollections(http, home, '1', signal)) {
      const c = readCollection(r, homes.principal);
      if (c && c.id !== home) found.set(c.id, c);
    }
  }
  const list = [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await markDefaults(http, homes, list, signal);
  return list;
}

/** PROPFIND of the collection properties at `path`, at this depth. */
export async function propfindCollections(
  http: DavHttp,
  path: string,
  depth: '0' | '1',
  signal?: AbortSignal,
): Promise<DavResponse[]> {
  const where = `Listing the collections at ${http.url(path).href}`;
  const a = await http.send('PROPFIND', path, { depth, body: LIST }, signal);
  if (a.status !== 207) throw unexpected(a, where, '207 Multi-Status');
  return parseMultistatus(a.body, where).responses;
}

/** One response as a collection; undefined for what is not a calendar or address book (inbox, outbox, …). */
export function readCollection(r: DavResponse, principal: string | undefined): DavCollection | undefined {
  const types = children(prop(r, NS.d, 'resourcetype'), undefined, undefined).map(
    (e) => `${e.namespaceURI} ${e.localName}`,
  );
  const type = types.includes(`${NS.c} calendar`)
    ? 'calendar'
    : types.includes(`${NS.a} addressbook`)
      ? 'addressbook'
      : undefined;
  if (!type) return undefined;
  const id = davPath(r.href, true);
  const compSet = prop(r, NS.c, 'supported-calendar-component-set');
  const components = children(compSet, NS.c, 'comp')
    .map((e) => e.getAttribute('name')?.toUpperCase() as CalendarComponent)
    .filter((n) => COMPONENTS.includes(n));
  const owner = propHref(r, NS.d, 'owner');
  const ownerPath = owner === undefined ? undefined : davPath(owner, true);
  const sharedFrom = types.includes(`${NS.cs} subscribed`)
    ? 'a subscribed calendar'
    : ownerPath !== undefined && principal !== undefined && ownerPath !== principal
      ? `owned by ${ownerPath}`
      : types.includes(`${NS.cs} shared`)
        ? 'shared with this user'
        : undefined;
  const maxBytes = Number(propText(r, NS.c, 'max-resource-size') ?? NaN);
  return {
    id,
    type,
    components: type === 'calendar' && compSet ? components : undefined,
    displayName: propText(r, NS.d, 'displayname') ?? lastSegment(id),
    color: propText(r, NS.i, 'calendar-color'),
    description: propText(r, type === 'calendar' ? NS.c : NS.a, `${type}-description`),
    isDefault: false,
    sharedFrom,
    syncToken: propText(r, NS.d, 'sync-token'),
    ctag: propText(r, NS.cs, 'getctag'),
    vcardVersions: children(prop(r, NS.a, 'supported-address-data'), NS.a, 'address-data-type')
      .concat(children(prop(r, NS.a, 'supported-address-data'), NS.a, 'content-type'))
      .map((e) => e.getAttribute('version') ?? '')
      .filter((v) => v !== ''),
    maxBytes: Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : undefined,
  };
}

/** Whether a calendar takes this component (no component set: it takes every one). */
export const takes = (c: GroupwareCollection, comp: CalendarComponent) =>
  c.components === undefined || c.components.length === 0 || c.components.includes(comp);

async function markDefaults(
  http: DavHttp,
  homes: DavHomes,
  list: DavCollection[],
  signal?: AbortSignal,
): Promise<void> {
  const owned = list.filter((c) => !c.sharedFrom);
  const calendars = owned.filter((c) => c.type === 'calendar');
  const scheduled = await scheduleDefault(http, homes, signal);
  const main =
    calendars.find((c) => c.id === scheduled) ?? calendars.find((c) => takes(c, 'VEVENT')) ?? calendars[0];
  if (main) main.isDefault = true;
  if (main && !takes(main, 'VTODO')) {
    const tasks = calendars.find((c) => takes(c, 'VTODO'));
    if (tasks) tasks.isDefault = true;
  }
  const book = owned.find((c) => c.type === 'addressbook');
  if (book) book.isDefault = true;
}

/** The scheduling inbox's schedule-default-calendar-URL, when the server offers one. */
async function scheduleDefault(
  http: DavHttp,
  homes: DavHomes,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (!homes.principal) return undefined;
  const ask = async (path: string, props: string) => {
    const a = await http.send(
      'PROPFIND',
      path,
      {
        depth: '0',
        body: `<?xml version="1.0" encoding="utf-8"?><d:propfind ${XMLNS}><d:prop>${props}</d:prop></d:propfind>`,
      },
      signal,
    );
    return a.status === 207 ? parseMultistatus(a.body, `PROPFIND ${path}`).responses[0] : undefined;
  };
  const p = await ask(homes.principal, '<c:schedule-inbox-URL/>');
  const inbox = p && propHref(p, NS.c, 'schedule-inbox-URL');
  if (!inbox) return undefined;
  const i = await ask(davPath(inbox, true), '<c:schedule-default-calendar-URL/>');
  const target = i && propHref(i, NS.c, 'schedule-default-calendar-URL');
  return target === undefined ? undefined : davPath(target, true);
}
