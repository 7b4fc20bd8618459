/**
 * A Microsoft 365 mailbox open for writing through Graph. One message per write (Graph has no atomic
 * multi-message create); folders by display-name path with well-known folders as special uses; keys are
 * the 48-bit digests of immutable ids. How a message is written is the project's choice (graph.writePath):
 * Graph's JSON form (graph-writer.ts), IMAP APPEND of the whole message (graph-imap.ts), or JSON with IMAP
 * for the messages whose attachments do not fit into the create request (`auto`) — adding attachments to a
 * message created as a non-draft is documented nowhere, so `auto` does not depend on it. Incomplete copies
 * left by an interrupted multi-request write are deleted when the folder is read back (they carry Cutover's
 * pending marker), unless a throttled write is still going to resume them.
 */
import type { Readable } from 'node:stream';
import type {
  AppendItem,
  AppendResult,
  DestinationCapabilities,
  EnsuredFolder,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
  NativeCheck,
  NativeImport,
} from '../contract.js';
import { ErrorCode, PermanentError, TransientError, throwIfAborted } from '../../errors.js';
import { BodySpool } from '../shared/body-spool.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { extValue, flagPatch, keptFlags, PROP } from './graph-flags.js';
import { FolderTree } from './graph-folders.js';
import { folderTag } from './graph-ids.js';
import { itemKey } from '../shared/item-key.js';
import { stampAppended, unstampedFor, withIdentity, type ImapLane } from './graph-imap.js';
import { META_EXPAND, metaOf, type GraphMessage } from './graph-meta.js';
import { EXCHANGE_ITEM, MailboxApiLink } from './graph-native.js';
import { partialsFor } from './graph-resume.js';
import { checkSize, createFromJson, planCreate, writeMessage, type CreatePlan } from './graph-writer.js';
import { readGraphMessage, type SourceIdentity } from './mime-to-graph.js';

const LIST_SELECT = 'id,internetMessageId,receivedDateTime,isRead,isDraft,flag,categories';

