/**
 * An IMAP mailbox open for writing: imapflow for folders, flags and reading back what is there;
 * the AppendWriter for the bodies (streamed, MULTIAPPEND-batched).
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
} from '../contract.js';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { AppendWriter } from './append-writer.js';
import { mapImapError } from './imap-errors.js';
import { ImapFolderReader, stateOf, toSequenceSet } from './imap-folder-reader.js';
import { closeImap, delimiterOf, lastRefusal, listFolders, wireName } from './imap-session.js';

/**
 * Messages per MULTIAPPEND command: big enough to amortise the server's commit (Dovecot's index work per
 * commit grows with the folder), small enough to retry. Tunable with CUTOVER_APPEND_BATCH.
 */
export const MULTIAPPEND_BATCH = Number(process.env.CUTOVER_APPEND_BATCH) || 250;

export class ImapDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities;
  private known = new Set<string>();

  constructor(
    private readonly client: ImapFlow,
    private readonly writer: AppendWriter,
    private readonly where: string,
    supportsKeywords: boolean,
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
        // A dropped connection, a BYE, throttling, an unavailable server: not about the name, retried.
        const mapped = mapImapError(err, this.where);
        if (mapped.code !== ErrorCode.ProtocolError) throw mapped;
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
      if (!s) throw lastRefusal(this.client) ?? new Error('STATUS failed');
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
    if (!ok) {
      // A busy or throttling server, a dropped connection: retried, not a refusal.
      const why = mapImapError(lastRefusal(this.client) ?? {}, this.where);
      if (why.code !== ErrorCode.ProtocolError) throw why;
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${this.where}: the server refused to set flags on "${path.join('/')}".`,
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([closeImap(this.client), this.writer.close()]);
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
