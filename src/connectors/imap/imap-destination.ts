/**
 * An IMAP mailbox open for writing: imapflow for folders, flags and reading back what is there;
 * the AppendWriter for the bodies (streamed, MULTIAPPEND-batched); for `verify --deep`, a raw read-only
 * connection (opened on first use) that streams stored bodies back like a source does.
 */
import type { ImapFlow } from 'imapflow';
import type {
  AppendItem,
  AppendResult,
  DestinationCapabilities,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
  StreamedMessage,
} from '../contract.js';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { AppendWriter } from './append-writer.js';
import { mapImapError } from './imap-errors.js';
import { ImapFolderReader, stateOf, toSequenceSet } from './imap-folder-reader.js';
import { closeImap, delimiterOf, listFolders, wireName } from './imap-session.js';
import type { RawFetcher } from './raw-fetcher.js';
import { RawFolderReader } from './raw-folder-reader.js';

/**
 * Messages per MULTIAPPEND command: big enough to amortise the server's commit (Dovecot's index work per
 * commit grows with the folder), small enough to retry. Tunable with CUTOVER_APPEND_BATCH.
 */
export const MULTIAPPEND_BATCH = Number(process.env.CUTOVER_APPEND_BATCH) || 250;

export class ImapDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities;
  private known = new Set<string>();
  private fetcher: RawFetcher | undefined;

  constructor(
    private readonly client: ImapFlow,
    private readonly writer: AppendWriter,
    private readonly where: string,
    supportsKeywords: boolean,
    /** Opens the raw connection stored bodies are read back over (only `verify --deep` needs it). */
    private readonly openFetcher: () => Promise<RawFetcher>,
  ) {
    this.capabilities = {
      maxMessageBytes: writer.appendLimit,
      maxBatchMessages: writer.capabilities.has('MULTIAPPEND') ? MULTIAPPEND_BATCH : 1,
      delimiter: delimiterOf(client),
      supportsKeywords,
      reservedNames: [],
    };
  }

  async listFolders(): Promise<FolderInfo[]> {
    const list = await listFolders(this.client, this.where);
    for (const f of list) this.known.add(f.path.join('\u0000'));
    return list;
  }

  async ensureFolder(path: string[], signal?: AbortSignal): Promise<void> {
    if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return;
    if (this.known.size === 0) await this.listFolders();
    for (let depth = 1; depth <= path.length; depth++) {
      throwIfAborted(signal);
      const sub = path.slice(0, depth);
      const key = sub.join('\u0000');
      if (this.known.has(key) || (depth === 1 && sub[0]!.toUpperCase() === 'INBOX')) continue;
      try {
        await this.client.mailboxCreate(sub);
      } catch (err) {
        const text = String((err as { responseText?: string }).responseText ?? (err as Error).message);
        if (!/ALREADYEXISTS|already exists/i.test(text))
          throw new PermanentError(
            ErrorCode.FolderCreateFailed,
            `${this.where}: cannot create folder "${sub.join('/')}": ${text}`,
            'Check the folder name rules of the destination; add a folder mapping rule to rename it.',
            { cause: err },
          );
      }
      this.known.add(key);
    }
  }

  async folderState(path: string[]): Promise<FolderState | null> {
    if (this.known.size === 0) await this.listFolders();
    if (!this.known.has(path.join('\u0000')) && path.join('/').toUpperCase() !== 'INBOX') return null;
    try {
      const s = await this.client.status(path, { messages: true, uidNext: true, uidValidity: true });
      if (!s) throw new Error('STATUS failed');
      return { uidValidity: String(s.uidValidity), uidNext: s.uidNext ?? 0, messages: s.messages ?? 0 };
    } catch (err) {
      throw mapImapError(err, this.where);
    }
  }

  async *listMessages(path: string[], signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    const reader = await this.select(path, true);
    yield* reader.listMessages({}, signal);
  }

  async append(
    path: string[],
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
    signal?: AbortSignal,
  ): Promise<AppendResult[]> {
    const wire = wireName(this.client, path);
    return this.writer.append(wire, items, this.capabilities.supportsKeywords, signal);
  }

  async setFlags(path: string[], uids: number[], flags: string[]): Promise<void> {
    await this.select(path, false);
    let ok: boolean;
    try {
      ok = await this.client.messageFlagsSet(toSequenceSet([...uids].sort((a, b) => a - b)), flags, {
        uid: true,
      });
    } catch (err) {
      throw mapImapError(err, this.where);
    }
    // imapflow reports a refused STORE by returning false: a swallowed false is a lost flag change.
    if (!ok)
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${this.where}: the server refused to set flags on "${path.join('/')}".`,
      );
  }

  /** Stored bodies over the raw connection, read-only (EXAMINE, BODY.PEEK: \\Seen stays as it is). */
  async *streamBodies(path: string[], uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    if (!this.fetcher?.usable) this.fetcher = await this.openFetcher();
    const reader = await RawFolderReader.open(this.fetcher, wireName(this.client, path));
    yield* reader.streamBodies(uids, signal);
  }

  async close(): Promise<void> {
    await Promise.all([closeImap(this.client), this.writer.close(), this.fetcher?.close()]);
  }

  private async select(path: string[], readOnly: boolean): Promise<ImapFolderReader> {
    try {
      const mb = await this.client.mailboxOpen(path, { readOnly });
      return new ImapFolderReader(this.client, stateOf(mb), `${this.where} folder "${path.join('/')}"`);
    } catch (err) {
      throw mapImapError(err, this.where);
    }
  }
}
