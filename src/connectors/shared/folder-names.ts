/**
 * What a folder becomes when the destination refuses its name. Cutover renames on refusal, never on
 * suspicion: a name is first created as it is, and only a refused one walks this ladder, from the closest
 * look-alike to plain ASCII. The ladder is deterministic, so every pass and every connection arrives at
 * the same name (and finds the folder an earlier attempt created).
 */

/**
 * Characters some servers refuse in folder names (Cyrus: `% " \ { } ! ; < > |`; others `* ? ~`), each
 * with its full-width look-alike: the folder reads the same in a mail client.
 */
const LOOKALIKE: Record<string, string> = {
  '%': '\uFF05',
  '"': '\uFF02',
  '\\': '\uFF3C',
  '{': '\uFF5B',
  '}': '\uFF5D',
  '!': '\uFF01',
  ';': '\uFF1B',
  '<': '\uFF1C',
  '>': '\uFF1E',
  '|': '\uFF5C',
  '*': '\uFF0A',
  '?': '\uFF1F',
  '~': '\uFF5E',
};
const RISKY = /[%"\\{}!;<>|*?~]/g;
const CONTROL = /\p{Cc}/gu;
const ASTRAL = /[\u{10000}-\u{10FFFF}]/gu;
/** Longest name tried on the last rung, in UTF-8 bytes (servers commonly allow 255 per segment). */
const MAX_BYTES = 200;

/** One rename to try, and what it changes, for the report. */
export interface NameCandidate {
  name: string;
  change: string;
}

function truncateBytes(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** The renames to try, in order, for a folder name segment the destination refused (never the name itself). */
export function renameLadder(segment: string): NameCandidate[] {
  const lookalike =
    segment
      .replace(CONTROL, '_')
      .replace(RISKY, (c) => LOOKALIKE[c] ?? '_')
      .trim() || '_';
  const basic = lookalike.replace(ASTRAL, '_');
  const ascii =
    basic
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/[^\x20-\x7e]/g, '_')
      .replace(/[%"\\{}!;<>|*?~]/g, '_')
      .trim() || '_';
  const short = truncateBytes(ascii, MAX_BYTES).trimEnd() || '_';
  const rungs: NameCandidate[] = [
    { name: lookalike, change: 'characters the destination refused replaced by look-alikes, spaces trimmed' },
    { name: basic, change: 'symbols outside the Basic Multilingual Plane (emoji) replaced by "_"' },
    { name: ascii, change: 'letters reduced to ASCII, other characters replaced by "_"' },
    { name: short, change: `shortened to ${MAX_BYTES} bytes` },
    // A plain name refused as such (Dovecot's Maildir reserves "new", "cur" and "tmp").
    { name: `${lookalike}_`, change: 'the name itself is reserved there; "_" added' },
  ];
  const seen = new Set([segment]);
  return rungs.filter((r) => !seen.has(r.name) && (seen.add(r.name), true));
}

/**
 * Whether a name has features a server may silently change when it creates the folder (spaces at the ends,
 * control characters, a non-NFC spelling): such a name is read back after creation to learn what it became.
 */
export function mayBeRewritten(segment: string): boolean {
  return segment !== segment.trim() || /\p{Cc}/u.test(segment) || segment !== segment.normalize('NFC');
}
