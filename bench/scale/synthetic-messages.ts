/**
 * The synthetic corpus of the scale benchmark: every message is a pure function of (mailbox, folder, uid),
 * 1–4 KB, with a Message-ID, a Date and flags, so any process that asks for it gets the same bytes and the
 * same metadata (a retry, another worker, a later delta pass) without anything being stored.
 */
import type { FolderInfo, FolderState, MessageMeta } from '../../src/connectors/contract.js';

/** How big every synthetic mailbox is: `folders` folders, `items` messages spread over them. */
export interface SyntheticShape {
  folders: number;
  items: number;
}

/** The mailbox's folders: INBOX, then Folder-02 … Folder-NN. */
export function syntheticFolders(shape: SyntheticShape): FolderInfo[] {
  return Array.from({ length: shape.folders }, (_, i) => ({
    path: [i === 0 ? 'INBOX' : `Folder-${String(i + 1).padStart(2, '0')}`],
    selectable: true,
  }));
}

/** The messages in the folder at `index` (INBOX takes the remainder). */
export function messagesIn(shape: SyntheticShape, index: number): number {
  const each = Math.floor(shape.items / shape.folders);
  return index === 0 ? shape.items - each * (shape.folders - 1) : each;
}

/** A folder's counters: the same on every pass, so an unchanged delta pass recognises it (modseq included). */
export function syntheticState(shape: SyntheticShape, user: string, index: number): FolderState {
  const n = messagesIn(shape, index);
  return {
    uidValidity: String(hash(`${user}/${index}`) || 1),
    uidNext: n + 1,
    messages: n,
    highestModseq: '1',
  };
}

/** 32-bit FNV-1a: cheap, stable, enough to vary sizes and words. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const BASE_MS = Date.UTC(2024, 0, 1);

/** The metadata of message `uid` (no body built). */
export function syntheticMeta(user: string, folder: number, uid: number): MessageMeta {
  const h = hash(`${user}/${folder}/${uid}`);
  const date = new Date(BASE_MS + uid * 3_600_000 + folder * 60_000);
  return {
    uid,
    size: 1024 + (h % 3072),
    internalDate: date,
    flags: uid % 3 === 0 ? [] : uid % 7 === 0 ? ['\\Seen', '\\Flagged'] : ['\\Seen'],
    messageId: `${uid}.${folder}.${user}@synthetic.invalid`,
    dateHeader: date.toUTCString().replace('GMT', '+0000'),
  };
}

const WORDS = [
  'ledger',
  'folder',
  'cutover',
  'mailbox',
  'pass',
  'delta',
  'worker',
  'queue',
  'store',
  'tracker',
];

/** The bytes of message `uid`: headers, then text lines up to exactly `syntheticMeta(…).size` bytes. */
export function syntheticBody(user: string, folder: number, uid: number): Buffer {
  const meta = syntheticMeta(user, folder, uid);
  const head =
    `Message-ID: <${meta.messageId}>\r\n` +
    `Date: ${meta.dateHeader}\r\n` +
    `From: sender${uid % 17}@synthetic.invalid\r\n` +
    `To: ${user}@synthetic.invalid\r\n` +
    `Subject: synthetic message ${uid} in folder ${folder}\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  const out = Buffer.alloc(meta.size, 0x20);
  let at = out.write(head, 'latin1');
  for (let line = 0, h = meta.size; at < meta.size - 2; line++) {
    h = Math.imul(h ^ line, 0x01000193) >>> 0;
    const text = `${WORDS[h % WORDS.length]} ${line} ${WORDS[(h >>> 8) % WORDS.length]}\r\n`;
    at += out.write(text.slice(0, Math.max(0, meta.size - 2 - at)), at, 'latin1');
  }
  out.write('\r\n', meta.size - 2, 'latin1');
  return out;
}
