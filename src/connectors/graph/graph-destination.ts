/**
 * A Microsoft 365 mailbox open for writing through Graph. One message per write (Graph has no atomic
 * multi-message create); folders by display-name path with well-known folders as special uses; keys are
 * the 48-bit digests of immutable ids. Incomplete copies left by an interrupted multi-request write are
 * deleted when the folder is read back (they carry Cutover's pending marker).
 */
import type {
  AppendItem,
  AppendResult,
  DestinationCapabilities,
  EnsuredFolder,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
} from '../contract.js';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { extValue, flagPatch, keptFlags, PROP } from './graph-flags.js';
import { FolderTree } from './graph-folders.js';
import { folderTag, keyOf } from './graph-ids.js';
import { META_EXPAND, metaOf, type GraphMessage } from './graph-meta.js';
import { writeMessage } from './graph-writer.js';

const LIST_SELECT = 'id,internetMessageId,receivedDateTime,isRead,isDraft,flag,categories';

/** One mailbox open for writing (see the file comment). */
export class GraphDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities;
  private readonly tree: FolderTree;
  /** key → immutable id, for every message this connection listed or wrote. */
  private readonly ids = new Map<number, string>();

  constructor(private readonly client: GraphClient) {
    this.tree = new FolderTree(client);
    this.capabilities = {
      maxMessageBytes: client.target.maxMessageBytes,
      maxBatchMessages: 1,
      delimiter: '/',
      supportsKeywords: true,
      reservedNames: [],
    };
  }

  listFolders(signal?: AbortSignal): Promise<FolderInfo[]> {
    return this.tree.infos(signal);
  }

  async ensureFolder(path: string[], signal?: AbortSignal): Promise<EnsuredFolder> {
    await this.tree.ensure(path, signal);
    return { path };
  }

  async folderState(path: string[], signal?: AbortSignal): Promise<FolderState | null> {
    const f = await this.tree.find(path, signal);
    if (!f) return null;
    const now = await this.client.json<{ totalItemCount: number }>(
      'GET',
      `${userPath(this.client.target)}/mailFolders/${f.id}?$select=id,totalItemCount`,
      {},
      signal,
    );
    return { uidValidity: folderTag(f.id), uidNext: 0, messages: now.totalItemCount };
  }

  async *listMessages(path: string[], signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    const f = await this.tree.find(path, signal);
    if (!f) return;
    const url = `${userPath(this.client.target)}/mailFolders/${f.id}/messages?$select=${LIST_SELECT}&$expand=${META_EXPAND}&$top=100`;
    const incomplete: string[] = [];
    for await (const page of this.client.pages<GraphMessage>(url, signal)) {
      const out: MessageMeta[] = [];
      for (const m of page) {
        if (extValue(m, PROP.pending) === '1') incomplete.push(m.id);
        else {
          const uid = keyOf(m.id);
          this.ids.set(uid, m.id);
          out.push(metaOf(uid, m));
        }
      }
      yield out;
    }
    for (const id of incomplete)
      await this.client.json(
        'DELETE',
        `${userPath(this.client.target)}/messages/${id}`,
        { what: 'delete an incomplete copy' },
        signal,
      );
  }

  async append(
    path: string[],
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
    signal?: AbortSignal,
  ): Promise<AppendResult[]> {
    const f = await this.tree.ensure(path, signal);
    const out: AppendResult[] = [];
    for await (const item of items) {
      throwIfAborted(signal);
      if (item.size > this.capabilities.maxMessageBytes!) {
        if (!Buffer.isBuffer(item.body)) item.body.resume();
        throw new PermanentError(
          ErrorCode.MessageTooLarge,
          `${this.client.target.where}: a message of ${item.size} bytes is over the mailbox's limit of ${this.capabilities.maxMessageBytes} bytes.`,
          "Raise the mailbox's MaxReceiveSize (up to 150 MB) and graph.maxMessageBytes, or leave the message out.",
        );
      }
      const id = await writeMessage(this.client, f.id, item, signal);
      const uid = keyOf(id);
      this.ids.set(uid, id);
      out.push({ uid, uidValidity: folderTag(f.id) });
    }
    return out;
  }

  async setFlags(path: string[], uids: number[], flags: string[], signal?: AbortSignal): Promise<void> {
    if (uids.some((u) => !this.ids.has(u)))
      for await (const page of this.listMessages(path, signal)) void page;
    const body = flagPatch(flags);
    const base = userPath(this.client.target);
    const known = uids.filter((u) => this.ids.has(u));
    // Four PATCHes per $batch round trip (each counts against the mailbox's limit of 4).
    for (let i = 0; i < known.length; i += 4) {
      const part = known.slice(i, i + 4);
      const answers = await this.client.batch(
        part.map((u) => ({ method: 'PATCH', url: `${base}/messages/${this.ids.get(u)}`, body })),
        signal,
      );
      const bad = answers.find((a) => a.status >= 300 && a.status !== 404);
      if (bad) throw this.client.batchFailure(bad, 'update flags');
    }
  }

  /**
   * What a read-back shows of these flags. Bodies are not read back (no `streamBodies`): Exchange keeps the
   * message as MAPI properties and renders MIME anew, so its bytes never equal what was written.
   */
  keptFlags(_path: string[], flags: string[]): string[] {
    return keptFlags(flags);
  }

  async close(): Promise<void> {}
}
