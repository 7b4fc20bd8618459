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
  EnsuredFolder,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
  StreamedMessage,
} from '../contract.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { AppendWriter } from './append-writer.js';
import { mapImapError } from './imap-errors.js';
import { ImapFolderReader, stateOf, toSequenceSet } from './imap-folder-reader.js';
import { ExactReader } from './exact-reader.js';
import { FolderCreator } from './folder-create.js';
import { closeImap, delimiterOf, fullName, listFolders, refusalOf, wireName } from './imap-session.js';
import type { RawFetcher } from './raw-fetcher.js';
import { RawFolderReader } from './raw-folder-reader.js';

/**
 * Messages per MULTIAPPEND command: big enough to amortise the server's commit (Dovecot's index work per
 * commit grows with the folder), small enough to retry. Tunable with CUTOVER_APPEND_BATCH.
 */
export const MULTIAPPEND_BATCH = Number(process.env.CUTOVER_APPEND_BATCH) || 250;

export class ImapDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities;
  private readonly folders: FolderCreator;
  private fetcher: RawFetcher | undefined;

  constructor(
    private readonly client: ImapFlow,
    private readonly writer: AppendWriter,
    private readonly where: string,
    supportsKeywords: boolean,
    /** Opens the raw connection stored bodies are read back over (only `verify --deep` needs it). */
    private readonly openFetcher: () => Promise<RawFetcher>,
  ) {
    this.folders = new FolderCreator(client, (name) => writer.createFolder(name), where);
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
    this.folders.learn(list);
    return list;
  }

  /** Folders will be written soon: learn which exist now, so the first one needs no LIST of its own. */
  warmUp(): void {
    this.folders.warmUp();
  }

  ensureFolder(path: string[], signal?: AbortSignal): Promise<EnsuredFolder> {
    return this.folders.ensure(path, signal);
  }

  async folderState(path: string[]): Promise<FolderState | null> {
    if (!(await this.folders.exists(path))) return null;
    try {
      const r = await refusalOf(this.client, () =>
        this.client.status(fullName(this.client, path), { messages: true, uidNext: true, uidValidity: true }),
      );
      if (!('value' in r)) throw r.refused ?? new Error('STATUS failed');
      const s = r.value;
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
    const sent: Array<{ date: Date; size: number; nul: boolean }> = [];
    async function* noted(): AsyncIterable<AppendItem> {
      for await (const item of items) {
        const nul = Buffer.isBuffer(item.body) && item.body.includes(0);
        sent.push({ date: item.internalDate, size: item.size, nul });
        yield item;
      }
    }
    const results = await this.writer.append(wire, noted(), this.capabilities.supportsKeywords, signal);
    // What a server may store differently from what it was sent: an INTERNALDATE in the future (Dovecot
    // puts the time of the APPEND instead) and a message with NUL bytes (Dovecot re-encodes binary parts
    // as base64). Those few are read back, and what changed is said on their result.
    const soon = new Date(Date.now() + 60_000);
    const check = results.flatMap((r, i) =>
      r.uid !== undefined && (sent[i]!.date > soon || sent[i]!.nul) ? [i] : [],
    );
    if (check.length) await this.noteChanges(path, results, sent, check);
    return results;
  }

  /** Read back the internal date and size of `which` results; what the server changed is noted on the result. */
  private async noteChanges(
    path: string[],
    results: AppendResult[],
    sent: Array<{ date: Date; size: number }>,
    which: number[],
  ): Promise<void> {
    await this.select(path, true);
    const uids = which.map((i) => results[i]!.uid!);
    let got: Awaited<ReturnType<ImapFlow['fetchAll']>>;
    try {
      got = await this.client.fetchAll(
        toSequenceSet([...uids].sort((a, b) => a - b)),
        { uid: true, internalDate: true, size: true },
        { uid: true },
      );
    } catch (err) {
      throw mapImapError(err, this.where);
    }
    const stored = new Map(got.map((m) => [m.uid, m]));
    for (const i of which) {
      const now = stored.get(results[i]!.uid!);
      if (!now) continue;
      const notes: string[] = [];
      const date = now.internalDate ? new Date(now.internalDate) : undefined;
      if (date && Math.abs(date.getTime() - sent[i]!.date.getTime()) >= 1000)
        notes.push(
          `the destination set the internal date to ${date.toISOString()} instead of ${sent[i]!.date.toISOString()}, which is in the future`,
        );
      if (now.size !== undefined && now.size !== sent[i]!.size)
        notes.push(
          `the destination stored it re-encoded (${sent[i]!.size} → ${now.size} bytes; it does not keep NUL bytes in binary parts as they are)`,
        );
      if (notes.length)
        results[i] = { ...results[i]!, altered: [results[i]!.altered, ...notes].filter(Boolean).join('; ') };
    }
  }

  async setFlags(path: string[], uids: number[], flags: string[]): Promise<void> {
    await this.select(path, false);
    let r: Awaited<ReturnType<typeof refusalOf<true>>>;
    try {
      r = await refusalOf(this.client, () =>
        this.client.messageFlagsSet(toSequenceSet([...uids].sort((a, b) => a - b)), flags, { uid: true }),
      );
    } catch (err) {
      throw mapImapError(err, this.where);
    }
    // imapflow reports a refused STORE by returning false: a swallowed false is a lost flag change.
    if (!('value' in r)) {
      // A busy or throttling server, a dropped connection: retried, not a refusal.
      const why = mapImapError(r.refused ?? {}, this.where);
      if (why.code !== ErrorCode.ProtocolError) throw why;
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${this.where}: the server refused to set flags on "${path.join('/')}".`,
      );
    }
  }

  /** Stored bodies over the raw connection, read-only (EXAMINE, BODY.PEEK: \\Seen stays as it is). */
  async *streamBodies(path: string[], uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    if (!this.fetcher?.usable) this.fetcher = await this.openFetcher();
    // Read back as a source would serve it: NUL bytes hidden in BODY[] are read again through BINARY.
    const exact = this.client.capabilities.has('BINARY')
      ? new ExactReader(this.client, fullName(this.client, path), this.where)
      : undefined;
    const reader = await RawFolderReader.open(this.fetcher, wireName(this.client, path), exact);
    yield* reader.streamBodies(uids, signal);
  }

  async close(): Promise<void> {
    await Promise.all([closeImap(this.client), this.writer.close(), this.fetcher?.close()]);
  }

  private async select(path: string[], readOnly: boolean): Promise<ImapFolderReader> {
    try {
      const mb = await this.client.mailboxOpen(fullName(this.client, path), { readOnly });
      return new ImapFolderReader(this.client, stateOf(mb), `${this.where} folder "${path.join('/')}"`);
    } catch (err) {
      throw mapImapError(err, this.where);
    }
  }
}
