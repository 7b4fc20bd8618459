/**
 * Which folder names can be Gmail labels, and where a folder goes when its name cannot.
 *
 * "System label names are reserved; no USER label can be created with the same name as any SYSTEM label"
 * (Gmail API guide, Manage labels): labels.create answers 400 "Invalid label name" for them, for a name
 * nested under one ("INBOX/Receipts", "Sent/2019"), for names the Gmail interface shows for system labels
 * and a few more that public reports name (Muted, Migrated, Archive, Todo, Voicemail: got-your-back #82,
 * #350, lieer's notes), and for the system names in the account's language ("Enviado", "Gearchiveerd":
 * got-your-back #135, #429, #442), which cannot be listed here.
 *
 * The mapping (the same one the planner applies from `GMAIL_FOLDER_NAMING`, so scan, plan and pass agree):
 * - a folder inside INBOX becomes a top-level label: 'INBOX/Receipts' → 'Receipts' (Cyrus and Courier list
 *   every folder under `INBOX.`; the IMAP source already reads them as top-level folders);
 * - a folder inside Sent, Drafts, Trash or Spam goes under that name with '_': 'Sent/2019' → 'Sent_/2019';
 * - a reserved top-level name gets '_' appended: 'Starred' → 'Starred_', 'Muted/Old' → 'Muted_/Old'
 *   (got-your-back's practice is a '_' prefix; a suffix keeps the folder where it sorts);
 * - a name Gmail still refuses (a localised system name) gets '_' appended when labels.create refuses it.
 */
import type { FolderNaming } from '../contract.js';

/** Gmail's system folders as a Gmail destination lists them. */
const SYSTEM_TOP = ['INBOX', 'Sent', 'Drafts', 'Trash', 'Spam'];

/** Top-level names user labels cannot take (compared case-insensitively). */
export const GMAIL_RESERVED_TOP = [
  ...SYSTEM_TOP,
  'Draft',
  'Starred',
  'Important',
  'Unread',
  'Chat',
  'Chats',
  'All Mail',
  'AllMail',
  'Snoozed',
  'Scheduled',
  'Muted',
  'Migrated',
  'Archive',
  'Archived',
  'Todo',
  'Voicemail',
  'Bin',
];

/** What the planner must know about Gmail labels before any connection. */
export const GMAIL_FOLDER_NAMING: FolderNaming = {
  reservedTopNames: GMAIL_RESERVED_TOP,
  noSubfolders: ['inbox', 'sent', 'drafts', 'trash', 'junk'],
  specialUse: { inbox: ['INBOX'], sent: ['Sent'], drafts: ['Drafts'], trash: ['Trash'], junk: ['Spam'] },
};

const q = (p: string[]) => `'${p.join('/')}'`;
const isReservedTop = (s: string) => GMAIL_RESERVED_TOP.some((r) => r.toLowerCase() === s.toLowerCase());

/** The name with '_' appended until it is not reserved. */
export function unreserved(name: string): string {
  let s = name;
  while (isReservedTop(s)) s += '_';
  return s;
}

/** Where a folder path can live as a Gmail label, and why it moved when it did. */
export function gmailLabelPath(path: string[]): { path: string[]; renamed?: string } {
  const [top = '', ...rest] = path;
  const system = SYSTEM_TOP.find((s) => s.toLowerCase() === top.toLowerCase());
  if (system === 'INBOX' && rest.length > 0) {
    const inner = gmailLabelPath(rest); // 'INBOX/Sent/x': 'Sent/x' cannot be a label either
    const why = `${q(path)} cannot be a Gmail label (INBOX holds no labels)`;
    return { path: inner.path, renamed: `${why}; it is the top-level label ${q(inner.path)}` };
  }
  if (system && rest.length > 0) {
    const moved = [unreserved(`${system}_`), ...rest];
    return {
      path: moved,
      renamed: `${q(path)} cannot be a Gmail label (${system} holds no labels); it is the label ${q(moved)}`,
    };
  }
  if (!system && isReservedTop(top)) {
    const moved = [unreserved(top), ...rest];
    return { path: moved, renamed: `'${top}' is a name Gmail reserves; the label is ${q(moved)}` };
  }
  return { path };
}
