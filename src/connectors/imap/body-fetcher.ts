/**
 * Streams message bodies out of the source with `UID FETCH set (UID BODY.PEEK[])` on a raw connection:
 * each literal is handed over as a stream the moment its size is known, so it can be piped straight into
 * the destination's APPEND literal — no copy of the message in memory, however large, and socket
 * backpressure from the destination reaches the source. BODY.PEEK leaves \Seen untouched.
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { ServerSpec } from '../../config/types.js';
import { ErrorCode, TransientError, throwIfAborted } from '../../errors.js';
import type { ImapLogin } from './imap-config.js';
import { mapImapError } from './imap-errors.js';
import { WireConnection, quote } from './imap-wire.js';

/** One body as it arrives. */
export interface StreamedBody {
  uid: number;
  size: number;
  body: Readable;
}

const HIGH_WATER = 1024 * 1024;

export class BodyFetcher extends WireConnection {
  private selected: string | undefined;
  private uidValidity: string | undefined;
  /** Bodies announced but not yet taken by the consumer; null marks the end of the current FETCH. */
  private queue: StreamedBody[] = [];
  private notify: (() => void) | undefined;
  private fetching = false;
  /** A body whose UID comes after its literal (allowed by RFC 3501): buffered, then queued. */
  private late: { chunks: Buffer[]; size: number } | undefined;

  /** Connect and log in. */
  static async connect(
    server: ServerSpec,
    login: ImapLogin,
    where: string,
    signal?: AbortSignal,
  ): Promise<BodyFetcher> {
    const f = new BodyFetcher(server, where);
    await f.start(login, signal);
    return f;
  }

  /** Select `wireName` read-only and check it is the generation the caller listed. */
  async examine(wireName: string, uidValidity: string): Promise<void> {
    if (this.selected === wireName && this.uidValidity === uidValidity) return;
    this.selected = undefined;
    this.uidValidity = undefined;
    try {
      await this.command(`EXAMINE ${quote(wireName)}`);
    } catch (err) {
      throw mapImapError(err, this.where);
    }
    if (this.uidValidity !== uidValidity)
      throw new TransientError(
        ErrorCode.ProtocolError,
        `${this.where}: folder "${wireName}" was renumbered during the pass (UIDVALIDITY ${uidValidity} → ${this.uidValidity}); it will be re-listed.`,
      );
    this.selected = wireName;
  }

  protected override onUntagged(line: string): void {
    const uv = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(line);
    if (uv) this.uidValidity = uv[1];
    if (this.late) {
      // The remainder of a FETCH response whose UID followed the literal.
      const uid = /UID (\d+)/i.exec(line)?.[1];
      const late = this.late;
      this.late = undefined;
      if (uid)
        this.push({ uid: Number(uid), size: late.size, body: Readable.from([Buffer.concat(late.chunks)]) });
    }
  }

  protected override onLiteral(line: string, size: number): Writable | null {
    const m = this.fetching ? /^\* \d+ FETCH \((.*)BODY\[\] \{\d+\}$/i.exec(line) : null;
    if (!m) return null;
    const uid = /UID (\d+)/i.exec(m[1]!)?.[1];
    if (!uid) {
      const late = { chunks: [] as Buffer[], size };
      this.late = late;
      const sink = new PassThrough();
      sink.on('error', () => undefined);
      sink.on('data', (c: Buffer) => late.chunks.push(c));
      return sink;
    }
    const body = new PassThrough({ highWaterMark: HIGH_WATER });
    // A body nobody reads any more (the write failed) may still be failed by a closing connection:
    // its reader sees the error through iteration; this keeps it from becoming an uncaught exception.
    body.on('error', () => undefined);
    this.push({ uid: Number(uid), size, body });
    return body;
  }

  private push(item: StreamedBody): void {
    this.queue.push(item);
    this.notify?.();
  }

  /** Stream the bodies of `uids` (ascending). The connection is unusable if the consumer stops early. */
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
    this.fetching = true;
    this.queue = [];
    let complete = false;
    try {
      this.socket.write(`${tag} UID FETCH ${uidSet} (UID BODY.PEEK[])\r\n`);
      for (;;) {
        throwIfAborted(signal);
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (finished) break;
        await new Promise<void>((r) => (this.notify = r));
        this.notify = undefined;
      }
      const t = await done;
      if (t.code === '__FAILED__') this.check();
      if (t.status !== 'OK')
        throw Object.assign(new Error(`FETCH failed: ${t.text}`), {
          responseText: t.text,
          serverResponseCode: t.code?.split(' ')[0],
        });
      complete = true;
    } catch (err) {
      throw mapImapError(err, this.where);
    } finally {
      this.fetching = false;
      // Stopped mid-response: the rest of the answer would be misread by the next command.
      if (!complete) this.socket.destroy();
    }
  }
}
