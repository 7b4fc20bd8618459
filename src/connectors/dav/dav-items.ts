/**
 * Items of a collection: read by calendar-multiget / addressbook-multiget in batches (every response of the
 * answer looked at; one the multiget did not serve is read again by GET, so none is dropped silently), written
 * by PUT with If-None-Match: * (new) or If-Match (replace), deleted by DELETE with If-Match.
 *
 * A new item goes to an href made from its UID (dav-paths.ts `itemName`). A PUT retried after its answer was
 * lost meets its own earlier write there (412 to If-None-Match: *): the resource is read, and when it holds
 * the same UID it is taken as this item's copy (same UID = same item in iCalendar and vCard) instead of
 * failing. Every other refusal — a 207 Multi-Status holding an inner error (Xandikos's 412 no-uid-conflict),
 * 409 no-uid-conflict (Radicale), 403, 413, 415 — is a PermanentError with the server's own words.
 */
import http from 'node:http';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { CollectionType, GroupwareItem, GroupwareItemRef, PutResult } from '../groupware-contract.js';
import { type DavAnswer, type DavHttp, shortText, unexpected } from './dav-http.js';
import { davPath, itemName, lastSegment } from './dav-paths.js';
import { readUid } from './dav-uid.js';
import { NS, XMLNS, children, parseMultistatus, parseXml, propRaw, propText, xmlEscape } from './dav-xml.js';

/** Items per multiget REPORT. */
export const MULTIGET_BATCH = 50;

const CONTENT = {
  calendar: { type: 'text/calendar', ext: '.ics', data: [NS.c, 'calendar-data'] },
  addressbook: { type: 'text/vcard', ext: '.vcf', data: [NS.a, 'address-data'] },
} as const;

/** These items of a collection, batch by batch; a key that is gone is not yielded. */
export async function* readDavItems(
  dav: DavHttp,
  collection: string,
  type: CollectionType,
  keys: string[],
  signal?: AbortSignal,
): AsyncIterable<GroupwareItem> {
  const c = CONTENT[type];
  for (let i = 0; i < keys.length; i += MULTIGET_BATCH) {
    const batch = keys.slice(i, i + MULTIGET_BATCH).map((k) => davPath(k));
    const report = type === 'calendar' ? 'c:calendar-multiget' : 'a:addressbook-multiget';
    const dataProp = type === 'calendar' ? 'c:calendar-data' : 'a:address-data';
    const body = `<?xml version="1.0" encoding="utf-8"?><${report} ${XMLNS}><d:prop><d:getetag/><${dataProp}/></d:prop>${batch
      .map((k) => `<d:href>${xmlEscape(k)}</d:href>`)
      .join('')}</${report}>`;
    const where = `Reading items of ${dav.url(collection).href}`;
    const a = await dav.send('REPORT', collection, { depth: '1', body }, signal);
    const again = new Set(batch);
    if (a.status === 207) {
      for (const r of parseMultistatus(a.body, where).responses) {
        const key = davPath(r.href);
        if (!again.has(key)) continue;
        if (r.status === 404 || (r.status === undefined && r.propstats.every((ps) => ps.status === 404))) {
          again.delete(key);
          continue;
        }
        const data = propRaw(r, c.data[0], c.data[1]);
        if (data === undefined || data.trim() === '') continue; // an error status or no data: GET it
        again.delete(key);
        yield {
          key,
          etag: propText(r, NS.d, 'getetag') ?? '',
          uid: readUid(data),
          contentType: c.type,
          data,
        };
      }
    }
    // What the multiget did not serve (or a server without multiget): one GET each.
    for (const key of again) {
      const item = await getItem(dav, key, type, signal);
      if (item) yield item;
    }
  }
}

/** One item by GET; undefined when it is gone. */
async function getItem(
  dav: DavHttp,
  key: string,
  type: CollectionType,
  signal?: AbortSignal,
): Promise<GroupwareItem | undefined> {
  const a = await dav.send('GET', key, { headers: { accept: CONTENT[type].type } }, signal);
  if (a.status === 404 || a.status === 410) return undefined;
  if (a.status !== 200)
    throw new PermanentError(
      ErrorCode.SourceReadFailed,
      `Reading ${dav.url(key).href}: the server answered ${a.status}${shortText(a.body)}.`,
      'The server will not hand this item over; look at its log.',
    );
  return {
    key,
    etag: header(a, 'etag') ?? '',
    uid: readUid(a.body),
    contentType: CONTENT[type].type,
    data: a.body,
  };
}

