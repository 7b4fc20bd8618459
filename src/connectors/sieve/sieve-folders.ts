/**
 * Folder names inside Sieve scripts: a mailbox name (as `fileinto` writes it, UTF-8 with the IMAP server's
 * hierarchy delimiter and personal-namespace prefix) as a folder path and back, and the rewrite of every
 * `fileinto` target of a script as the migration's folder mapping says — token by token, so every other
 * byte of the script stays as it was.
 */
import { lexSieve, quoteSieve, SieveSyntaxError, type SieveToken } from './sieve-lexer.js';

/** How a server's scripts name folders. */
export interface SieveNaming {
  /** The IMAP hierarchy delimiter ('/' when unknown). */
  delimiter: string;
  /** The personal namespace prefix (`INBOX.` on Cyrus and Courier, '' on Dovecot). */
  prefix: string;
}

/** A mailbox name of a script as a folder path (INBOX stays ['INBOX']). */
export function mailboxPath(name: string, naming: SieveNaming): string[] {
  if (name.toUpperCase() === 'INBOX') return ['INBOX'];
  const rest = naming.prefix && name.startsWith(naming.prefix) ? name.slice(naming.prefix.length) : name;
  return naming.delimiter ? rest.split(naming.delimiter) : [rest];
}

/** A folder path as a script's mailbox name. */
export function mailboxName(path: string[], naming: SieveNaming): string {
  if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return 'INBOX';
  return naming.prefix + path.join(naming.delimiter);
}

/** fileinto's tags that take a value (RFC 5232 :flags, RFC 8579 :specialuse, RFC 9042 :mailboxid). */
const TAGS_WITH_VALUE = new Set(['flags', 'specialuse', 'mailboxid']);

/** The mailbox-name token of each `fileinto` of a script (positions in bytes). */
export function fileintoTargets(tokens: SieveToken[]): Array<Extract<SieveToken, { kind: 'string' }>> {
  const out: Array<Extract<SieveToken, { kind: 'string' }>> = [];
  let atCommand = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const starts = atCommand && t.kind === 'identifier';
    atCommand = t.kind === 'punct' && (t.value === ';' || t.value === '{' || t.value === '}');
    if (!starts || t.value.toLowerCase() !== 'fileinto') continue;
    let target: Extract<SieveToken, { kind: 'string' }> | undefined;
    for (i++; i < tokens.length; i++) {
      const a = tokens[i]!;
      if (a.kind === 'punct' && a.value === ';') break;
      if (a.kind === 'tag' && TAGS_WITH_VALUE.has(a.value.toLowerCase())) i = skipValue(tokens, i + 1);
      else if (a.kind === 'string') target = a;
    }
    atCommand = true;
    if (target) out.push(target);
  }
  return out;
}

/** The index of the last token of the value starting at `i` (a string, or a `[…]` list). */
function skipValue(tokens: SieveToken[], i: number): number {
  const t = tokens[i];
  if (t?.kind !== 'punct' || t.value !== '[') return i;
  while (i < tokens.length && !(tokens[i]!.kind === 'punct' && tokens[i]!.value === ']')) i++;
  return i;
}

/**
 * `content` with each folder it files into renamed as `rename` says (given the folder's path; undefined
 * leaves the name alone) and every other byte unchanged. A script the lexer cannot read is returned as it is
 * (the destination will refuse it with its own words).
 */
export function rewriteFolders(
  content: Buffer,
  delimiter: string,
  rename: (path: string[]) => string | undefined,
  prefix = '',
): { content: Buffer; renamed: number } {
  let tokens: SieveToken[];
  try {
    tokens = lexSieve(content).tokens;
  } catch (err) {
    if (err instanceof SieveSyntaxError) return { content, renamed: 0 };
    throw err;
  }
  const parts: Buffer[] = [];
  let at = 0;
  let renamed = 0;
  for (const t of fileintoTargets(tokens)) {
    const name = rename(mailboxPath(t.value, { delimiter, prefix }));
    if (name === undefined || name === t.value) continue;
    parts.push(content.subarray(at, t.start), Buffer.from(quoteSieve(name), 'utf8'));
    at = t.end;
    renamed++;
  }
  if (renamed === 0) return { content, renamed };
  parts.push(content.subarray(at));
  return { content: Buffer.concat(parts), renamed };
}
