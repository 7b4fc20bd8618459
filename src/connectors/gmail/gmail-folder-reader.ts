/**
 * One Gmail "folder" (the messages filed under one label, see gmail-labels.ts) open for reading. Keys,
 * flags and flag changes come from the mailbox snapshot and history.list; metadata and bodies from
 * messages.get?format=raw, one message at a time (bodies in ascending key order, as the contract asks).
 */
import { blame, throwIfAborted } from '../../errors.js';
import type {
  FolderState,
  ListOptions,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../contract.js';
import type { GmailApi } from './gmail-api.js';
import { BodyCache } from './gmail-body-cache.js';
import { GmailNotFoundError } from './gmail-errors.js';
import { fetchBody, fetchEstimate, fetchMeta, META_PARALLEL } from './gmail-message.js';
import type { SnapMessage } from './gmail-snapshot.js';

const PAGE = 100;

export class GmailFolderReader implements SourceFolderReader {
  private readonly byUid: Map<number, SnapMessage>;
  /** Bodies downloaded by listMessages (for their exact size), kept for streamBodies. */
  private readonly cache = new BodyCache();

  constructor(
    private readonly api: GmailApi,
    readonly state: FolderState,
    private readonly msgs: SnapMessage[],
  ) {
    this.byUid = new Map(msgs.map((m) => [m.uid, m]));
  }

  async listUids(): Promise<number[]> {
    return this.msgs.map((m) => m.uid);
  }

  async *listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    let picked = opts.uids
      ? opts.uids.flatMap((u) => this.byUid.get(u) ?? []).sort((a, b) => a.uid - b.uid)
      : this.msgs.filter((m) => m.uid >= (opts.fromUid ?? 0));
    if (opts.changedSince !== undefined) {
      const changed = await this.changedIds(opts.changedSince, signal);
      if (changed) picked = picked.filter((m) => changed.has(m.id));
    }
    if (opts.flagsOnly || opts.changedSince !== undefined) {
      for (let i = 0; i < picked.length; i += PAGE)
        yield picked
          .slice(i, i + PAGE)
          .map((m) => ({ uid: m.uid, size: 0, internalDate: new Date(0), flags: m.flags }));
      return;
    }
    // A listing of the whole folder is a survey (the scan): Gmail's size estimates, no body downloaded.
    // Copy decisions always name their keys (`uids`) and get exact sizes from the raw message.
    const survey = !opts.uids && opts.fromUid === undefined;
    for (let i = 0; i < picked.length; i += META_PARALLEL) {
      throwIfAborted(signal);
      const group = picked.slice(i, i + META_PARALLEL);
      const metas = await Promise.all(
        group.map((m) =>
          (survey
            ? fetchEstimate(this.api, m.id, m.uid, m.flags, signal)
            : fetchMeta(this.api, m.id, m.uid, m.flags, signal, this.cache.start(m.uid))
          ).catch((e: unknown) => {
            throw blame(e, m.uid);
          }),
        ),
      );
      // A message deleted since the snapshot is simply not listed.
      const page = metas.filter((m): m is MessageMeta => m !== undefined);
      if (page.length) yield page;
    }
  }

  async *streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    const wanted = [...new Set(uids)].sort((a, b) => a - b);
    for (const uid of wanted) {
      throwIfAborted(signal);
      const m = this.byUid.get(uid);
      if (!m) continue;
      // Read whole when its metadata was listed: a Gmail message never changes, the copy is still good.
      const cached = this.cache.take(uid);
      if (cached) {
        yield { uid, ...cached };
        continue;
      }
      let got;
      try {
        got = await fetchBody(this.api, m.id, signal);
      } catch (err) {
        throw blame(err, uid);
      }
      if (got) yield { uid, size: got.size, body: got.body };
    }
  }

  async close(): Promise<void> {
    this.cache.clear();
  }

  /**
   * Ids whose labels changed since `historyId` (history.list); undefined when Google no longer has that
   * point (404: too old) — then every message counts as changed, a full flag re-sync.
   */
  private async changedIds(historyId: string, signal?: AbortSignal): Promise<Set<string> | undefined> {
    const out = new Set<string>();
    let pageToken: string | undefined;
    try {
      do {
        const page = await this.api.json<{
          history?: Array<Record<string, Array<{ message?: { id: string } }> | undefined>>;
          nextPageToken?: string;
        }>(
          {
            op: 'history.list',
            path: '/history',
            query: { startHistoryId: historyId, maxResults: 500, pageToken },
          },
          signal,
        );
        for (const h of page.history ?? [])
          for (const kind of ['labelsAdded', 'labelsRemoved', 'messagesAdded'])
            for (const e of h[kind] ?? []) if (e.message?.id) out.add(e.message.id);
        pageToken = page.nextPageToken;
      } while (pageToken);
    } catch (err) {
      if (err instanceof GmailNotFoundError) return undefined;
      throw err;
    }
    return out;
  }
}
