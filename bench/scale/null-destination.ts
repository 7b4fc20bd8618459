/**
 * The scale benchmark's destination: takes every write, reads each body to its end (and checks its size, as
 * a server checks a literal), throws the bytes away, and answers like an IMAP server with UIDPLUS — a UID per
 * message, a stable UIDVALIDITY, folder counters that grow with what was written. Folders and counters live
 * in this process's memory per user, so connections of one worker see each other's writes; listing the
 * messages gives nothing back (nothing is kept), which is why `verify` is not run against it.
 */
import { Readable } from 'node:stream';
import type {
  AppendItem,
  AppendResult,
  DestinationCapabilities,
  EnsuredFolder,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
} from '../../src/connectors/contract.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { hash } from './synthetic-messages.js';
import { ioTurn } from './synthetic-source.js';

/** What this process's destination holds per user: each folder's counters, by path. */
const mailboxes = new Map<string, Map<string, FolderState>>();

/** Messages per write: as an IMAP server with MULTIAPPEND in Cutover's default batch. */
export const NULL_BATCH = 250;

/** How many bytes a body has, read to its end. */
async function drain(body: Buffer | Readable): Promise<number> {
  if (Buffer.isBuffer(body)) return body.length;
  let n = 0;
  for await (const chunk of body) n += (chunk as Buffer).length;
  return n;
}

/** A user's destination mailbox, open for writing. */
export class NullDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities = {
    maxBatchMessages: NULL_BATCH,
    delimiter: '/',
    supportsKeywords: true,
    reservedNames: [],
  };
  private readonly folders: Map<string, FolderState>;

  constructor(private readonly user: string) {
    let f = mailboxes.get(user);
    if (!f) {
      f = new Map();
      mailboxes.set(user, f);
    }
    this.folders = f;
    this.ensure(['INBOX']);
  }

  private ensure(path: string[]): FolderState {
    const key = path.join('/');
    let s = this.folders.get(key);
    if (!s) {
      s = { uidValidity: String(hash(`${this.user}->${key}`) || 1), uidNext: 1, messages: 0 };
      this.folders.set(key, s);
    }
    return s;
  }

  async listFolders(): Promise<FolderInfo[]> {
    return [...this.folders.keys()].map((k) => ({
      path: k.split('/'),
      selectable: true,
      ...(k === 'INBOX' ? { specialUse: 'inbox' as const } : {}),
    }));
  }

  async ensureFolder(path: string[]): Promise<EnsuredFolder> {
    this.ensure(path);
    return { path };
  }

  async folderState(path: string[]): Promise<FolderState | null> {
    await ioTurn();
    const s = this.folders.get(path.join('/'));
    return s ? { ...s } : null;
  }

  // eslint-disable-next-line require-yield -- nothing is kept, so nothing is listed
  async *listMessages(): AsyncIterable<MessageMeta[]> {
    return;
  }

  async append(
    path: string[],
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
  ): Promise<AppendResult[]> {
    const s = this.folders.get(path.join('/'));
    if (!s)
      throw new PermanentError(
        ErrorCode.FolderCreateFailed,
        `The destination has no folder "${path.join('/')}".`,
        'Create the folder first (ensureFolder); this is a bug in the caller.',
      );
    const out: AppendResult[] = [];
    for await (const item of items) {
      const got = await drain(item.body);
      if (got !== item.size)
        throw new PermanentError(
          ErrorCode.ProtocolError,
          `A message announced ${item.size} bytes but sent ${got}.`,
          'The source handed over a body of the wrong size; this is a bug in the source.',
        );
      out.push({ uid: s.uidNext++, uidValidity: s.uidValidity });
      s.messages++;
    }
    await ioTurn(); // the server's answer
    return out;
  }

  async setFlags(): Promise<void> {}

  async close(): Promise<void> {}
}
