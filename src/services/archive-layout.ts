/**
 * Where things go in a compliance archive directory, without I/O:
 *
 *   DIR/archive-chain.jsonl, DIR/archive-head.txt     the chain and its head (archive-chain.ts)
 *   DIR/<mailbox>/mail/…                               the mail, in the file connector's layout
 *   DIR/<mailbox>/filters/manifest.jsonl               what was archived of the filters, append-only
 *   DIR/<mailbox>/filters/scripts/<script>.sieve       Sieve scripts, byte for byte
 *   DIR/<mailbox>/filters/rules.json                   the neutral rules (systems without scripts)
 *
 * `<mailbox>` is the source login as the file connector names a folder directory (file-names.ts: plain ASCII
 * stays, anything a file system refuses is %XX-escaped, reversibly); the archive's own file names are escaped
 * too. Groupware (contacts, calendars, tasks) will get directories of its own beside mail/ and filters/.
 */
import { createHash } from 'node:crypto';
import { dirNameOf, MAX_NAME_BYTES } from '../connectors/file/file-names.js';
import { CHAIN_FILE, HEAD_FILE } from './archive-chain.js';

/** The mail tree inside a mailbox's directory. */
export const MAIL_DIR = 'mail';
/** The filters inside a mailbox's directory. */
export const FILTERS_DIR = 'filters';
/** A manifest (append-only: the chain records it by prefix). The file connector uses the same name. */
export const MANIFEST = 'manifest.jsonl';

const escapeFirst = (s: string): string => {
  const first = String.fromCodePoint(s.codePointAt(0)!);
  const hex = [...Buffer.from(first, 'utf8')]
    .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
  return hex + s.slice(first.length);
};

/** The directory of a mailbox (by source login); never the name of one of the archive's own files. */
export function mailboxDirName(login: string): string {
  const name = dirNameOf(login);
  const own = [CHAIN_FILE, HEAD_FILE, `.${HEAD_FILE}.tmp`].map((n) => n.toLowerCase());
  return own.includes(name.toLowerCase()) ? escapeFirst(name) : name;
}

/**
 * The file of a script version, relative to filters/: `scripts/<name>.sieve`, and for a later version whose
 * bytes differ, `scripts/<name>%v<version>.sieve` (a `%` in a name is always escaped, so the two cannot
 * meet). A name too long for the file system is replaced by `%~` and its SHA-256; the manifest line keeps
 * every script's full name.
 */
export function scriptFile(name: string, version: number): string {
  const suffix = version > 1 ? `%v${version}.sieve` : '.sieve';
  let stem = dirNameOf(name);
  if (Buffer.byteLength(stem + suffix) > MAX_NAME_BYTES)
    stem = `%~${createHash('sha256').update(name, 'utf8').digest('hex')}`;
  return `scripts/${stem}${suffix}`;
}

/** The file of a rules version, relative to filters/: `rules.json`, then `rules%v<version>.json`. */
export const rulesFile = (version: number): string => (version > 1 ? `rules%v${version}.json` : 'rules.json');
