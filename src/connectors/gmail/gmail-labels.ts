/**
 * Gmail labels ↔ folders. Gmail has labels, not folders: a message may carry several. As a source each
 * message is put in exactly one folder, by this documented precedence:
 *
 *   TRASH > SPAM > DRAFT > INBOX > user labels (by name) > SENT > Archive (no folder label at all)
 *
 * and the folder labels it also carried are recorded as IMAP keywords on that copy (where the destination
 * keeps keywords): a user label as its name (characters an IMAP atom cannot hold written as `&…-` runs,
 * like modified UTF-7 — reversible, so a Gmail destination turns them back into the label), a system one as
 * `$Inbox`, `$Sent`...; IMPORTANT as `$Important`. UNREAD and STARRED are the flags \Seen (absent) and
 * \Flagged; DRAFT also gives \Draft. CATEGORY_* and CHAT are views, not folders: ignored.
 */
import type { SpecialUse } from '../special-use.js';
import { GMAIL_RESERVED_TOP } from './gmail-label-names.js';

/** A system label that is a folder. */
interface SystemFolder {
  id: string;
  path: string[];
  use: SpecialUse;
  keyword: string;
}

/** System labels that are folders, in precedence order (INBOX sits between DRAFT and the user labels). */
export const SYSTEM_FOLDERS: SystemFolder[] = [
  { id: 'TRASH', path: ['Trash'], use: 'trash', keyword: '$Trash' },
  { id: 'SPAM', path: ['Spam'], use: 'junk', keyword: '$Spam' },
  { id: 'DRAFT', path: ['Drafts'], use: 'drafts', keyword: '$Draft' },
  { id: 'INBOX', path: ['INBOX'], use: 'inbox', keyword: '$Inbox' },
  { id: 'SENT', path: ['Sent'], use: 'sent', keyword: '$Sent' },
];
/** Where messages with no folder label (archived: only in "All Mail") go. */
export const ARCHIVE_PATH = ['Archive'];
const BEFORE_USER = new Set(['TRASH', 'SPAM', 'DRAFT', 'INBOX']);

/** The system label a folder path names at a Gmail destination (by special use or by name). */
export function systemLabelFor(path: string[]): string | undefined {
  if (path.length !== 1) return undefined;
  const name = path[0]!.toUpperCase();
  return SYSTEM_FOLDERS.find((f) => f.id === name || f.path[0]!.toUpperCase() === name)?.id;
}

/** Labels that are flags or views, never folders. */
export function isFolderLabel(label: { id: string; type?: string }): boolean {
  if (label.type === 'user') return true;
  return SYSTEM_FOLDERS.some((f) => f.id === label.id);
}

/** A user label's name as a folder path ("Clients/ACME" → ["Clients", "ACME"]). */
export const labelPath = (name: string): string[] => name.split('/').filter((s) => s !== '');

/**
 * Longest keyword recorded. RFC 3501 sets no limit, but Dovecot (mail_max_keyword_length, default 50)
 * refuses the whole APPEND over it: a longer label is not recorded rather than fail its message.
 */
export const MAX_KEYWORD_LENGTH = 50;

/** An IMAP keyword (an atom) recording a label. */
export function labelKeyword(label: { id: string; name: string; type?: string }): string {
  const sys = SYSTEM_FOLDERS.find((f) => f.id === label.id);
  if (sys) return sys.keyword;
  if (label.id === 'IMPORTANT') return '$Important';
  return encodeKeyword(label.name);
}