/** One mailbox open for writing (see the file comment). */
export class GraphDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities;
  private readonly tree: FolderTree;
  /** key → immutable id, for every message this connection listed or wrote. */
  private readonly ids = new Map<number, string>();
  private readonly link: MailboxApiLink;

  constructor(
    private readonly client: GraphClient,
    /** The IMAP session of the imap/auto write paths. */
    private readonly imap?: ImapLane,
  ) {
    this.tree = new FolderTree(client);
    this.link = new MailboxApiLink(client);
    this.capabilities = {
      maxMessageBytes: client.target.maxMessageBytes,
      maxBatchMessages: 1,
      delimiter: '/',
      supportsKeywords: true,
      reservedNames: [],
      nativeFormat: EXCHANGE_ITEM,
    };
  }

  /** The mailbox API's import permission (an import session is created as the test), probed once. */
  checkNative(signal?: AbortSignal): Promise<NativeCheck> {
    return this.link.checkImport(signal);
  }

  /**
   * Recreate items from Exchange's own form through an import session (graph-native.ts), one request each;
   * the new message's key comes from the messages API (found by Message-ID and stamped).
   */
  async importItems(path: string[], items: NativeImport[], signal?: AbortSignal): Promise<AppendResult[]> {
    const f = await this.tree.ensure(path, signal);
    const out: AppendResult[] = [];
    for (const item of items) {
      throwIfAborted(signal);
      if (item.format !== EXCHANGE_ITEM)
        throw new PermanentError(
          ErrorCode.MessageRejected,
          `${this.client.target.where}: an item in format "${item.format}" cannot be imported here.`,
        );
      const { id, adopted } = await this.link.importOne(path, f.id, item, signal);
      const uid = itemKey(id);
      this.ids.set(uid, id);
      out.push({ uid, uidValidity: folderTag(f.id), ...(adopted ? { found: true } : {}) });
    }
    return out;
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
    const partials = partialsFor(this.client.target.mailboxKey);
    for await (const page of this.client.pages<GraphMessage>(url, signal)) {
      const out: MessageMeta[] = [];
      for (const m of page) {
        if (extValue(m, PROP.pending) === '1') {
          if (!partials.holds(m.id)) incomplete.push(m.id); // else a throttled write resumes it
        } else {
          const uid = itemKey(m.id);
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
    const mode = this.client.target.writePath;
    for await (const item of items) {
      throwIfAborted(signal);
      if (item.size > this.capabilities.maxMessageBytes!) {
        await drain(item.body);
        throw new PermanentError(
          ErrorCode.MessageTooLarge,
          `${this.client.target.where}: a message of ${item.size} bytes is over the mailbox's limit of ${this.capabilities.maxMessageBytes} bytes.`,
          "Raise the mailbox's MaxReceiveSize (up to 150 MB) and graph.maxMessageBytes, or leave the message out.",
        );
      }
      const written =
        mode === 'imap'
          ? await this.viaImap(path, f.id, await withIdentity(item), signal)
          : mode === 'auto'
            ? await this.auto(path, f.id, item, signal)
            : await writeMessage(this.client, f.id, item, signal);
      const uid = itemKey(written.id);
      this.ids.set(uid, written.id);
      out.push({
        uid,
        uidValidity: folderTag(f.id),
        ...(written.altered ? { altered: written.altered } : {}),
      });
    }
    return out;
  }

  /** JSON when everything fits into the create request; else the whole message by IMAP APPEND. */
  private async auto(path: string[], folderId: string, item: AppendItem, signal?: AbortSignal) {
    // The raw message is kept while it is converted (memory, then a private temp file): IMAP may need it.
    const spool = Buffer.isBuffer(item.body) ? undefined : new BodySpool();
    const conv = await readGraphMessage(spool ? teed(item.body as Readable, spool) : item.body, signal);
    try {
      checkSize(this.client, conv.size, item.size);
      let plan: CreatePlan | undefined;
      try {
        plan = planCreate(conv, item, this.client.target.where);
      } catch (err) {
        if (!(err instanceof PermanentError && err.code === ErrorCode.MessageRejected)) throw err;
      }
      if (plan && plan.later.length === 0)
        return await createFromJson(this.client, folderId, item, conv, plan, signal);
      const raw = spool ? await spool.finish() : { size: item.size, body: item.body };
      return await this.viaImap(
        path,
        folderId,
        { item: { ...item, body: raw.body }, identity: conv.identity },
        signal,
      );
    } finally {
      await Promise.all([conv.dispose(), spool?.discard()]);
    }
  }

  /** IMAP APPEND of the whole message, then its Graph id found and stamped (graph-imap.ts). */
  private async viaImap(
    path: string[],
    folderId: string,
    { item, identity }: { item: AppendItem; identity: SourceIdentity },
    signal?: AbortSignal,
  ): Promise<{ id: string; altered?: string }> {
    if (!this.imap)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `${this.client.target.where}: no IMAP session for the IMAP write path.`,
      );
    const pending = unstampedFor(this.client.target.mailboxKey);
    const key = `${folderId}\u0000${JSON.stringify(identity)}`;
    if (pending.get(key)) {
      // APPENDed by an attempt whose stamp failed: stamp that copy, do not write another.
      try {
        const id = await stampAppended(this.client, folderId, identity, item, signal);
        pending.set(key, pending.get(key)! - 1);
        await drain(item.body);
        return { id };
      } catch (err) {
        if (!(err instanceof TransientError && err.code === ErrorCode.ProtocolError)) throw err;
        pending.delete(key); // not there after all: write it
      }
    }
    // System flags go with the APPEND; keywords become categories through Graph afterwards.
    const flags = item.flags.filter((x) => x.startsWith('\\'));
    const [result] = await this.imap.append(path, [{ ...item, flags }], signal);
    try {
      return {
        id: await stampAppended(this.client, folderId, identity, item, signal),
        altered: result?.altered,
      };
    } catch (err) {
      pending.set(key, (pending.get(key) ?? 0) + 1);
      throw err;
    }
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

  async close(): Promise<void> {
    await this.imap?.close();
  }
}

/** Read a body to its end (a message that is not written must still be consumed). */
async function drain(body: Buffer | Readable): Promise<void> {
  if (Buffer.isBuffer(body)) return;
  for await (const _ of body) void _;
}

/** The chunks of `body`, each also kept in `spool` (the file catches up before the next is read). */
async function* teed(body: Readable, spool: BodySpool): AsyncIterable<Buffer> {
  for await (const chunk of body as AsyncIterable<Buffer>) {
    await spool.put(chunk);
    yield chunk;
  }
}
