/**
 * Find or make a collection like a source's (GroupwareEndpoint.ensureCollection): the default onto the
 * default; otherwise an owned collection of the same type with the same display name; otherwise a new one —
 * MKCALENDAR (RFC 4791 §5.3.1) or extended MKCOL (RFC 5689) with its properties, at a path made from the
 * display name. Then the created collection is read back: each property the server ignored at creation is
 * set by a PROPPATCH of its own (one refused property must not take the others with it) and read back again;
 * what the server still does not hold is reported in `notKept`, not retried. An existing collection is left
 * as it is.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type { EnsuredCollection, GroupwareCollection } from '../groupware-contract.js';
import { type DavCollection, propfindCollections, readCollection, takes } from './dav-collections.js';
import type { DavHttp } from './dav-http.js';
import { shortText } from './dav-http.js';
import { itemName } from './dav-paths.js';
import { XMLNS, parseMultistatus, xmlEscape } from './dav-xml.js';

/** Where new collections go. */
export interface EnsureContext {
  http: DavHttp;
  calendarHome?: string;
  addressbookHome?: string;
  principal?: string;
  /** The collections as listed now. */
  existing: DavCollection[];
}

/** Find or create; returns where, and what of `like` the server did not keep. */
export async function ensureDavCollection(
  ctx: EnsureContext,
  like: GroupwareCollection,
  signal?: AbortSignal,
): Promise<{ ensured: EnsuredCollection; collection?: DavCollection }> {
  const owned = ctx.existing.filter((c) => c.type === like.type && !c.sharedFrom);
  const wanted = like.type === 'calendar' ? (like.components ?? []) : [];
  const fits = (c: DavCollection) => wanted.every((comp) => takes(c, comp));
  const found =
    (like.isDefault ? owned.find((c) => c.isDefault && fits(c)) : undefined) ??
    owned.find((c) => c.displayName === like.displayName && fits(c));
  if (found) return { ensured: { id: found.id, existed: true, notKept: [] }, collection: found };

  const home = like.type === 'calendar' ? ctx.calendarHome : ctx.addressbookHome;
  if (!home)
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `The server names no ${like.type === 'calendar' ? 'calendar' : 'address-book'} home for ${ctx.http.target.user}: cannot create "${like.displayName}".`,
      'Put the path of the home in the dav:// URL.',
    );
  const taken = new Set(ctx.existing.map((c) => c.id));
  const base = itemName(like.displayName.toLowerCase(), '.ics').slice(0, -4);
  // A path taken by a collection, or by something else the listing does not show (a plain collection:
  // 405, or Xandikos's 207 holding 403 "Something already exists"), gets the next free suffix.
  const pathFor = (n: number) => `${home}${encodeURIComponent(n === 1 ? base : `${base}-${n}`)}/`;
  let n = 1;
  while (taken.has(pathFor(n))) n++;
  while (!(await create(ctx.http, pathFor(n), like, n >= 20, signal))) n++;
  const id = pathFor(n);

  const notKept: string[] = [];
  let made = await readBack(ctx, id, signal);
  for (const p of PROPS) {
    const value = p.wanted(like);
    if (value === undefined || p.kept(made, value)) continue;
    const refused = await proppatch(ctx.http, id, p.xml(like, value), signal);
    made = await readBack(ctx, id, signal);
    if (!p.kept(made, value)) notKept.push(`${p.name}: ${refused ?? 'the server ignores it'}`);
  }
  const extra = made.components && wanted.length ? made.components.filter((c) => !wanted.includes(c)) : [];
  if (wanted.length && made.components === undefined)
    notKept.push(
      `components: the server lets this calendar take every component, not only ${wanted.join(', ')}`,
    );
  else if (extra.length) notKept.push(`components: the server adds ${extra.join(', ')}`);
  return { ensured: { id, existed: false, notKept }, collection: made };
}

