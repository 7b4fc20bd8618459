/**
 * A mailbox's address books, calendars and task lists on Microsoft 365, as groupware collections. A
 * collection's id is its Graph path under the user, so every operation knows which API it talks to:
 * `contacts` (the default Contacts folder), `contactFolders/{id}`, `calendars/{id}`, `todo/lists/{id}`
 * (To Do lists are calendars that take VTODO only). A calendar whose owner is not the mailbox (shared with
 * it) is `sharedFrom` its owner. Creating: POST contactFolders / calendars / todo/lists; Outlook calendars
 * take one of a few named colours (`color`; hexColor is read-only), the nearest is chosen and said.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type { EnsuredCollection, GroupwareCollection } from '../groupware-contract.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';

interface GraphCalendar {
  id: string;
  name: string;
  color?: string;
  hexColor?: string;
  isDefaultCalendar?: boolean;
  canEdit?: boolean;
  owner?: { name?: string; address?: string };
}
interface GraphFolder {
  id: string;
  displayName: string;
}
interface GraphTaskList {
  id: string;
  displayName: string;
  wellknownListName?: string;
  isOwner?: boolean;
  isShared?: boolean;
}

/** Outlook's calendar colours (the `calendarColor` enumeration) and the colours Outlook on the web shows. */
export const CALENDAR_COLORS: Record<string, string> = {
  lightBlue: '#A6D1F5',
  lightGreen: '#87D28E',
  lightOrange: '#FCAB73',
  lightGray: '#C0C0C0',
  lightYellow: '#F4D07A',
  lightTeal: '#6ED9D4',
  lightPink: '#F08CC0',
  lightBrown: '#CBA287',
  lightRed: '#F88C9B',
};

