/**
 * The engine's native-item path for Microsoft 365 → Microsoft 365, on Graph's mailbox import/export API
 * (graph-mailbox-api.ts). The engine lists, keys and fingerprints messages through the messages API; this
 * file joins the two APIs:
 * - folders by display-name path (the mailbox API has its own folder ids);
 * - items by Internet Message-ID: mailboxItem documents `$expand=singleValueExtendedProperties` (mailboxitem
 *   resource, "Get single-value property"), so each item's PidTagInternetMessageId (String 0x1035,
 *   [MS-OXPROPS]) is read with the folder listing. No relation between the two APIs' item ids is
 *   documented, so none is assumed. A message without a Message-ID, or whose Message-ID is not unique in the
 *   folder, is not paired: the engine copies it through the ordinary path and says so.
 * - after an import, the new message is found by Message-ID in the destination folder through the messages
 *   API and stamped with the source's identity, like a message written by IMAP (graph-imap.ts).
 */
import type { MessageMeta, NativeCheck, NativeImport, NativeItem } from '../contract.js';
import { ErrorCode, PermanentError, TransientError } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { stampAppended } from './graph-imap.js';
import {
  canImportExport,
  exportItems,
  ImportSession,
  mailboxFolders,
  primaryMailboxId,
  type MailboxFolder,
} from './graph-mailbox-api.js';
import type { SourceIdentity } from './mime-to-graph.js';

/** The format name both Graph sides declare: Exchange's own item stream. */
export const EXCHANGE_ITEM = 'exchange-item';
/** PidTagInternetMessageId as Graph names an extended property. */
const MSGID_PROP = 'String 0x1035';

const norm = (s: string) => s.normalize('NFC').toLowerCase();
const bare = (id: string) => id.replace(/^\s*<|>\s*$/g, '').replace(/\s+/g, '');

/** The pairing of one open folder, made on first export and kept while the folder is open. */
export interface PairMemo {
  byMsgId?: Map<string, string[]>;
}

interface ListedItem {
  id: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** One mailbox as the mailbox API sees it: its id and its folders by display-name path. */
export class MailboxApiLink {
  private mbx?: string;
  private folders?: Map<string, string>;
  private session?: ImportSession;

  constructor(private readonly client: GraphClient) {}

  /** The mailbox id (settings/exchange), read once. */
  async mailbox(signal?: AbortSignal): Promise<string> {
    this.mbx ??= await primaryMailboxId(this.client, this.client.target.user, signal);
    return this.mbx;
  }

