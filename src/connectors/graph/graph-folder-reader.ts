/**
 * One Graph folder open for reading: the delta listing taken at open (keys ↔ immutable ids), metadata by
 * `$batch` for a few messages or by paging the folder for many, and bodies as MIME from `/$value`,
 * streamed (the response's Content-Length is the exact size; a body cut short fails instead of landing).
 */
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type {
  FolderState,
  ListOptions,
  MessageMeta,
  NativeItem,
  SourceFolderReader,
  StreamedMessage,
} from '../contract.js';
import {
  blame,
  ErrorCode,
  PermanentError,
  RateLimitError,
  TransientError,
  throwIfAborted,
} from '../../errors.js';
import { BodySpool } from '../shared/body-spool.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { checkedListing, stateOf } from './graph-delta.js';
import { KeyMap } from './graph-ids.js';
import {
  FLAGS_EXPAND,
  FLAGS_SELECT,
  flagsMetaOf,
  META_EXPAND,
  META_SELECT,
  metaOf,
  type GraphMessage,
} from './graph-meta.js';

const PAGE = 200;

/** Exports a folder's messages in their native form (the source's mailbox-API link, bound to the folder). */
export type Exporter = (metas: MessageMeta[], signal?: AbortSignal) => AsyncIterable<NativeItem>;

/** Fails the stream when it ends before `size` bytes (or brings more). */
class ExactLength extends Transform {
  private seen = 0;
  constructor(
    private readonly size: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    cb(this.seen > this.size ? this.cut() : null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    cb(this.seen === this.size ? null : this.cut());
  }
  private cut(): Error {
    return new TransientError(
      ErrorCode.SourceReadFailed,
      `${this.what}: the body came with ${this.seen} bytes, ${this.size} announced.`,
      'Cutover retries on its own.',
    );
  }
}

/** One folder open for reading, fixed to the listing taken when it was opened. */
export class GraphFolderReader implements SourceFolderReader {
  private constructor(
    private readonly client: GraphClient,
    private readonly folderId: string,
    private readonly keys: KeyMap,
    readonly state: FolderState,
    private readonly exporter: Exporter,
  ) {}

  /** Take the folder's listing now; the state describes exactly this listing. */
  static async open(
    client: GraphClient,
    folderId: string,
    where: string,
    signal: AbortSignal | undefined,
    exporter: Exporter,
  ): Promise<GraphFolderReader> {
    const entries = await checkedListing(client, folderId, signal);
    const keys = new KeyMap(where);
    for (const id of entries.keys()) keys.add(id);
    return new GraphFolderReader(client, folderId, keys, stateOf(folderId, entries), exporter);
  }

  async listUids(): Promise<number[]> {
    return this.keys.keys();
  }

  async *listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    let uids = opts.uids ?? this.keys.keys();
    if (opts.fromUid !== undefined) uids = uids.filter((u) => u >= opts.fromUid!);
    const wanted = new Set(uids.filter((u) => this.keys.id(u) !== undefined));
    if (wanted.size === 0) return;
    const select = opts.flagsOnly ? FLAGS_SELECT : META_SELECT;
    const expand = opts.flagsOnly ? FLAGS_EXPAND : META_EXPAND;
    const toMeta = (uid: number, m: GraphMessage) => (opts.flagsOnly ? flagsMetaOf(uid, m) : metaOf(uid, m));
    const out: MessageMeta[] = [];
    if (wanted.size * 4 >= this.keys.size && wanted.size > 8) {
      // Most of the folder: page through it (100 a round trip) and keep what was asked for.
      const url = `${userPath(this.client.target)}/mailFolders/${this.folderId}/messages?$select=${select}&$expand=${expand}&$top=100`;
      const byId = new Map([...wanted].map((u) => [this.keys.id(u)!, u]));
      for await (const page of this.client.pages<GraphMessage>(url, signal))
        for (const m of page) {
          const uid = byId.get(m.id);
          if (uid !== undefined) out.push(toMeta(uid, m));
        }
    } else {
      // A few: four GETs per $batch round trip (each counts against the mailbox's limit of 4).
      const list = [...wanted];
      for (let i = 0; i < list.length; i += 4) {
        throwIfAborted(signal);
        const part = list.slice(i, i + 4);
        const answers = await this.client.batch(
          part.map((u) => ({
            method: 'GET',
            url: `${userPath(this.client.target)}/messages/${this.keys.id(u)}?$select=${select}&$expand=${expand}`,
          })),
          signal,
        );
        answers.forEach((a, j) => {
          if (a.status === 200) out.push(toMeta(part[j]!, a.body as GraphMessage));
          else if (a.status !== 404) throw this.client.batchFailure(a, 'GET message'); // 404: deleted meanwhile
        });
      }
    }
    out.sort((a, b) => a.uid - b.uid);
    for (let i = 0; i < out.length; i += PAGE) yield out.slice(i, i + PAGE);
  }

  async *streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    for (const uid of [...uids].sort((a, b) => a - b)) {
      throwIfAborted(signal);
      const id = this.keys.id(uid);
      if (!id) continue;
      let got: { body: Readable; length?: number };
      try {
        got = await this.client.stream(`${userPath(this.client.target)}/messages/${id}/$value`, signal);
      } catch (err) {
        if (err instanceof PermanentError && /ErrorItemNotFound|HTTP 404/.test(err.message)) continue; // gone meanwhile
        throw err instanceof RateLimitError ? err : blame(err, uid);
      }
      if (got.length === undefined) {
        // No Content-Length: spool (memory, then a private temp file) to learn the exact size first.
        const spool = new BodySpool();
        try {
          for await (const c of got.body) await spool.put(c as Buffer);
          yield { uid, ...(await spool.finish()) };
        } catch (err) {
          await spool.discard();
          throw err instanceof RateLimitError ? err : blame(err, uid);
        }
      } else {
        // pipeline: a reader that stops half way destroys the response too, which frees its gate permit.
        const checked = new ExactLength(got.length, `${this.client.target.where} message ${uid}`);
        pipeline(got.body, checked, () => undefined);
        yield { uid, size: got.length, body: checked };
      }
    }
  }

  /** These messages in Exchange's own form, through the mailbox API (graph-native.ts). */
  exportItems(metas: MessageMeta[], signal?: AbortSignal): AsyncIterable<NativeItem> {
    return this.exporter(metas, signal);
  }

  async close(): Promise<void> {}
}