/** The Outlook colour nearest to `#RRGGBB[AA]`. */
export function nearestColor(hex: string): string | undefined {
  const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  if (!/^#[0-9a-f]{6}/i.test(hex)) return undefined;
  const [r, g, b] = rgb(hex);
  let best: [string, number] | undefined;
  for (const [name, h] of Object.entries(CALENDAR_COLORS)) {
    const [x, y, z] = rgb(h);
    const d = (r! - x!) ** 2 + (g! - y!) ** 2 + (b! - z!) ** 2;
    if (!best || d < best[1]) best = [name, d];
  }
  return best?.[0];
}

/** The kind of a collection id. */
export type CollectionKind = 'contacts' | 'events' | 'tasks';
export function kindOf(id: string): CollectionKind {
  if (id === 'contacts' || id.startsWith('contactFolders/')) return 'contacts';
  if (id.startsWith('calendars/')) return 'events';
  if (id.startsWith('todo/lists/')) return 'tasks';
  throw new PermanentError(
    ErrorCode.NotFound,
    `"${id}" is not a Microsoft 365 address book, calendar or task list id (contacts, contactFolders/…, calendars/…, todo/lists/…).`,
    'List the collections again and use an id from that listing.',
  );
}

async function all<T>(client: GraphClient, path: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for await (const page of client.pages<T>(path, signal)) out.push(...page);
  return out;
}

/** Every address book, calendar and task list of the mailbox. */
export async function listGraphCollections(
  client: GraphClient,
  signal?: AbortSignal,
): Promise<GroupwareCollection[]> {
  const base = userPath(client.target);
  const me = client.target.user.toLowerCase();
  const out: GroupwareCollection[] = [
    { id: 'contacts', type: 'addressbook', displayName: 'Contacts', isDefault: true },
  ];
  for (const f of await all<GraphFolder>(client, `${base}/contactFolders`, signal))
    out.push({
      id: `contactFolders/${f.id}`,
      type: 'addressbook',
      displayName: f.displayName,
      isDefault: false,
    });
  for (const c of await all<GraphCalendar>(
    client,
    `${base}/calendars?$select=id,name,color,hexColor,isDefaultCalendar,canEdit,owner`,
    signal,
  )) {
    const col: GroupwareCollection = {
      id: `calendars/${c.id}`,
      type: 'calendar',
      components: ['VEVENT'],
      displayName: c.name,
      isDefault: c.isDefaultCalendar === true,
    };
    const color = c.hexColor || (c.color ? CALENDAR_COLORS[c.color] : undefined);
    if (color) col.color = color.toUpperCase();
    const owner = c.owner?.address?.toLowerCase();
    if (owner && owner !== me)
      col.sharedFrom = `${c.owner?.name ? `${c.owner.name} <${c.owner.address}>` : c.owner?.address}${c.canEdit === false ? ' (read-only)' : ''}`;
    out.push(col);
  }
  for (const l of await all<GraphTaskList>(client, `${base}/todo/lists`, signal)) {
    const col: GroupwareCollection = {
      id: `todo/lists/${l.id}`,
      type: 'calendar',
      components: ['VTODO'],
      displayName: l.displayName,
      isDefault: l.wellknownListName === 'defaultList',
    };
    if (l.isShared && l.isOwner === false) col.sharedFrom = 'a To Do list shared with this user by its owner';
    out.push(col);
  }
  return out;
}

/** Find or create a collection like `like` (see groupware-contract.ts `ensureCollection`). */
export async function ensureGraphCollection(
  client: GraphClient,
  like: GroupwareCollection,
  signal?: AbortSignal,
): Promise<EnsuredCollection> {
  const base = userPath(client.target);
  const listed = (await listGraphCollections(client, signal)).filter((c) => !c.sharedFrom);
  const tasks = like.type === 'calendar' && like.components?.length === 1 && like.components[0] === 'VTODO';
  const kind = like.type === 'addressbook' ? 'contacts' : tasks ? 'tasks' : 'events';
  const mine = listed.filter((c) => kindOf(c.id) === kind);
  const notKept: string[] = [];
  const what =
    kind === 'contacts' ? 'Outlook contact folders' : kind === 'tasks' ? 'To Do lists' : 'Outlook calendars';
  if (like.description) notKept.push(`description: ${what} have none`);
  if (like.color && kind !== 'events') notKept.push(`colour ${like.color}: ${what} have none`);
  if (kind === 'events' && like.components?.includes('VTODO'))
    notKept.push('tasks: an Outlook calendar holds events only; tasks go to To Do lists');
  const found = like.isDefault
    ? mine.find((c) => c.isDefault)
    : mine.find((c) => !c.isDefault && c.displayName.toLowerCase() === like.displayName.toLowerCase());
  if (found) return { id: found.id, existed: true, notKept };
  let id: string;
  if (kind === 'contacts') {
    const f = await client.json<GraphFolder>(
      'POST',
      `${base}/contactFolders`,
      { body: { displayName: like.displayName }, what: 'create contact folder' },
      signal,
    );
    id = `contactFolders/${f.id}`;
  } else if (kind === 'tasks') {
    const l = await client.json<GraphTaskList>(
      'POST',
      `${base}/todo/lists`,
      { body: { displayName: like.displayName }, what: 'create To Do list' },
      signal,
    );
    id = `todo/lists/${l.id}`;
  } else {
    const color = like.color ? nearestColor(like.color) : undefined;
    if (like.color && color && CALENDAR_COLORS[color]?.toUpperCase() !== like.color.slice(0, 7).toUpperCase())
      notKept.push(
        `colour ${like.color}: Outlook calendars take named colours; the nearest, ${color} (${CALENDAR_COLORS[color]}), was set`,
      );
    const c = await client.json<GraphCalendar>(
      'POST',
      `${base}/calendars`,
      { body: { name: like.displayName, ...(color ? { color } : {}) }, what: 'create calendar' },
      signal,
    );
    id = `calendars/${c.id}`;
  }
  return { id, existed: false, notKept };
}
