/**
 * DAV paths as keys: servers write the same href with different percent-encodings (`@` or `%40`) and as a
 * path or an absolute URL, so every href is brought to one canonical form before it is compared or stored
 * (each segment decoded, then encoded again with encodeURIComponent's rules). And the href of a new item:
 * derived from its UID, so that a PUT retried after a lost answer lands on its own earlier write.
 */
import { createHash } from 'node:crypto';

/** The canonical form of a path (or of an absolute URL's path); collections end with `/` when `collection`. */
export function davPath(hrefOrPath: string, collection = false): string {
  let p = hrefOrPath;
  // Xandikos writes some hrefs as a percent-encoded absolute URL ("http%3A//host%3A1234/user/").
  if (/^https?%3A\/\//i.test(p)) p = safeDecode(p);
  if (/^https?:\/\//i.test(p)) p = new URL(p).pathname;
  const segments = p.split('/').map((s) => encodeURIComponent(safeDecode(s)));
  let out = segments.join('/');
  if (!out.startsWith('/')) out = `/${out}`;
  if (collection && !out.endsWith('/')) out += '/';
  return out.replace(/\/{2,}/g, '/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Characters kept as they are in a name made from a UID; everything else becomes `_`. */
const SAFE = /[^A-Za-z0-9._@+-]/g;
/** Longest name made from a UID (before the extension): far under any file-system limit. */
const MAX_NAME = 100;

/**
 * The resource name (last path segment) for an item with this UID: the UID itself when it is short and made
 * of safe characters, else the safe part shortened, with 12 hex digits of the UID's SHA-256 so that two UIDs
 * never share a name. The same UID always gives the same name.
 */
export function itemName(uid: string, ext: '.ics' | '.vcf'): string {
  let name = uid.replace(SAFE, '_');
  if (name !== uid || name.length > MAX_NAME || name.startsWith('.') || name === '') {
    const hash = createHash('sha256').update(uid, 'utf8').digest('hex').slice(0, 12);
    name = `${name.replace(/^\.+/, '_').slice(0, MAX_NAME - 13)}-${hash}`;
  }
  return `${name}${ext}`;
}

/** The last segment of a path, decoded (a collection's name when it has no display name). */
export function lastSegment(path: string): string {
  return safeDecode(path.replace(/\/+$/, '').split('/').pop() ?? '');
}