  /** The mailbox-API folder id of a display-name path (re-read once when not found). */
  async folderId(path: string[], signal?: AbortSignal): Promise<string> {
    const key = path.map(norm).join('\u0000');
    if (!this.folders?.has(key))
      this.folders = pathsOf(await mailboxFolders(this.client, await this.mailbox(signal), signal));
    const id = this.folders.get(key);
    if (!id)
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${this.client.target.where}: the mailbox API lists no folder "${path.join('/')}".`,
        'The folder was renamed or deleted meanwhile; the next pass sees the new tree.',
      );
    return id;
  }

  /** Source side: may this app list folders and items and export them? One probe of each, once. */
  async checkExport(signal?: AbortSignal): Promise<NativeCheck> {
    return probe(
      this.client,
      'MailboxFolder.Read.All, MailboxItem.Read.All and MailboxItem.Export.All',
      async () => {
        const mbx = await this.mailbox(signal);
        // A real item of the first folder that has one (an id of no item may be refused as malformed).
        const full = (await mailboxFolders(this.client, mbx, signal)).find((f) => f.totalItemCount > 0);
        if (!full) return; // nothing to export
        const r = await this.client.json<{ value: Array<{ id: string }> }>(
          'GET',
          `${itemsPath(mbx, full.id)}?$top=1`,
          { what: 'GET items' },
          signal,
        );
        if (r.value[0]) await exportItems(this.client, mbx, [r.value[0].id], signal);
      },
    );
  }

  /** Destination side: may this app create import sessions and list folders? */
  async checkImport(signal?: AbortSignal): Promise<NativeCheck> {
    let session: NativeCheck = { ok: true };
    const folders = await probe(this.client, 'MailboxFolder.Read.All', async () => {
      const mbx = await this.mailbox(signal);
      session = await canImportExport(this.client, mbx, signal);
      await mailboxFolders(this.client, mbx, signal);
    });
    return session.ok ? folders : session;
  }

  /**
   * Export the messages that pair with exactly one item of the folder; the others fall back. The folder's
   * items are listed once per `pairs` memo (one per open folder), not once per round.
   */
  async *exportPaired(
    path: string[],
    metas: MessageMeta[],
    pairs: PairMemo,
    signal?: AbortSignal,
  ): AsyncIterable<NativeItem> {
    const mbx = await this.mailbox(signal);
    try {
      pairs.byMsgId ??= await this.listByMessageId(mbx, path, signal);
    } catch (err) {
      // A folder the mailbox API does not list under this path: every message goes the ordinary way.
      if (!(err instanceof PermanentError && err.code === ErrorCode.ProtocolError)) throw err;
      for (const m of metas) yield { uid: m.uid, fallback: err.message };
      return;
    }
    const byMsgId = pairs.byMsgId;
    const paired: Array<{ uid: number; id: string }> = [];
    for (const m of metas) {
      const ids = m.messageId ? byMsgId.get(m.messageId) : undefined;
      if (ids?.length === 1) paired.push({ uid: m.uid, id: ids[0]! });
      else
        yield {
          uid: m.uid,
          fallback: !m.messageId
            ? 'no Message-ID to pair it with its mailbox item'
            : ids?.length
              ? `${ids.length} items of the folder share its Message-ID`
              : 'not among the folder’s mailbox items',
        };
    }
    const answers = await exportItems(
      this.client,
      mbx,
      paired.map((p) => p.id),
      signal,
    );
    const got = new Map(answers.map((a) => [a.itemId, a]));
    for (const p of paired) {
      const a = got.get(p.id);
      if (!a) continue;
      if ('data' in a) yield { uid: p.uid, format: EXCHANGE_ITEM, data: a.data };
      else if (/ErrorItemNotFound/.test(a.error))
        continue; // deleted since the listing
      else yield { uid: p.uid, unreadable: `the mailbox API would not export it: ${a.error}` };
    }
  }

  /** The folder's items by normalised Message-ID (PidTagInternetMessageId through the documented $expand). */
  private async listByMessageId(mbx: string, path: string[], signal?: AbortSignal) {
    const byMsgId = new Map<string, string[]>();
    const url = `${itemsPath(mbx, await this.folderId(path, signal))}?$expand=singleValueExtendedProperties($filter=id eq '${MSGID_PROP}')`;
    for await (const page of this.client.pages<ListedItem>(url, signal))
      for (const it of page) {
        const v = it.singleValueExtendedProperties?.find(
          (p) => p.id.toLowerCase() === MSGID_PROP.toLowerCase(),
        )?.value;
        if (v) byMsgId.set(bare(v), [...(byMsgId.get(bare(v)) ?? []), it.id]);
      }
    return byMsgId;
  }

  /**
   * Import one item into `path` and stamp the new message with the source's identity (as every copy Cutover
   * writes to Microsoft 365 is), so that the destination's listing fingerprints it as its source. An
   * unstamped copy with the same Message-ID already in the folder is an import whose answer (or stamp) was
   * lost: it is stamped and taken, not imported again. Returns the new message's messages-API id.
   */
  async importOne(
    path: string[],
    messagesFolderId: string,
    item: NativeImport,
    signal?: AbortSignal,
  ): Promise<{ id: string; adopted: boolean }> {
    const { meta } = item;
    const identity: SourceIdentity = { size: meta.size, id: meta.messageId, date: meta.dateHeader };
    const stamp = () => stampAppended(this.client, messagesFolderId, identity, meta, signal);
    try {
      return { id: await stamp(), adopted: true };
    } catch (err) {
      if (!(err instanceof TransientError && err.code === ErrorCode.ProtocolError)) throw err;
    }
    this.session ??= new ImportSession(this.client, await this.mailbox(signal));
    await this.session.create(await this.folderId(path, signal), item.data, signal);
    return { id: await stamp(), adopted: false };
  }
}

const itemsPath = (mbx: string, folderId: string) =>
  `/admin/exchange/mailboxes/${encodeURIComponent(mbx)}/folders/${encodeURIComponent(folderId)}/items`;

/** Display-name path (lower-cased, NUL-joined) → folder id; top-level folders are those whose parent is not listed. */
function pathsOf(folders: MailboxFolder[]): Map<string, string> {
  const byId = new Map(folders.map((f) => [f.id, f]));
  const out = new Map<string, string>();
  for (const f of folders) {
    const names: string[] = [];
    for (
      let x: MailboxFolder | undefined = f;
      x && names.length <= folders.length;
      x = byId.get(x.parentFolderId)
    )
      names.unshift(norm(x.displayName));
    out.set(names.join('\u0000'), f.id);
  }
  return out;
}

/** Run a permission probe: a refusal (401/403) becomes the reason, naming the permissions wanted. */
async function probe(client: GraphClient, perms: string, run: () => Promise<void>): Promise<NativeCheck> {
  try {
    await run();
    return { ok: true };
  } catch (err) {
    if (err instanceof PermanentError && err.code === ErrorCode.AuthFailed)
      return { ok: false, reason: `${client.target.where}: the app lacks ${perms} (${err.message})` };
    throw err;
  }
}
