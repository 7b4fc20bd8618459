/**
 * One POP3 session's view of the maildrop (fixed at login, RFC 1939 §4): message numbers, UIDLs, sizes, and
 * the numeric keys the engine uses. A key is derived from the UIDL alone — the first 48 bits of its SHA-256 —
 * so the same message has the same key in every session, and a key is always a safe integer.
 */
import { ErrorCode, PermanentError, type CutoverError } from '../../errors.js';
import type { FolderState } from '../contract.js';
import { itemKey } from '../shared/item-key.js';

/** The generation of every POP3 key: UIDLs are permanent (RFC 1939 §7), so it never changes. */
export const POP3_UID_VALIDITY = '1';

/** One message of the listing. */
export interface Pop3Entry {
  /** The message number in this session (what RETR and TOP take). */
  num: number;
  uidl: string;
  uid: number;
  /** The size LIST reports; RFC 1939 lets it be approximate, so bodies are measured as they are read. */
  size: number;
}

/** A session's listing, by key and in ascending key order. */
export class Pop3Listing {
  readonly byUid: Map<number, Pop3Entry>;
  /** Keys, ascending. */
  readonly uids: number[];

  constructor(readonly entries: Pop3Entry[]) {
    this.byUid = new Map(entries.map((e) => [e.uid, e]));
    this.uids = entries.map((e) => e.uid).sort((a, b) => a - b);
  }

  /** The folder state the engine records: a constant generation, UIDNEXT past the largest key, the count. */
  get state(): FolderState {
    return {
      uidValidity: POP3_UID_VALIDITY,
      uidNext: (this.uids.at(-1) ?? 0) + 1,
      messages: this.entries.length,
    };
  }

  /** Total bytes, as LIST reports them. */
  get bytes(): number {
    return this.entries.reduce((s, e) => s + e.size, 0);
  }
}

/** Parse "n token" lines (UIDL or LIST) into number → token. */
function parsePairs(lines: string[], what: string, fail: (m: string) => CutoverError): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (!m) throw fail(`the ${what} listing has a line POP3 does not allow: "${line.slice(0, 100)}"`);
    out.set(Number(m[1]), m[2]!);
  }
  return out;
}

/**
 * Build the listing from the UIDL and LIST answers. Two messages whose UIDLs give the same key (the same
 * UIDL twice — a broken server — or a 48-bit hash collision) would be taken for one: that fails loudly.
 */
export function buildListing(
  uidlLines: string[],
  listLines: string[],
  where: string,
  uidOf: (uidl: string) => number = itemKey,
): Pop3Listing {
  const fail = (m: string) =>
    new PermanentError(
      ErrorCode.ProtocolError,
      `${where}: ${m}.`,
      'Report this with the server software name.',
    );
  const uidls = parsePairs(uidlLines, 'UIDL', fail);
  const sizes = parsePairs(listLines, 'LIST', fail);
  const entries: Pop3Entry[] = [];
  const seen = new Map<number, Pop3Entry>();
  for (const [num, uidl] of [...uidls].sort((a, b) => a[0] - b[0])) {
    const uid = uidOf(uidl);
    const other = seen.get(uid);
    if (other)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        other.uidl === uidl
          ? `${where}: messages ${other.num} and ${num} have the same UIDL "${uidl}"; the server breaks RFC 1939 and the two cannot be told apart between sessions.`
          : `${where}: the UIDLs "${other.uidl}" (message ${other.num}) and "${uidl}" (message ${num}) map to the same key; the two cannot be told apart.`,
        'The mailbox stops here rather than risk skipping one of them. Migrate it over IMAP, or have the server give unique UIDLs.',
      );
    const size = Number(sizes.get(num) ?? NaN);
    const entry = { num, uidl, uid, size: Number.isFinite(size) ? size : 0 };
    seen.set(uid, entry);
    entries.push(entry);
  }
  return new Pop3Listing(entries);
}
