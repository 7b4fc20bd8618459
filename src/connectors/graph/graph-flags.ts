/**
 * IMAP flags ↔ Graph message properties. \Seen = isRead; \Flagged = flag.flagStatus "flagged"; \Draft =
 * isDraft (fixed at creation by PR_MESSAGE_FLAGS' MSGFLAG_UNSENT); \Answered / $Forwarded = the last verb
 * executed (PidTagLastVerbExecuted, 0x1081); other keywords = categories. Keywords that start with `$`
 * (client bookkeeping such as $MDNSent) are not made into categories.
 */

/** Extended MAPI properties Cutover reads or writes, in Graph's id syntax. */
export const PROP = {
  /** PidTagMessageFlags: MSGFLAG_READ 0x1, MSGFLAG_UNSENT 0x8 (unsent = a draft). */
  messageFlags: 'Integer 0x0E07',
  /** PidTagMessageDeliveryTime: shown as the received date. */
  deliveryTime: 'SystemTime 0x0E06',
  /** PidTagClientSubmitTime: shown as the sent date. */
  submitTime: 'SystemTime 0x0039',
  /** PidTagMessageSize (Exchange's own size, not the MIME size). */
  size: 'Integer 0x0E08',
  /** PidTagLastVerbExecuted: 102 reply, 103 reply all, 104 forward. */
  lastVerb: 'Integer 0x1081',
  /** Cutover's own named property: the source's size and Date header, written last (see graph-writer.ts). */
  source: 'String {6c1f5d2e-8a4b-4f7e-9c3d-2b1a0e9f8d7c} Name CutoverSource',
  /** Cutover's marker on a message still being written in several requests ("1"); cleared when complete. */
  pending: 'String {6c1f5d2e-8a4b-4f7e-9c3d-2b1a0e9f8d7c} Name CutoverPending',
} as const;

/** PidTagMessageFlags bits: read. */
export const MSGFLAG_READ = 0x1;
/** PidTagMessageFlags bits: unsent, i.e. a draft (settable only before the first save). */
export const MSGFLAG_UNSENT = 0x8;
const VERB_REPLY = 102;
const VERB_REPLY_ALL = 103;
const VERB_FORWARD = 104;

/** The message facts flags come from. */
export interface FlagFacts {
  isRead?: boolean;
  isDraft?: boolean;
  flag?: { flagStatus?: string };
  categories?: string[];
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** An extended property's value, by id (case- and space-insensitive as Graph treats them). */
export function extValue(m: FlagFacts, id: string): string | undefined {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  return m.singleValueExtendedProperties?.find((p) => norm(p.id) === norm(id))?.value;
}

/** IMAP flags of a Graph message. */
export function flagsOf(m: FlagFacts): string[] {
  const out: string[] = [];
  if (m.isRead) out.push('\\Seen');
  if (m.flag?.flagStatus === 'flagged') out.push('\\Flagged');
  if (m.isDraft) out.push('\\Draft');
  const verb = Number(extValue(m, PROP.lastVerb) ?? 0);
  if (verb === VERB_REPLY || verb === VERB_REPLY_ALL) out.push('\\Answered');
  if (verb === VERB_FORWARD) out.push('$Forwarded');
  for (const c of m.categories ?? []) out.push(c);
  return out;
}

const has = (flags: string[], f: string) => flags.some((x) => x.toLowerCase() === f.toLowerCase());

/** Categories from IMAP keywords (system flags and `$` keywords are not categories). */
export function categoriesOf(flags: string[]): string[] {
  return [...new Set(flags.filter((f) => !f.startsWith('\\') && !f.startsWith('$')))];
}

/** The last verb for \Answered / $Forwarded (0 = none). */
export function lastVerbOf(flags: string[]): number {
  return has(flags, '\\Answered') ? VERB_REPLY : has(flags, '$Forwarded') ? VERB_FORWARD : 0;
}

/** The PATCH body that gives a message exactly these flags (\Draft cannot change after creation). */
export function flagPatch(flags: string[]): Record<string, unknown> {
  return {
    isRead: has(flags, '\\Seen'),
    flag: { flagStatus: has(flags, '\\Flagged') ? 'flagged' : 'notFlagged' },
    categories: categoriesOf(flags),
    singleValueExtendedProperties: [{ id: PROP.lastVerb, value: String(lastVerbOf(flags)) }],
  };
}

/** PR_MESSAGE_FLAGS at creation: read or not; unsent (a draft) only when the source message is a draft. */
export function messageFlagsOf(flags: string[]): number {
  return (has(flags, '\\Seen') ? MSGFLAG_READ : 0) | (has(flags, '\\Draft') ? MSGFLAG_UNSENT : 0);
}

/** What a Graph message keeps of these flags: a read-back after `flagPatch` shows exactly these. */
export function keptFlags(flags: string[]): string[] {
  return flagsOf({
    isRead: has(flags, '\\Seen'),
    isDraft: has(flags, '\\Draft'),
    flag: { flagStatus: has(flags, '\\Flagged') ? 'flagged' : 'notFlagged' },
    categories: categoriesOf(flags),
    singleValueExtendedProperties: [{ id: PROP.lastVerb, value: String(lastVerbOf(flags)) }],
  });
}
