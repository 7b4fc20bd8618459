/**
 * The source's read path on a raw connection, where imapflow's per-response overhead would dominate:
 * EXAMINE (folder state), UID SEARCH, metadata FETCH, and `UID FETCH set (UID BODY.PEEK[])` whose literals
 * are handed over as streams the moment their size is known — piped straight into the destination's APPEND
 * literal, so no message is ever held in memory and the destination's backpressure reaches the source.
 * BODY.PEEK leaves \Seen untouched; EXAMINE keeps the folder read-only.
 */
import { PassThrough, type Writable } from 'node:stream';
import type { ServerSpec } from '../../config/types.js';
import { ErrorCode, RateLimitError, TransientError, throwIfAborted } from '../../errors.js';
import type { FolderState, StreamedMessage } from '../contract.js';
import type { MailLogin } from '../shared/login.js';
import { mapImapError } from './imap-errors.js';
import { WireConnection, quote } from './imap-wire.js';
import { parseFetch, type FetchFacts } from './fetch-response.js';

/** One body as it arrives, or a message the server answered without content. */
export type StreamedBody = StreamedMessage;

const HIGH_WATER = 1024 * 1024;
/** Bodies up to this size are taken whole rather than streamed. */
const WHOLE_MAX = 256 * 1024;
/** Whole bodies queued for the destination beyond this pause the source socket. */
const QUEUE_MAX = 4 * 1024 * 1024;
const EMPTY: Buffer = Buffer.alloc(0);

export class RawFetcher extends WireConnection {
  private selected: string | undefined;
  private examined: Partial<FolderState> = {};
  /** Bodies announced but not yet taken by the consumer. */
  private queue: StreamedBody[] = [];
  private notify: (() => void) | undefined;
  private mode: 'idle' | 'bodies' | 'meta' | 'search' = 'idle';
  private facts: FetchFacts[] = [];
  private searched: number[] = [];
  /** Why the last `bodies` command ended in NO with the connection intact (some messages not delivered). */
  refused: string | undefined;
  /** A FETCH response interrupted by a literal: its text so far and the literal's bytes. */
  private pending: { text: string; literal: Buffer; body: boolean } | undefined;
  /** The UID of the last FETCH response seen in the current command, and where the connection broke. */
  private lastUid: number | undefined;
  private brokeAt: { uid: number; at: number } | undefined;
  /** Bytes of whole bodies waiting in the queue, and whether that paused the socket. */
  private queuedBytes = 0;
  private pausedByQueue = false;

  /** Connect and log in; turn on CONDSTORE so EXAMINE reports HIGHESTMODSEQ. */
  static async connect(
    server: ServerSpec,
    login: MailLogin,
    where: string,
    signal?: AbortSignal,
  ): Promise<RawFetcher> {
    const f = new RawFetcher(server, where);
    await f.start(login, signal);
    if (f.capabilities.has('CONDSTORE')) await f.command('ENABLE CONDSTORE', true);
    return f;
  }

  /** Select `wireName` read-only; returns its state. With `uidValidity`, insist on that generation. */
  async examine(wireName: string, uidValidity?: string): Promise<FolderState> {
    if (this.selected !== wireName || (uidValidity && this.examined.uidValidity !== uidValidity)) {
      this.selected = undefined;
      this.examined = {};
      try {
        await this.command(`EXAMINE ${quote(wireName)}`);
      } catch (err) {
        throw mapImapError(err, this.where);
      }
      this.selected = wireName;
    }
    const s = this.examined;
    if (uidValidity && s.uidValidity !== uidValidity)
      throw new TransientError(
        ErrorCode.ProtocolError,
        `${this.where}: folder "${wireName}" was renumbered during the pass (UIDVALIDITY ${uidValidity} → ${s.uidValidity}); it will be re-listed.`,
      );
    return {
      uidValidity: s.uidValidity ?? '0',
      uidNext: s.uidNext ?? 0,
      messages: s.messages ?? 0,
      highestModseq: s.highestModseq,
    };
  }

  /** UID SEARCH ALL (or only within `uidSet`), ascending. */
  async search(uidSet?: string): Promise<number[]> {
    this.searched = [];
    await this.run('search', uidSet ? `UID SEARCH UID ${uidSet}` : 'UID SEARCH ALL');
    return this.searched.sort((a, b) => a - b);
  }

