/**
 * The comparison at the heart of `cutover verify`, with no I/O: the source messages of the folders that
 * write into one destination folder, their ledger rows, and what the destination holds now →
 * what is missing, what carries other flags, what is there twice, and what was changed in size.
 *
 * Matching follows the ledger first (a copied row names its destination key), then fingerprints as a
 * multiset (each destination message matches one source message), like a pass does. Only source
 * messages the destination should hold are looked for: skipped and failed ones are in the report already.
 * Destination messages matching no source message are not Cutover's business (mail delivered after the
 * cutover, things there before): only a second copy of a source message counts as extra.
 */
import type { MessageMeta } from '../connectors/contract.js';
import type { LedgerEntry } from '../store/ledger-repo.js';
import type { FolderFindings } from '../store/verification-repo.js';
import { FingerprintIndex, fingerprint, flagKey } from './fingerprint.js';
import { destFlags } from './folder-context.js';

export type { FolderFindings } from '../store/verification-repo.js';

/** One source folder as the matcher needs it. */
export interface SourceSide {
  folderKey: string;
  uidValidity: string;
  metas: MessageMeta[];
  /** Ledger rows of this folder generation, by source key. */
  rows: Map<number, LedgerEntry>;
  /** Whether the ledger's destination keys still hold (the destination folder was not renumbered). */
  destKeysValid: boolean;
}

/** Changes to the ledger so the next pass repairs what was found. */
export interface LedgerRepair {
  /** Rows the ledger calls copied whose message is not at the destination: copy again. */
  lost: LedgerEntry[];
  /** Rows whose destination message carries other flags: record what is there, so the next pass sets them. */
  flags: Array<{ row: LedgerEntry; destFlags: string }>;
  /** Rows whose message was found under another destination key: record that key. */
  relink: Array<{ row: LedgerEntry; destUid: number }>;
}

/** A matched pair whose bytes `--deep` compares. */
export interface Pair {
  sourceUid: number;
  destUid: number;
  messageId: string | null;
}

/** The outcome for one source folder. */
export interface FolderMatch {
  findings: FolderFindings;
  repair: LedgerRepair;
  pairs: Pair[];
}

/** How flags are compared: both sides as the destination keeps them (see `comparableFlags`). */
export interface FlagRules {
  keywords: boolean;
  /** The destination's own rule (MailDestination.keptFlags) for this folder, if it has one. */
  kept?: (flags: string[]) => string[];
}

// A keyword must be an IMAP atom (RFC 3501 ATOM-CHAR) to be written at all; the control range is intended.
// eslint-disable-next-line no-control-regex
const ATOM = /^\\?[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;

/** Flags compared case-insensitively, \Recent never, keywords only where the destination keeps them. */
const comparable = (flags: string[], keywords: boolean) =>
  [...new Set(destFlags(flags, keywords).map((f) => f.toLowerCase()))].sort();

/** What the destination should show for these source flags, written as a pass writes them. */
export function expectedFlags(source: string[], rules: FlagRules): string[] {
  const written = destFlags(source, rules.keywords).filter((f) => ATOM.test(f));
  return comparable(rules.kept ? rules.kept(written) : written, rules.keywords);
}

/** What the destination shows, in the same terms. */
export const actualFlags = (dest: string[], rules: FlagRules): string[] => comparable(dest, rules.keywords);

const SHOULD_BE_THERE = new Set(['copied', 'present', 'missing']);

/** Compare the source folders writing into one destination folder with what that folder holds. */
export function matchGroup(
  sources: Array<SourceSide & { source: string; destination: string; rules: FlagRules }>,
  dest: MessageMeta[],
): Map<string, FolderMatch> {
  const byUid = new Map(dest.map((m) => [m.uid, m]));
  const taken = new Set<number>();
  const out = new Map<string, FolderMatch>();
  const later: Array<{ s: MessageMeta; fm: FolderMatch; side: (typeof sources)[number] }> = [];
  const wanted = new Map<string, { uid: number; fm: FolderMatch }>(); // fingerprint → a source message with it

  const matched = (fm: FolderMatch, side: (typeof sources)[number], s: MessageMeta, d: MessageMeta) => {
    taken.add(d.uid);
    const item = { sourceUid: s.uid, destUid: d.uid, messageId: s.messageId ?? d.messageId ?? null };
    if (d.size !== s.size) {
      fm.findings.altered.push({
        ...item,
        reason: `size ${s.size} at the source, ${d.size} at the destination`,
      });
      return;
    }
    // A message the destination took only without its keywords (the pass said so on its row) has none.
    const row0 = side.rows.get(s.uid);
    const dropped = row0?.status === 'copied' && row0.reason?.startsWith('keywords dropped') === true;
    const want = expectedFlags(dropped ? s.flags.filter((f) => f.startsWith('\\')) : s.flags, side.rules);
    const have = actualFlags(d.flags, side.rules);
    if (want.join(' ') !== have.join(' ')) {
      fm.findings.flagsDiffer.push({ ...item, source: want, destination: have });
      const row = side.rows.get(s.uid);
      if (row && SHOULD_BE_THERE.has(row.status))
        fm.repair.flags.push({ row, destFlags: flagKey(destFlags(d.flags, side.rules.keywords)) });
    }
    fm.pairs.push(item);
  };

  // 1. By the destination key the ledger recorded.
  for (const side of sources) {
    const fm: FolderMatch = {
      findings: {
        source: side.source,
        destination: side.destination,
        checked: 0,
        missing: [],
        flagsDiffer: [],
        extra: [],
        altered: [],
      },
      repair: { lost: [], flags: [], relink: [] },
      pairs: [],
    };
    out.set(side.folderKey, fm);
    for (const s of side.metas) {
      const row = side.rows.get(s.uid);
      if (row && (row.status === 'skipped' || row.status === 'failed')) continue;
      fm.findings.checked++;
      if (!wanted.has(fingerprint(s))) wanted.set(fingerprint(s), { uid: s.uid, fm });
      const d = row?.destUid != null && side.destKeysValid ? byUid.get(row.destUid) : undefined;
      // A key reused for another message (both have a Message-ID and they differ) is no match.
      if (d && !taken.has(d.uid) && !(s.messageId && d.messageId && s.messageId !== d.messageId))
        matched(fm, side, s, d);
      else later.push({ s, fm, side });
    }
  }

  // 2. By fingerprint among the destination messages no ledger key claimed.
  const index = new FingerprintIndex();
  for (const d of dest) if (!taken.has(d.uid)) index.add(fingerprint(d), d.uid);
  for (const { s, fm, side } of later) {
    const uid = index.take(fingerprint(s));
    const row = side.rows.get(s.uid);
    if (uid !== undefined) {
      matched(fm, side, s, byUid.get(uid)!);
      if (row && SHOULD_BE_THERE.has(row.status) && row.destUid !== uid)
        fm.repair.relink.push({ row, destUid: uid });
      continue;
    }
    const lost = row !== undefined && SHOULD_BE_THERE.has(row.status);
    fm.findings.missing.push({
      sourceUid: s.uid,
      destUid: null,
      messageId: s.messageId ?? null,
      cause: lost ? 'lost' : 'not-copied',
    });
    if (lost && row.status !== 'missing') fm.repair.lost.push(row);
  }

  // 3. What is left with a source message's fingerprint is a second copy of it.
  for (const d of dest) {
    const src = taken.has(d.uid) ? undefined : wanted.get(fingerprint(d));
    if (src)
      src.fm.findings.extra.push({ sourceUid: src.uid, destUid: d.uid, messageId: d.messageId ?? null });
  }
  return out;
}
