/** Parsing the FETCH responses Cutover asks for (RFC 3501 §7.4.2), from the raw response text. */

/** What one FETCH response carried. */
export interface FetchFacts {
  uid?: number;
  flags?: string[];
  size?: number;
  internalDate?: Date;
  modseq?: string;
  /** The one literal or quoted section of the response (header fields, header). */
  section?: Buffer;
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** RFC 3501 date-time: "17-Jul-1996 02:44:25 -0700". */
export function parseInternalDate(s: string): Date | undefined {
  const m = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(s);
  const month = m ? MONTHS[m[2]!.toLowerCase()] : undefined;
  if (!m || month === undefined) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  return new Date(
    Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset * 60_000,
  );
}

/**
 * Facts from the text of one FETCH response (the literal, if any, replaced by its bytes in `literal`).
 * FLAGS is taken out first so that a keyword can never be mistaken for another item's name.
 */
export function parseFetch(text: string, literal?: Buffer): FetchFacts {
  const out: FetchFacts = {};
  let rest = text;
  const flags = /\bFLAGS \(([^)]*)\)/i.exec(rest);
  if (flags) {
    out.flags = flags[1]!.trim() ? flags[1]!.trim().split(/\s+/) : [];
    rest = rest.slice(0, flags.index) + rest.slice(flags.index + flags[0].length);
  }
  const uid = /\bUID (\d+)/i.exec(rest);
  if (uid) out.uid = Number(uid[1]);
  const size = /\bRFC822\.SIZE (\d+)/i.exec(rest);
  if (size) out.size = Number(size[1]);
  const date = /\bINTERNALDATE "([^"]*)"/i.exec(rest);
  if (date) out.internalDate = parseInternalDate(date[1]!);
  const modseq = /\bMODSEQ \((\d+)\)/i.exec(rest);
  if (modseq) out.modseq = modseq[1];
  if (literal) out.section = literal;
  else {
    const quoted = /\bBODY\[[^\]]*\] "((?:[^"\\]|\\.)*)"/i.exec(rest);
    if (quoted) out.section = Buffer.from(quoted[1]!.replace(/\\(.)/g, '$1'), 'latin1');
  }
  return out;
}