  /** The answers of the last metadata FETCH so far (what arrived before it failed, if it did). */
  get partialFacts(): FetchFacts[] {
    return this.facts;
  }

  /** One metadata FETCH; `items` is the FETCH item list, `modifier` e.g. "(CHANGEDSINCE 5)". */
  async meta(uidSet: string, items: string, modifier = ''): Promise<FetchFacts[]> {
    this.facts = [];
    await this.run('meta', `UID FETCH ${uidSet} (${items})${modifier ? ' ' + modifier : ''}`);
    return this.facts;
  }

  /**
   * Where the read of `uid` broke: a byte offset into its FETCH answer (0: the answer had begun, none of its
   * literal arrived — Dovecot's `* 3 FETCH (UID 3)` before `* BYE FETCH failed`), or 'before' when nothing of
   * it had arrived, so the break came between messages and may be no fault of this one.
   */
  breakPointOf(uid: number): number | 'before' {
    return this.brokeAt?.uid === uid ? this.brokeAt.at : 'before';
  }

  /** Note where the read broke; a body being streamed carries it to whoever reads that stream. */
  protected override onBreak(err: Error): void {
    if (this.lastUid === undefined) return;
    this.brokeAt = { uid: this.lastUid, at: this.literalReceived ?? 0 };
    if (this.mode === 'bodies')
      Object.assign(err, { suspectUid: this.brokeAt.uid, suspectAt: this.brokeAt.at });
  }

  private async run(mode: 'search' | 'meta', cmd: string): Promise<void> {
    this.mode = mode;
    this.lastUid = undefined;
    try {
      await this.command(cmd);
    } catch (err) {
      throw mapImapError(err, this.where);
    } finally {
      this.mode = 'idle';
    }
  }

