/**
 * What the CalDAV/CardDAV connector tests share: both real servers (Radicale and Xandikos, started by the
 * harness) in one list to loop over, an endpoint opened through the one-off URL form exactly as the command
 * line opens it, and small inline iCalendar/vCard fixtures (the formats work adds test/fixtures/groupware/).
 */
import { parseServerUrl } from '../../src/config/server-url.js';
import type { GroupwareEndpoint, GroupwareItem } from '../../src/connectors/groupware-contract.js';
import { connectorFor } from '../../src/connectors/registry.js';
import type { DavTestServer } from '../harness/dav-server.js';
import { startRadicale } from '../harness/radicale.js';
import { startXandikos } from '../harness/xandikos.js';

export const ALICE = { user: 'alice', password: 'alice-Secret1' };
export const BOB = { user: 'bob', password: 'bob-Secret2' };

/** Each server the tests loop over. */
export const SERVERS: Array<{ name: string; start: () => Promise<DavTestServer> }> = [
  { name: 'Radicale', start: () => startRadicale({ users: [ALICE, BOB] }) },
  { name: 'Xandikos', start: () => startXandikos() },
];

/** The dav:// URL of `path` on a server, as alice. */
export function davUrl(s: DavTestServer, path: string, login = ALICE): string {
  return `dav://${login.user}:${encodeURIComponent(login.password)}@127.0.0.1:${s.port}${path}`;
}

/** Open the groupware endpoint the way `cutover migrate --from dav://…` does. */
export async function openDav(s: DavTestServer, path = '/', login = ALICE): Promise<GroupwareEndpoint> {
  const { server, auth } = parseServerUrl(davUrl(s, path, login));
  const c = connectorFor(server.kind);
  if (!c.openGroupware) throw new Error('the dav connector has no openGroupware');
  return c.openGroupware(server, auth);
}

const CRLF = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

/** A plain event. */
export function event(uid: string, summary = 'Planning', extra: string[] = []): string {
  return CRLF([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Cutover//Tests//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T090000Z',
    'DTSTART:20260310T100000Z',
    'DTEND:20260310T110000Z',
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
  ]);
}

/** A task. */
export function task(uid: string, summary = 'Report'): string {
  return CRLF([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Cutover//Tests//EN',
    'BEGIN:VTODO',
    `UID:${uid}`,
    'DTSTAMP:20260101T090000Z',
    'DUE:20260320T170000Z',
    `SUMMARY:${summary}`,
    'STATUS:NEEDS-ACTION',
    'END:VTODO',
    'END:VCALENDAR',
  ]);
}

/** A vCard 3.0 contact. */
export function contact(uid: string, name = 'Ada Lovelace'): string {
  const [given, family] = name.split(' ');
  return CRLF([
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${uid}`,
    `FN:${name}`,
    `N:${family ?? ''};${given ?? ''};;;`,
    'EMAIL;TYPE=INTERNET:ada@example.com',
    'END:VCARD',
  ]);
}

/** An item as a source would hand it to putItem. */
export function item(key: string, uid: string, data: string): GroupwareItem {
  return {
    key,
    etag: '"src"',
    uid,
    contentType: data.startsWith('BEGIN:VCARD') ? 'text/vcard' : 'text/calendar',
    data,
  };
}

/** The content lines of an object, unfolded and sorted: what a server may reorder, compared as a set. */
export function lineSet(data: string): string[] {
  return data
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .sort();
}

/** Every item of an endpoint's collection, read in full. */
export async function readAll(ep: GroupwareEndpoint, collection: string): Promise<GroupwareItem[]> {
  const ch = await ep.changes(collection, undefined);
  const out: GroupwareItem[] = [];
  for await (const it of ep.readItems(
    collection,
    ch.changed.map((c) => c.key),
  ))
    out.push(it);
  return out;
}
