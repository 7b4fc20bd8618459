/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the data behind it. Users with or
 * without an Exchange Online mailbox, folders (well-known names), messages with the properties Cutover
 * uses, extended MAPI properties, and a per-folder change log that delta queries read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { renderMime } from './emulator-mime.js';

/** Well-known folder names (Graph `mailFolders/{name}`) and the display names Exchange gives them. */
export const WELL_KNOWN: Record<string, string> = {
  inbox: 'Inbox',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
  deleteditems: 'Deleted Items',
  junkemail: 'Junk Email',
  archive: 'Archive',
  outbox: 'Outbox',
};

export interface EmAttachment {
  id: string;
  name: string;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  content: Buffer;
}

type Recipient = { emailAddress: { address: string; name?: string } };

export interface EmMessage {
  id: string;
  folderId: string;
  changeKey: string;
  lastModifiedDateTime: string;
  createdDateTime: string;
  receivedDateTime: string;
  sentDateTime?: string;
  subject?: string;
  from?: Recipient;
  toRecipients?: Recipient[];
  ccRecipients?: Recipient[];
  bccRecipients?: Recipient[];
  internetMessageId?: string;
  body: { contentType: 'html' | 'text'; content: string };
  isRead: boolean;
  isDraft: boolean;
  flag: { flagStatus: 'notFlagged' | 'flagged' | 'complete' };
  categories: string[];
  attachments: EmAttachment[];
  importance?: 'low' | 'normal' | 'high';
  /** internetMessageHeaders given at creation (x- names only). */
  customHeaders?: Array<{ name: string; value: string }>;
  /** Extended MAPI properties by normalised id ("integer 0x0e07"). */
  ext: Map<string, string>;
  /** The MIME as given (seeded, or created from MIME); absent for messages created from JSON. */
  givenMime?: Buffer;
  /** MIME rendered from the properties, dropped on every change. */
  rendered?: Buffer;
}

export interface EmFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  wellKnown?: string;
}

export interface EmUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
  assignedLicenses: Array<{ skuId: string }>;
  /** 'none' = no Exchange Online mailbox (not licensed, or not provisioned yet). */
  mailbox: 'user' | 'shared' | 'none';
  folders: Map<string, EmFolder>;
  messages: Map<string, EmMessage>;
  /** Per folder: message id → sequence number of its last change in that folder. */
  changes: Map<string, Map<string, number>>;
}

/** Normalise an extended property id for comparison ("Integer 0x0E07" → "integer 0x0e07"). */
export const extKey = (id: string) => id.trim().replace(/\s+/g, ' ').toLowerCase();

/** An id in the shape of an Exchange immutable id (opaque, base64url, long). */
export const newId = (prefix = 'AAkALg') => `${prefix}${randomBytes(30).toString('base64url')}`;

export class EmulatorStore {
  readonly users = new Map<string, EmUser>();
  private seq = 0;

  /** Current change sequence: a delta token. */
  get sequence(): number {
    return this.seq;
  }

  addUser(
    upn: string,
    opts: { mailbox?: EmUser['mailbox']; licensed?: boolean; enabled?: boolean } = {},
  ): EmUser {
    const mailbox = opts.mailbox ?? 'user';
    const user: EmUser = {
      id: createHash('sha256')
        .update(upn)
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'),
      userPrincipalName: upn,
      displayName: upn.split('@')[0]!,
      accountEnabled: opts.enabled ?? mailbox !== 'shared',
      assignedLicenses: (opts.licensed ?? mailbox === 'user') ? [{ skuId: 'emu-exchange-online' }] : [],
      mailbox,
      folders: new Map(),
      messages: new Map(),
      changes: new Map(),
    };
    const root: EmFolder = {
      id: newId('AQMkRoot'),
      displayName: 'Top of Information Store',
      parentFolderId: '',
      wellKnown: 'msgfolderroot',
    };
    user.folders.set(root.id, root);
    for (const [wk, name] of Object.entries(WELL_KNOWN)) this.addFolder(user, root.id, name, wk);
    this.users.set(upn.toLowerCase(), user);
    return user;
  }

  /** A user by UPN or id (case-insensitive UPN). */
  user(ref: string): EmUser | undefined {
    const r = decodeURIComponent(ref).toLowerCase();
    return this.users.get(r) ?? [...this.users.values()].find((u) => u.id === r);
  }

  root(user: EmUser): EmFolder {
    return [...user.folders.values()].find((f) => f.wellKnown === 'msgfolderroot')!;
  }

  /** A folder by id or well-known name. */
  folder(user: EmUser, ref: string): EmFolder | undefined {
    const r = decodeURIComponent(ref);
    return user.folders.get(r) ?? [...user.folders.values()].find((f) => f.wellKnown === r.toLowerCase());
  }

  children(user: EmUser, parentId: string): EmFolder[] {
    return [...user.folders.values()].filter((f) => f.parentFolderId === parentId);
  }

  addFolder(user: EmUser, parentId: string, displayName: string, wellKnown?: string): EmFolder {
    const f: EmFolder = { id: newId('AQMkFld'), displayName, parentFolderId: parentId, wellKnown };
    user.folders.set(f.id, f);
    user.changes.set(f.id, new Map());
    return f;
  }

  /** Folder by display-name path from the root, created when missing (test seeding). */
  folderByPath(user: EmUser, path: string[], create = true): EmFolder | undefined {
    let cur = this.root(user);
    for (const seg of path) {
      const next = this.children(user, cur.id).find((f) => f.displayName.toLowerCase() === seg.toLowerCase());
      if (!next && !create) return undefined;
      cur = next ?? this.addFolder(user, cur.id, seg);
    }
    return cur;
  }

  messagesIn(user: EmUser, folderId: string): EmMessage[] {
    return [...user.messages.values()].filter((m) => m.folderId === folderId);
  }

  /** Record a change to a message (created, updated, moved, deleted) for delta queries. */
  touch(user: EmUser, m: EmMessage, folderId = m.folderId): void {
    m.changeKey = randomBytes(8).toString('base64');
    m.lastModifiedDateTime = new Date().toISOString();
    m.rendered = undefined;
    user.changes.get(folderId)?.set(m.id, ++this.seq);
  }

  insert(user: EmUser, m: EmMessage): void {
    user.messages.set(m.id, m);
    this.touch(user, m);
  }

  remove(user: EmUser, id: string): void {
    const m = user.messages.get(id);
    if (!m) return;
    user.messages.delete(id);
    user.changes.get(m.folderId)?.set(id, ++this.seq);
  }

  /** The MIME of a message (rendered once per change for JSON-created ones). */
  mimeOf(m: EmMessage): Buffer {
    if (m.givenMime) return m.givenMime;
    m.rendered ??= renderMime(m);
    return m.rendered;
  }
}