  protected override onUntagged(line: string): void {
    if (this.pending) {
      // The rest of a FETCH response after its literal.
      const o = this.pending;
      this.pending = undefined;
      if (o.body) {
        const uid = parseFetch(line).uid;
        if (uid) this.push({ uid, size: o.literal.length, body: o.literal });
      } else this.facts.push(parseFetch(`${o.text} ${line}`, o.literal));
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\* (\d+) EXISTS/i.exec(line))) this.examined.messages = Number(m[1]);
    else if ((m = /^\* OK \[(UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ) (\d+)\]/i.exec(line))) {
      const key = m[1]!.toUpperCase();
      if (key === 'UIDVALIDITY') this.examined.uidValidity = m[2];
      else if (key === 'UIDNEXT') this.examined.uidNext = Number(m[2]);
      else this.examined.highestModseq = m[2];
    } else if (this.mode === 'search' && (m = /^\* SEARCH\b(.*)$/i.exec(line))) {
      for (const n of m[1]!.trim().split(/\s+/)) if (n) this.searched.push(Number(n));
    } else if (this.mode === 'meta' && /^\* \d+ FETCH \(/i.test(line)) {
      const f = parseFetch(line);
      this.lastUid = f.uid ?? this.lastUid;
      this.facts.push(f);
    } else if (this.mode === 'bodies' && /^\* \d+ FETCH \(/i.test(line)) this.bodyWithoutLiteral(line);
  }

  /** BODY[] as NIL (the server could not read the message) or as a quoted string (tiny bodies). */
  private bodyWithoutLiteral(line: string): void {
    const uid = parseFetch(line).uid;
    if (!uid) return;
    this.lastUid = uid;
    if (/BODY\[\] NIL\b/i.test(line)) {
      this.push({ uid, unreadable: 'the source server returned no content for it (BODY[] NIL)' });
      return;
    }
    const q = /BODY\[\] "((?:[^"\\]|\\.)*)"/i.exec(line);
    if (q) {
      const body = Buffer.from(q[1]!.replace(/\\(.)/g, '$1'), 'latin1');
      this.push({ uid, size: body.length, body });
    }
  }

  protected override onLiteral(line: string, size: number): Writable | ((data: Buffer) => void) | null {
    if (!/^\* \d+ FETCH \(/i.test(line)) return null;
    this.lastUid = parseFetch(line).uid ?? this.lastUid;
    if (this.mode === 'meta') {
      const o = { text: line.replace(/\{\d+\}$/, ''), literal: EMPTY, body: false };
      this.pending = o;
      return (data) => (o.literal = data);
    }
    // A server that stores NUL bytes serves such a body as a literal8 (`~{n}`, RFC 3516), as Cyrus does.
    if (this.mode !== 'bodies' || !/BODY\[\] ~?\{\d+\}$/i.test(line)) return null;
    const uid = parseFetch(line).uid;
    if (!uid) {
      // UID after the literal (allowed by RFC 3501): hold this one body until the UID arrives.
      const o = { text: line, literal: EMPTY, body: true };
      this.pending = o;
      return (data) => (o.literal = data);
    }
    // Small bodies are taken whole (one copy, no stream per message); large ones stream with backpressure.
    if (size <= WHOLE_MAX) return (data) => this.push({ uid, size, body: data });
    const body = new PassThrough({ highWaterMark: HIGH_WATER });
    // A body nobody reads any more (the write failed) may still be failed by a closing connection:
    // its reader sees the error through iteration; this keeps it from becoming an uncaught exception.
    body.on('error', () => undefined);
    this.push({ uid, size, body });
    return body;
  }

  private push(item: StreamedBody): void {
    this.queue.push(item);
    if (item.unreadable === undefined && Buffer.isBuffer(item.body)) {
      // Whole bodies wait here until the destination takes them: past a bound, stop reading the socket.
      this.queuedBytes += item.size;
      if (this.queuedBytes > QUEUE_MAX && !this.pausedByQueue) {
        this.pausedByQueue = true;
        this.socket.pause();
      }
    }
    this.notify?.();
  }

  /** The consumer took `item`: let the socket flow again once the queue has room. */
  private taken(item: StreamedBody): void {
    if (item.unreadable !== undefined || !Buffer.isBuffer(item.body)) return;
    this.queuedBytes -= item.size;
    if (this.pausedByQueue && this.queuedBytes <= QUEUE_MAX / 2) {
      this.pausedByQueue = false;
      this.socket.resume();
    }
  }

  /** Stream the bodies of `uidSet`. The connection is unusable if the consumer stops early. */
  async *bodies(uidSet: string, signal?: AbortSignal): AsyncIterable<StreamedBody> {
    throwIfAborted(signal);
    this.check();
    const tag = this.nextTag();
    const done = this.tagged(tag);
    let finished = false;
    void done.then(() => {
      finished = true;
      this.notify?.();
    });
    this.mode = 'bodies';
    this.lastUid = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    this.refused = undefined;
    let complete = false;
    const wake = () => this.notify?.();
    signal?.addEventListener('abort', wake, { once: true });
    try {
      this.socket.write(`${tag} UID FETCH ${uidSet} (UID BODY.PEEK[])\r\n`);
      for (;;) {
        throwIfAborted(signal);
        const next = this.queue.shift();
        if (next) {
          this.taken(next);
          yield next;
          continue;
        }
        if (finished) break;
        await new Promise<void>((r) => (this.notify = r));
        this.notify = undefined;
      }
      const t = await done;
      if (t.code === '__FAILED__') this.check();
      complete = true;
      if (t.status !== 'OK') {
        const code = t.code?.split(' ')[0]?.toUpperCase();
        const err = mapImapError(
          Object.assign(new Error(`FETCH failed: ${t.text}`), {
            responseText: t.text,
            serverResponseCode: code,
          }),
          this.where,
        );
        // Busy or throttled: the whole batch is retried later. Anything else: the messages it did not
        // deliver are looked at one by one by the reader (expunged, or unreadable at the source).
        if (err instanceof RateLimitError || code === 'UNAVAILABLE' || code === 'INUSE') throw err;
        this.refused = `${t.code ? `[${t.code}] ` : ''}${t.text}`;
      }
    } catch (err) {
      throw mapImapError(err, this.where);
    } finally {
      signal?.removeEventListener('abort', wake);
      this.mode = 'idle';
      if (this.pausedByQueue) {
        this.pausedByQueue = false;
        this.socket.resume();
      }
      // Stopped mid-response: the rest of the answer would be misread by the next command.
      if (!complete) this.socket.destroy();
    }
  }
}
