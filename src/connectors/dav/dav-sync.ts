/**
 * What changed in a collection (GroupwareEndpoint.changes): the sync-collection REPORT (RFC 6578) with the
 * last token. A token the server no longer takes — 403/409 with DAV:valid-sync-token (Radicale), or any
 * other failure of a request that carried a token (Xandikos answers an unknown token with 500) — is dropped
 * and the collection listed in full, once. A server without sync-collection (405, 501, 403
 * supported-report) is listed by a depth-1 PROPFIND of getetag, always in full and without a token (the
 * engine then compares ETags against its ledger).
 *
 * Not handled: a server that truncates a sync answer (507 for the request-URI, RFC 6578 §3.6); such an
 * answer reads as the part it lists, and the next pass continues from its token.
 */
import { AbortError, CutoverError, ErrorCode, RateLimitError } from '../../errors.js';
import type { CollectionChanges, GroupwareItemRef } from '../groupware-contract.js';
import { type DavHttp, unexpected } from './dav-http.js';
import { davPath } from './dav-paths.js';
import { NS, XMLNS, parseMultistatus, prop, propText, type DavResponse } from './dav-xml.js';

/** Changes since `token` (undefined: everything). */
export async function davChanges(
  http: DavHttp,
  collection: string,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<CollectionChanges> {
  if (token !== undefined) {
    try {
      const r = await syncReport(http, collection, token, signal);
      if (r !== 'unsupported' && r !== 'invalid-token') return r;
      if (r === 'unsupported') return await etagListing(http, collection, signal);
    } catch (err) {
      // A stop, a login refused or a wait asked for is not about the token.
      if (
        err instanceof AbortError ||
        err instanceof RateLimitError ||
        (err instanceof CutoverError && err.code === ErrorCode.AuthFailed)
      )
        throw err;
    }
  }
  const r = await syncReport(http, collection, undefined, signal);
  if (r === 'unsupported' || r === 'invalid-token') return etagListing(http, collection, signal);
  return r;
}

async function syncReport(
  http: DavHttp,
  collection: string,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<CollectionChanges | 'unsupported' | 'invalid-token'> {
  const where = `Listing changes in ${http.url(collection).href}`;
  const body = `<?xml version="1.0" encoding="utf-8"?><d:sync-collection ${XMLNS}><d:sync-token>${
    token === undefined ? '' : escapeToken(token)
  }</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const a = await http.send('REPORT', collection, { body }, signal);
  if (a.status === 207) {
    const ms = parseMultistatus(a.body, where);
    const { changed, deleted } = split(ms.responses, collection, token !== undefined);
    return { changed, deleted, token: ms.syncToken, full: token === undefined };
  }
  if (token !== undefined && /valid-sync-token/.test(a.body)) return 'invalid-token';
  if (a.status === 405 || a.status === 501 || (a.status === 403 && /supported-report/.test(a.body)))
    return 'unsupported';
  if (token !== undefined && a.status >= 400 && a.status < 500) return 'invalid-token';
  throw unexpected(a, where, '207 Multi-Status');
}

/** Every item of a collection with its ETag, by PROPFIND (servers without sync-collection). */
async function etagListing(
  http: DavHttp,
  collection: string,
  signal?: AbortSignal,
): Promise<CollectionChanges> {
  const where = `Listing ${http.url(collection).href}`;
  const body = `<?xml version="1.0" encoding="utf-8"?><d:propfind ${XMLNS}><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>`;
  const a = await http.send('PROPFIND', collection, { depth: '1', body }, signal);
  if (a.status !== 207) throw unexpected(a, where, '207 Multi-Status');
  const responses = parseMultistatus(a.body, where).responses.filter(
    (r) => !prop(r, NS.d, 'resourcetype')?.getElementsByTagNameNS(NS.d, 'collection').length,
  );
  return { ...split(responses, collection, false), token: undefined, full: true };
}

/** Responses as changed refs and deleted keys; the collection itself and sub-collections are left out. */
function split(responses: DavResponse[], collection: string, delta: boolean) {
  const changed: GroupwareItemRef[] = [];
  const deleted: string[] = [];
  const self = davPath(collection, true);
  for (const r of responses) {
    const key = davPath(r.href);
    if (key === self || `${key}/` === self || r.href.endsWith('/')) continue;
    const gone = r.status === 404 || (r.status === undefined && r.propstats.every((ps) => ps.status === 404));
    if (gone) {
      if (delta) deleted.push(key);
      continue;
    }
    // An item listed without an ETag is still listed (its ETag then never matches the ledger's).
    changed.push({ key, etag: propText(r, NS.d, 'getetag') ?? '' });
  }
  return { changed, deleted };
}

/** A token is an opaque string (a URI in RFC 6578): escaped like any text. */
function escapeToken(t: string): string {
  return t.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