/** MKCALENDAR / MKCOL; false when something is at that path already (unless `last`: then that fails). */
async function create(
  http: DavHttp,
  id: string,
  like: GroupwareCollection,
  last: boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const where = `Creating the ${like.type} "${like.displayName}" at ${http.url(id).href}`;
  const props = PROPS.map((p) => {
    const v = p.wanted(like);
    return v === undefined ? '' : p.xml(like, v);
  }).join('');
  const body =
    like.type === 'calendar'
      ? `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar ${XMLNS}><d:set><d:prop>${props}${
          like.components?.length
            ? `<c:supported-calendar-component-set>${like.components.map((c) => `<c:comp name="${c}"/>`).join('')}</c:supported-calendar-component-set>`
            : ''
        }</d:prop></d:set></c:mkcalendar>`
      : `<?xml version="1.0" encoding="utf-8"?><d:mkcol ${XMLNS}><d:set><d:prop><d:resourcetype><d:collection/><a:addressbook/></d:resourcetype>${props}</d:prop></d:set></d:mkcol>`;
  const a = await http.send(like.type === 'calendar' ? 'MKCALENDAR' : 'MKCOL', id, { body }, signal);
  if (a.status === 201) return true;
  if (!last && (a.status === 405 || (a.status === 207 && /HTTP\/1\.[01] 40[35]/.test(a.body)))) return false;
  throw new PermanentError(
    ErrorCode.FolderCreateFailed,
    `${where}: the server answered ${a.status}${shortText(a.body)}.`,
    'Check that this login may create collections in its home.',
  );
}

async function readBack(ctx: EnsureContext, id: string, signal?: AbortSignal): Promise<DavCollection> {
  const [r] = await propfindCollections(ctx.http, id, '0', signal);
  const c = r && readCollection(r, ctx.principal);
  if (!c)
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `${ctx.http.url(id).href} was created but does not read back as a calendar or address book.`,
      'Look at the DAV server’s log.',
    );
  return c;
}

/** PROPPATCH one property; the server's refusal in words, or undefined when it says it set it. */
async function proppatch(http: DavHttp, id: string, xml: string, signal?: AbortSignal) {
  const body = `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate ${XMLNS}><d:set><d:prop>${xml}</d:prop></d:set></d:propertyupdate>`;
  const a = await http.send('PROPPATCH', id, { body }, signal);
  if (a.status !== 207) return `the server refused to set it (${a.status}${shortText(a.body)})`;
  const r = parseMultistatus(a.body, `PROPPATCH ${id}`).responses[0];
  const status = r ? Math.max(...r.propstats.map((ps) => ps.status), 0) : 0;
  return status >= 300 ? `the server cannot store it (${status})` : undefined;
}

const sameColor = (a: string | undefined, b: string) => {
  const norm = (c: string) => (c.length === 7 ? `${c}FF` : c).toUpperCase();
  return a !== undefined && norm(a) === norm(b);
};

/** The properties set at creation and checked afterwards. */
const PROPS: Array<{
  name: string;
  wanted: (like: GroupwareCollection) => string | undefined;
  xml: (like: GroupwareCollection, value: string) => string;
  kept: (made: DavCollection, value: string) => boolean;
}> = [
  {
    name: 'display name',
    wanted: (l) => l.displayName,
    xml: (_l, v) => `<d:displayname>${xmlEscape(v)}</d:displayname>`,
    kept: (m, v) => m.displayName === v,
  },
  {
    name: 'colour',
    wanted: (l) => l.color,
    xml: (_l, v) => `<i:calendar-color>${xmlEscape(v)}</i:calendar-color>`,
    kept: (m, v) => sameColor(m.color, v),
  },
  {
    name: 'description',
    wanted: (l) => l.description,
    xml: (l, v) =>
      l.type === 'calendar'
        ? `<c:calendar-description>${xmlEscape(v)}</c:calendar-description>`
        : `<a:addressbook-description>${xmlEscape(v)}</a:addressbook-description>`,
    kept: (m, v) => m.description === v,
  },
];
