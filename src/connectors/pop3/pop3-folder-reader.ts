/**
 * The one POP3 folder, INBOX, read over the source's session: keys from the session's listing, metadata
 * from `TOP n 0` (Message-ID, Date, and a header hash when there is no Message-ID, computed exactly as the
 * IMAP side computes it), bodies from RETR measured into a BodySpool before they are handed on.
 * POP3 has no flags and no internal date: flags are [], and the Date header stands in for the date.
 */
import { blame, throwIfAborted } from '../../errors.js';
import type {
  FolderState,
  ListOptions,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../contract.js';
import { parseIdentityHeaders, setHeaderHashes } from '../shared/identity-headers.js';
import { BodySpool } from '../shared/body-spool.js';
import { HeaderSink } from '../shared/header-sink.js';
import type { Pop3Client } from './pop3-client.js';
import { Pop3ReplyError, isGone, isTemporary, mapPop3Error } from './pop3-errors.js';
import type { Pop3Entry, Pop3Listing } from './pop3-listing.js';

const PAGE = 500;
/** TOP commands in flight at once where the server allows PIPELINING. */
const WINDOW = 32;

/**
 * The internal (received) date POP3 does not have: the Date header's. Without a readable one, now — the
 * moment the message reaches the new server, as a fresh delivery would be dated.
 */
export function internalDateOf(dateHeader: string | undefined): Date {
  if (dateHeader) {
    // Comments such as "(CET)" are legal in the header but not in Date.parse.
    const t = Date.parse(dateHeader.replace(/\([^)]*\)/g, ' ').trim());
    if (!Number.isNaN(t)) return new Date(t);
  }
  return new Date();
}

export class Pop3FolderReader implements SourceFolderReader {
  constructor(
    private readonly client: Pop3Client,
    private readonly listing: Pop3Listing,
    private readonly where: string,
  ) {}

  get state(): FolderState {
    return this.listing.state;
  }

  async listUids(signal?: AbortSignal): Promise<number[]> {
    throwIfAborted(signal);
    return [...this.listing.uids];
  }

  async *listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    // No CONDSTORE (the source says so): "changed since" is never asked, and POP3 flags never change.
    if (opts.changedSince) return;
    let uids = opts.uids ?? this.listing.uids;
    if (opts.fromUid !== undefined) uids = uids.filter((u) => u >= opts.fromUid!);
    const entries = [...new Set(uids)]
      .sort((a, b) => a - b)
      .map((u) => this.listing.byUid.get(u))
      .filter((e): e is Pop3Entry => e !== undefined);
    for (let i = 0; i < entries.length; i += PAGE) {
      throwIfAborted(signal);
      const page = entries.slice(i, i + PAGE);
      if (opts.flagsOnly) {
        yield page.map((e) => ({ uid: e.uid, size: e.size, internalDate: new Date(0), flags: [] }));
        continue;
      }
      const headers = await this.headersOf(page, signal);
      const metas: MessageMeta[] = [];
      const noId: Array<[number, Buffer]> = [];
      for (const e of page) {
        const h = headers.get(e.uid);
        if (!h) continue; // gone meanwhile
        const ids = parseIdentityHeaders(h);
        metas.push({
          uid: e.uid,
          size: e.size,
          internalDate: internalDateOf(ids.dateHeader),
          flags: [],
          ...ids,
        });
        if (!ids.messageId) noId.push([e.uid, h]);
      }
      setHeaderHashes(metas, noId);
      yield metas;
    }
  }

  /** Header blocks by key: TOP n 0, pipelined where allowed (RETR where the server has no TOP). */
  private async headersOf(page: Pop3Entry[], signal?: AbortSignal): Promise<Map<number, Buffer>> {
    const out = new Map<number, Buffer>();
    const useTop = !this.client.capaKnown || this.client.has('TOP');
    const window = this.client.has('PIPELINING') ? WINDOW : 1;
    const inFlight: Array<{ e: Pop3Entry; sink: HeaderSink; reply: Promise<string> }> = [];
    let next = 0;
    const fill = () => {
      while (next < page.length && inFlight.length < window) {
        const e = page[next++]!;
        const sink = new HeaderSink();
        const reply = this.client.fetch(useTop ? `TOP ${e.num} 0` : `RETR ${e.num}`, sink);
        reply.catch(() => undefined); // awaited in order below; a failure must not go unhandled meanwhile
        inFlight.push({ e, sink, reply });
      }
    };
    const release = this.client.abortOn(signal);
    try {
      for (fill(); inFlight.length; fill()) {
        const { e, sink, reply } = inFlight.shift()!;
        try {
          await reply;
          out.set(e.uid, sink.header());
        } catch (err) {
          if (err instanceof Pop3ReplyError && isGone(err)) continue;
          throw blame(mapPop3Error(err, `${this.where} message ${e.num}`), e.uid);
        }
      }
    } finally {
      release();
    }
    return out;
  }

  async *streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      throwIfAborted(signal);
      const e = this.listing.byUid.get(uid);
      if (!e) continue; // not in this session's listing: gone
      const spool = new BodySpool();
      let got: Awaited<ReturnType<BodySpool['finish']>>;
      try {
        await this.client.fetch(`RETR ${e.num}`, spool, signal);
        got = await spool.finish();
      } catch (err) {
        await spool.discard();
        if (err instanceof Pop3ReplyError && isGone(err)) continue;
        if (err instanceof Pop3ReplyError && !isTemporary(err)) {
          // A lasting -ERR to RETR on a message that is listed: the server will not deliver it.
          yield { uid, unreadable: `the POP3 server would not send it: ${err.message}` };
          continue;
        }
        throw blame(mapPop3Error(err, `${this.where} message ${e.num}`), uid);
      }
      try {
        yield { uid, size: got.size, body: got.body };
      } finally {
        // Read to its end by now (the contract), or abandoned: either way its file handle goes.
        if (!Buffer.isBuffer(got.body)) got.body.destroy();
      }
    }
  }

  async close(): Promise<void> {}
}
