/**
 * Folder names ⇄ directory names of the file store, without I/O. A plain ASCII name is its own directory
 * name; anything a common file system (ext4, APFS/HFS+, NTFS, exFAT) refuses or would change is escaped as
 * `%XX` (the UTF-8 bytes of just that character), so the mapping is exact both ways:
 * `<>:"/\|?*`, `%` itself and control characters anywhere; a trailing dot or blank; the first character of a
 * reserved name (a device name such as `CON` or `COM1.txt`, or a name the store uses for its own files);
 * every non-ASCII character of a name that is not in Unicode NFC (HFS+ and APFS would otherwise fold an NFD
 * spelling onto the NFC one, merging two folders). `%_` stands for an empty name. A name whose escaped form
 * exceeds 255 bytes is cut at a character boundary and ends in `%~` and 16 hex digits of its SHA-256: it
 * cannot be read back from the directory name alone, so the store keeps the full path in the folder's
 * manifest.
 */
import { createHash } from 'node:crypto';

/** Longest directory name (bytes) every common file system takes. */
export const MAX_NAME_BYTES = 255;
/** A file name in each folder directory that the store uses itself. */
export const MANIFEST = 'manifest.jsonl';
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const MUST_ESCAPE = /[<>:"/\\|?*%\x00-\x1f\x7f]/;
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
/** Names of the store's own files: a folder may not take them (`manifest.jsonl`, `12.eml`, `.12.eml.tmp`). */
const STORE_FILE = /^(manifest\.jsonl|\d+\.eml|\.\d+\.eml\.tmp)$/i;
const SHORTENED = /%~[0-9a-f]{16}$/;

const hex = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/**
 * The directory name of one folder level (a name with `/` in it stays one level: the `/` is escaped).
 * `spelling` > 0 gives another directory name for the same folder name, with its first `spelling` characters
 * escaped too: the store takes the next one when a directory is held by another folder whose name the file
 * system folds together with this one (`Foo` and `foo` on a case-insensitive file system).
 */
export function dirNameOf(name: string, spelling = 0): string {
  if (name === '') return '%_';
  const notNfc = name !== name.normalize('NFC');
  const chars = [...name].map((c, i) =>
    i < spelling || MUST_ESCAPE.test(c) || (notNfc && c > '\x7f') ? hex(c) : c,
  );
  const last = chars.length - 1;
  if (chars[last] === '.' || chars[last] === ' ') chars[last] = hex(chars[last]);
  let out = chars.join('');
  if (DEVICE.test(out) || STORE_FILE.test(out)) {
    chars[0] = hex(chars[0]!);
    out = chars.join('');
  }
  if (Buffer.byteLength(out) <= MAX_NAME_BYTES) return out;
  // Too long: keep whole escapes and characters up to the room left for the marker and the hash.
  const tag = `%~${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16)}`;
  let kept = '';
  for (const piece of chars) {
    if (Buffer.byteLength(kept + piece) + tag.length > MAX_NAME_BYTES) break;
    kept += piece;
  }
  return kept + tag;
}

/**
 * The folder name a directory name stands for; undefined for a shortened name (its full name is in the
 * folder's manifest). A `%` not followed by two hex digits (a directory someone else made) is read as is.
 */
export function nameOfDir(dir: string): string | undefined {
  if (SHORTENED.test(dir)) return undefined;
  if (dir === '%_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < dir.length;) {
    const esc = /^%([0-9A-Fa-f]{2})/.exec(dir.slice(i, i + 3));
    if (esc) {
      bytes.push(parseInt(esc[1]!, 16));
      i += 3;
      continue;
    }
    const c = String.fromCodePoint(dir.codePointAt(i)!);
    bytes.push(...Buffer.from(c, 'utf8'));
    i += c.length;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Whether a directory name was shortened (see dirNameOf): its full name must come from the manifest. */
export function isShortened(dir: string): boolean {
  return SHORTENED.test(dir);
}
