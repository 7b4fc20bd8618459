/**
 * Where a user's calendars and address books live (RFC 6764, RFC 4791 §6.2.1, RFC 6352 §7.1.1): from the
 * URL's path — the server root, a principal or a home — to the principal and its calendar-home-set and
 * addressbook-home-set. At the root, /.well-known/caldav and /.well-known/carddav are asked first (their
 * redirects followed); then current-user-principal leads to the principal, whose home sets are read. A path
 * that leads to no home set is taken as the home itself (a server without principals).
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type { DavHttp } from './dav-http.js';
import { unexpected } from './dav-http.js';
import { davPath } from './dav-paths.js';
import { NS, XMLNS, parseMultistatus, propHref, type DavResponse } from './dav-xml.js';

/** The user's DAV homes, as canonical paths. */
export interface DavHomes {
  principal?: string;
  calendarHome?: string;
  addressbookHome?: string;
}

const PROPFIND = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind ${XMLNS}><d:prop><d:current-user-principal/><c:calendar-home-set/><a:addressbook-home-set/><d:resourcetype/></d:prop></d:propfind>`;

/** Find the homes, starting at `startPath` (the URL's path; '/' or '' for the root). */
export async function discoverHomes(
  http: DavHttp,
  startPath: string,
  signal?: AbortSignal,
): Promise<DavHomes> {
  let start = davPath(startPath === '' ? '/' : startPath, true);
  if (start === '/') {
    for (const service of ['caldav', 'carddav']) {
      const target = await wellKnown(http, service, signal);
      if (target !== undefined && target !== '/') {
        start = target;
        break;
      }
    }
  }
  const here = await propfind(http, start, signal);
  let principal = here.principalHere ? start : here.currentUser;
  let homes = here;
  if (!here.calendarHome && !here.addressbookHome && here.currentUser && here.currentUser !== start) {
    homes = await propfind(http, here.currentUser, signal);
    principal = here.currentUser;
  }
  let calendarHome = homes.calendarHome;
  let addressbookHome = homes.addressbookHome;
  if (!calendarHome && !addressbookHome) {
    if (start === '/')
      throw new PermanentError(
        ErrorCode.NotFound,
        `${http.url(start).host}: the server names no calendar or address-book home for ${http.target.user} at its root.`,
        'Put the path of your principal or of your calendar home in the URL, e.g. dav://USER:PASS@HOST/dav/calendars/USER/.',
      );
    // A home (or a server without principals): the path given is where the collections are.
    calendarHome = addressbookHome = start;
  }
  return { principal, calendarHome, addressbookHome };
}

/** Follow /.well-known/SERVICE's redirects (up to 5); undefined when the server has no such URI. */
async function wellKnown(http: DavHttp, service: string, signal?: AbortSignal): Promise<string | undefined> {
  let path = `/.well-known/${service}`;
  for (let hop = 0; hop < 5; hop++) {
    const a = await http.send('PROPFIND', path, { depth: '0', body: PROPFIND }, signal);
    const location = a.headers.location;
    if (a.status >= 300 && a.status < 400 && location) {
      const next = http.url(location);
      if (next.origin !== http.url('/').origin) return undefined; // another server: not followed
      path = next.pathname;
      continue;
    }
    return a.status === 207 ? davPath(path, true) : undefined;
  }
  return undefined;
}

interface Found {
  currentUser?: string;
  calendarHome?: string;
  addressbookHome?: string;
  principalHere: boolean;
}

async function propfind(http: DavHttp, path: string, signal?: AbortSignal): Promise<Found> {
  const where = `Finding the calendar and address-book homes at ${http.url(path).href}`;
  const a = await http.send('PROPFIND', path, { depth: '0', body: PROPFIND }, signal);
  if (a.status !== 207) throw unexpected(a, where, '207 Multi-Status');
  const r: DavResponse | undefined = parseMultistatus(a.body, where).responses[0];
  if (!r) return { principalHere: false };
  const href = (ns: string, name: string) => {
    const h = propHref(r, ns, name);
    return h === undefined ? undefined : davPath(http.url(h).pathname, true);
  };
  const calendarHome = href(NS.c, 'calendar-home-set');
  const addressbookHome = href(NS.a, 'addressbook-home-set');
  return {
    currentUser: href(NS.d, 'current-user-principal'),
    calendarHome,
    addressbookHome,
    principalHere: calendarHome !== undefined || addressbookHome !== undefined,
  };
}