// Characters an IMAP atom can hold as they are (RFC 3501 ATOM-CHAR), less '&' which starts an encoded run.
const ATOM_SAFE = /^[!#$'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]$/;

/** A label name as an IMAP keyword: unsafe characters as "&" + base64 (',' for '/') of UTF-16BE + "-". */
export function encodeKeyword(name: string): string {
  let out = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    out += `&${Buffer.from(run, 'utf16le').swap16().toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = '';
  };
  for (const ch of name) {
    if (ch === '&') {
      flush();
      out += '&-';
    } else if (ATOM_SAFE.test(ch)) {
      flush();
      out += ch;
    } else run += ch;
  }
  flush();
  return out;
}

/** The label name a keyword written by encodeKeyword stands for (other keywords: themselves). */
export function decodeKeyword(keyword: string): string {
  return keyword.replace(/&([A-Za-z0-9+,]*)-/g, (_, b64: string) => {
    if (b64 === '') return '&';
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    return bytes.length % 2 ? _ : Buffer.from(bytes).swap16().toString('utf16le');
  });
}

/**
 * The folder label a message is filed under: the first of its folder labels by precedence, undefined for
 * Archive. `userOrder` compares user label ids by name.
 */
export function chooseFolderLabel(
  labelIds: string[],
  isUser: (id: string) => boolean,
  userName: (id: string) => string,
): string | undefined {
  for (const f of SYSTEM_FOLDERS) if (BEFORE_USER.has(f.id) && labelIds.includes(f.id)) return f.id;
  const users = labelIds.filter(isUser).sort((a, b) => (userName(a) < userName(b) ? -1 : 1));
  if (users.length) return users[0];
  return labelIds.includes('SENT') ? 'SENT' : undefined;
}

/** IMAP flags of a message from its labels, given the label it was filed under. */
export function flagsFromLabels(
  labelIds: string[],
  filedUnder: string | undefined,
  labelOf: (id: string) => { id: string; name: string; type?: string } | undefined,
): string[] {
  const flags: string[] = [];
  if (!labelIds.includes('UNREAD')) flags.push('\\Seen');
  if (labelIds.includes('STARRED')) flags.push('\\Flagged');
  if (labelIds.includes('DRAFT')) flags.push('\\Draft');
  for (const id of labelIds) {
    if (id === filedUnder) continue;
    const l = labelOf(id);
    const kw = l && (isFolderLabel(l) || id === 'IMPORTANT') ? labelKeyword(l) : undefined;
    if (kw && kw.length <= MAX_KEYWORD_LENGTH) flags.push(kw);
  }
  return flags;
}

/** System labels nobody may add or remove (Gmail API guide: "Can be manually applied: no"). */
export const NOT_MANUAL = new Set(['SENT', 'DRAFT']);

/** System labels a keyword stands for when it is applied at a Gmail destination. */
const KEYWORD_SYSTEM: Record<string, string> = { $inbox: 'INBOX', $sent: 'SENT', $important: 'IMPORTANT' };
/** Keywords clients set for their own bookkeeping: never labels. */
const NOT_LABELS = new Set(['junk', 'nonjunk', 'notjunk']);

/**
 * The label an IMAP keyword becomes at a Gmail destination: `$Inbox`/`$Sent`/`$Important` their system
 * labels, other `$…` keywords (`$Forwarded`, `$MDNSent`, `$label1`…) none, any other keyword a user label
 * of that name (modified UTF-7 decoded), so the labels a Gmail source recorded as keywords come back.
 */
export function labelForKeyword(keyword: string): { system: string } | { user: string } | undefined {
  if (keyword.startsWith('\\')) return undefined;
  const sys = KEYWORD_SYSTEM[keyword.toLowerCase()];
  if (sys) return { system: sys };
  if (keyword.startsWith('$') || NOT_LABELS.has(keyword.toLowerCase())) return undefined;
  const name = decodeKeyword(keyword);
  return labelPath(name).length ? { user: labelPath(name).join('/') } : undefined;
}

/** Flags of a message at a Gmail destination: \Seen, \Flagged, \Draft, and its other labels as keywords. */
export function destinationFlags(
  labelIds: string[],
  folderLabel: string,
  labelOf: (id: string) => { id: string; name: string; type?: string } | undefined,
): string[] {
  const flags = flagsFromLabels(labelIds, folderLabel, labelOf);
  // DRAFT, TRASH and SPAM are folders a destination writes to, never added as keywords.
  return flags.filter((f) => !['$Draft', '$Trash', '$Spam'].includes(f));
}

/** Top-level names Gmail keeps for itself (user labels cannot take them; see gmail-label-names.ts). */
export const GMAIL_RESERVED = GMAIL_RESERVED_TOP;

/**
 * What a read-back of a message written to the folder `path` shows of the flags it was written with:
 * \\Seen and \\Flagged (UNREAD, STARRED), \\Draft only in Drafts, and each keyword that became a label, as
 * that label reads back — except the folder's own label, SENT (never applied by hand) and names a read-back
 * leaves out (too long). A message in Drafts is a Gmail draft: read, \\Draft, nothing else.
 */
export function keptFlags(flags: string[], path: string[]): string[] {
  const folder = systemLabelFor(path) ?? `user:${path.join('/').toLowerCase()}`;
  const has = (f: string) => flags.some((x) => x.toLowerCase() === f.toLowerCase());
  // A draft (drafts.create) takes no labels: it reads back read, as a draft, and nothing else.
  if (folder === 'DRAFT') return ['\\Seen', '\\Draft'];
  const out: string[] = [];
  if (has('\\Seen')) out.push('\\Seen');
  if (has('\\Flagged')) out.push('\\Flagged');
  for (const f of flags) {
    const target = labelForKeyword(f);
    if (!target) continue;
    if ('system' in target) {
      if (target.system !== folder && !NOT_MANUAL.has(target.system))
        out.push(SYSTEM_FOLDERS.find((s) => s.id === target.system)?.keyword ?? '$Important');
      continue;
    }
    const label = labelPath(target.user);
    const top = label[0]!.toLowerCase();
    if (systemLabelFor(label) || GMAIL_RESERVED.some((r) => r.toLowerCase() === top)) continue;
    const kw = encodeKeyword(label.join('/'));
    if (kw.length <= MAX_KEYWORD_LENGTH && `user:${label.join('/').toLowerCase()}` !== folder) out.push(kw);
  }
  return [...new Set(out)];
}