/** Write an item; see the file header for where and what a refusal looks like. */
export async function putDavItem(
  dav: DavHttp,
  collection: string,
  type: CollectionType,
  item: GroupwareItem,
  replace: GroupwareItemRef | undefined,
  maxBytes: number | undefined,
  signal?: AbortSignal,
): Promise<PutResult> {
  const c = CONTENT[type];
  const uid = item.uid ?? readUid(item.data);
  const key = replace
    ? davPath(replace.key)
    : `${davPath(collection, true)}${encodeURIComponent(itemName(uid ?? lastSegment(item.key).replace(/\.(ics|vcf)$/i, ''), c.ext))}`;
  const where = `Writing ${uid ? `UID ${uid}` : 'an item'} to ${dav.url(key).href}`;
  const size = Buffer.byteLength(item.data, 'utf8');
  if (maxBytes !== undefined && size > maxBytes)
    throw new PermanentError(
      ErrorCode.MessageTooLarge,
      `${where}: ${size} bytes, over the server's limit of ${maxBytes} (max-resource-size).`,
      'Shrink the item at the source (e.g. a large attachment or photo) or leave it out.',
    );
  const a = await dav.send(
    'PUT',
    key,
    {
      headers: replace ? { 'if-match': replace.etag } : { 'if-none-match': '*' },
      body: item.data,
      contentType: `${c.type}; charset=utf-8`,
    },
    signal,
  );
  if (a.status === 200 || a.status === 201 || a.status === 204)
    return { key, etag: header(a, 'etag') ?? (await etagOf(dav, key, signal)) };
  if (a.status === 207) {
    const refused = parseMultistatus(a.body, where).responses.find(
      (r) => (r.status ?? 200) >= 300 || r.propstats.some((ps) => ps.status >= 300),
    );
    if (refused) throw refusal(where, refused.status ?? 0, refused.errors, refused.description);
    return { key, etag: header(a, 'etag') ?? (await etagOf(dav, key, signal)) };
  }
  if (a.status === 412 && !replace) {
    // Our own earlier write, whose answer was lost? The same UID there says so.
    const there = await getItem(dav, key, type, signal);
    if (there && uid !== undefined && there.uid === uid) return { key, etag: there.etag, found: true };
    throw refusal(where, 412, [], `another item (UID ${there?.uid ?? 'unknown'}) is already at this href`);
  }
  if (a.status === 412)
    throw new PermanentError(
      ErrorCode.Conflict,
      `${where}: the item changed at the destination since it was last read (ETag ${replace?.etag} no longer matches).`,
      'Run the pass again: it reads the destination item anew before replacing it.',
    );
  if (a.status >= 400 && a.status < 500) {
    const { errors, description } = errorBody(a);
    throw refusal(where, a.status, errors, description);
  }
  throw unexpected(a, where, '201 Created or 204 No Content');
}

/** Delete an item if it still has this ETag; an item already gone is fine. */
export async function deleteDavItem(
  dav: DavHttp,
  ref: GroupwareItemRef,
  signal?: AbortSignal,
): Promise<void> {
  const where = `Deleting ${dav.url(ref.key).href}`;
  const a = await dav.send(
    'DELETE',
    davPath(ref.key),
    { headers: ref.etag ? { 'if-match': ref.etag } : {} },
    signal,
  );
  if (a.status === 412)
    throw new PermanentError(
      ErrorCode.Conflict,
      `${where}: the item changed since it was listed; it is not deleted.`,
      'Run the pass again to see the change.',
    );
  if (a.status === 207) {
    const bad = parseMultistatus(a.body, where).responses.find(
      (r) => (r.status ?? 200) >= 300 && r.status !== 404,
    );
    if (bad) throw refusal(where, bad.status ?? 0, bad.errors, bad.description);
    return;
  }
  if (![200, 202, 204, 404, 410].includes(a.status)) throw unexpected(a, where, '204 No Content');
}

/** A refused item with the server's words: status, DAV error conditions, its description. */
function refusal(where: string, status: number, errors: string[], description?: string): PermanentError {
  const words = [
    `${status} ${http.STATUS_CODES[status] ?? ''}`.trim(),
    ...errors,
    ...(description ? [description] : []),
  ].join(': ');
  const sameUid = errors.includes('no-uid-conflict');
  return new PermanentError(
    status === 413
      ? ErrorCode.MessageTooLarge
      : status === 507
        ? ErrorCode.QuotaExceeded
        : ErrorCode.MessageRejected,
    `${where}: the server refused the item (${words}).`,
    sameUid
      ? 'Another item in this collection already has this UID (a copy made by another tool or client): remove one, or leave this item out.'
      : 'The server’s words say why; the rest of the collection continues.',
  );
}

/** The DAV:error conditions and any text of a refusal's body. */
function errorBody(a: DavAnswer): { errors: string[]; description?: string } {
  if (/^\s*(<\?xml[^>]*>\s*)?<([\w-]+:)?error[\s>/]/.test(a.body)) {
    try {
      const root = parseXml(a.body, 'a refusal');
      const errors = children(root, undefined, undefined).map((e) => e.localName ?? e.tagName);
      return { errors };
    } catch {
      /* not XML after all: its text is the description */
    }
  }
  const text = shortText(a.body).replace(/^: /, '');
  return { errors: [], description: text === '' ? undefined : text };
}

async function etagOf(dav: DavHttp, key: string, signal?: AbortSignal): Promise<string> {
  const body = `<?xml version="1.0" encoding="utf-8"?><d:propfind ${XMLNS}><d:prop><d:getetag/></d:prop></d:propfind>`;
  const a = await dav.send('PROPFIND', key, { depth: '0', body }, signal);
  if (a.status !== 207) throw unexpected(a, `Reading the ETag of ${dav.url(key).href}`, '207 Multi-Status');
  const [r] = parseMultistatus(a.body, `PROPFIND ${key}`).responses;
  return (r && propText(r, NS.d, 'getetag')) ?? '';
}

function header(a: DavAnswer, name: string): string | undefined {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
