/**
 * A minimal IMAP connection that only logs in and APPENDs — the write path of the IMAP destination.
 *
 * Why not imapflow's append(): it sends one message per command and needs the whole body in memory.
 * Here bodies stream from a buffer or a stream with socket backpressure, and several messages go in one
 * MULTIAPPEND command (RFC 3502), which commits once on the server: the destination's per-APPEND commit
 * is the bottleneck of an IMAP migration. LITERAL+ (RFC 7888) avoids a round trip per literal.
 *
 * Safety: a literal is declared with its exact size up front. If a stream body delivers fewer or more
 * bytes than declared, the socket is destroyed before the command completes, so the server discards
 * the whole APPEND: a body cut short is never written.
 */
import type { Readable } from 'node:stream';
import type { ServerSpec } from '../../config/types.js';
import type { AppendItem, AppendResult } from '../contract.js';
import { ErrorCode, PermanentError, TransientError, blame, throwIfAborted } from '../../errors.js';
import type { MailLogin } from '../shared/login.js';
import { mapImapError } from './imap-errors.js';
import { WireConnection, quote, type Tagged } from './imap-wire.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** RFC 3501 date-time, in UTC. */
export function imapDateTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

/** Flags that may be given to APPEND: no \Recent, only valid atoms. */
export function appendableFlags(flags: string[], keywords: boolean): string[] {
  return flags.filter((f) => {
    if (/^\\recent$/i.test(f)) return false;
    // Atoms exclude controls (RFC 3501 ATOM-CHAR): the control-character range is intended.
    // eslint-disable-next-line no-control-regex
    if (!/^\\?[^\s(){%*"\\\]\x00-\x1f\x7f]+$/.test(f)) return false;
    return f.startsWith('\\') || keywords;
  });
}

/** Parse an APPENDUID response code: "APPENDUID 38505 3955:3957" → uids. */
export function parseAppendUid(code: string | undefined, count: number): AppendResult[] {
  const m = /^APPENDUID (\d+) ([\d:,]+)$/i.exec(code ?? '');
  if (!m) return Array.from({ length: count }, () => ({}));
  const uids: number[] = [];
  for (const part of m[2]!.split(',')) {
    const [a, b] = part.split(':').map(Number) as [number, number | undefined];
    if (b === undefined) uids.push(a);
    else for (let u = Math.min(a, b); u <= Math.max(a, b); u++) uids.push(u);
  }
  return Array.from({ length: count }, (_, i) => (uids[i] ? { uid: uids[i], uidValidity: m[1] } : {}));
}

/** One authenticated connection for APPEND. Not safe for concurrent use: one command at a time. */
export class AppendWriter extends WireConnection {
  /** Connect, optionally STARTTLS, and log in. */
  static async connect(
    server: ServerSpec,
    login: MailLogin,
    where: string,
    signal?: AbortSignal,
  ): Promise<AppendWriter> {
    const w = new AppendWriter(server, where);
    await w.start(login, signal);
    return w;
  }

  /** The PERMANENTFLAGS of the last SELECT (undefined: none reported). */
  private permanentFlags: string[] | undefined;

  protected override onUntagged(line: string): void {
    const m = /^\* OK \[PERMANENTFLAGS \(([^)]*)\)\]/i.exec(line);
    if (m) this.permanentFlags = m[1]!.split(/\s+/).filter(Boolean);
  }

  /**
   * Whether the server keeps keywords (PERMANENTFLAGS has `\*`, which only a read-write SELECT reports; no
   * PERMANENTFLAGS at all means any flag is permanent, RFC 3501 §7.1). INBOX is selected on this connection
   * for that and stays selected until LOGOUT, which leaves it without expunging (never CLOSE).
   */
  async keepsKeywords(): Promise<boolean> {
    this.permanentFlags = undefined;
    try {
      await this.command('SELECT "INBOX"');
    } catch (err) {
      throw mapImapError(err, this.where);
    }
    // Set by onUntagged while the SELECT ran (TypeScript cannot see that across the await).
    const flags = this.permanentFlags as string[] | undefined;
    return flags === undefined || flags.includes('\\*');
  }

  /** APPENDLIMIT advertised by the server, if any. */
  get appendLimit(): number | undefined {
    for (const c of this.capabilities) {
      const m = /^APPENDLIMIT=(\d+)$/.exec(c);
      if (m) return Number(m[1]);
    }
    return undefined;
  }

  /**
   * CREATE `wireName` (then SUBSCRIBE it: many clients show only subscribed folders); the server's tagged
   * answer to CREATE. Over this raw connection the name is always quoted (imapflow sends names holding
   * `}` or `~` unquoted, which Courier refuses). A lost connection throws, mapped.
   */
  async createFolder(wireName: string): Promise<Tagged> {
    try {
      const t = await this.command(`CREATE ${quote(wireName)}`, true);
      // Not waited for (its answer was never used): the next command on this connection follows it on
      // the wire, and a connection lost meanwhile fails that one. One round trip less per folder made.
      if (t.status === 'OK') this.command(`SUBSCRIBE ${quote(wireName)}`, true).catch(() => undefined);
      return t;
    } catch (err) {
      throw mapImapError(err, this.where);
    }
  }

  /**
   * Append `items` to `wireName` (already encoded as modified UTF-7) in one command — MULTIAPPEND when the
   * server has it, else the caller must pass one item. Items may arrive lazily (each body is written as it
   * comes, e.g. piped from the source). All-or-nothing: throws on NO. Results in item order.
   */
  async append(
    wireName: string,
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
    keywords: boolean,
    signal?: AbortSignal,
  ): Promise<AppendResult[]> {
    throwIfAborted(signal);
    const multi = this.capabilities.has('MULTIAPPEND');
    const literalPlus = this.capabilities.has('LITERAL+');
    const tag = this.nextTag();
    let result: Promise<Tagged> | undefined;
    const onAbort = () => this.socket.destroy(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    let count = 0;
    const notes: Array<string | undefined> = [];
    try {
      let head = `${tag} APPEND ${quote(wireName)}`;
      for await (const given of items) {
        if (count > 0 && !multi) throw new Error('batch APPEND needs MULTIAPPEND');
        result ??= this.tagged(tag);
        const { item, binary, note } = this.withNuls(given);
        notes.push(note);
        const flags = appendableFlags(item.flags, keywords);
        // A body with NUL bytes goes as a literal8 (RFC 3516), the only literal that may carry them.
        head += ` (${flags.join(' ')}) ${imapDateTime(item.internalDate)} ${binary ? '~' : ''}{${item.size}${literalPlus ? '+' : ''}}\r\n`;
        if (!literalPlus) {
          const cont = new Promise<void>((r) => (this.contWaiter = r));
          await this.write(head);
          const early = await Promise.race([cont.then(() => undefined), result]);
          this.check();
          // The server answered instead of "+": never send the literal, or its lines would be read as commands.
          if (early) {
            this.contWaiter = undefined;
            throw Object.assign(new Error(`APPEND refused: ${early.text}`), {
              responseText: `${early.code ? `[${early.code}] ` : ''}${early.text}`,
              serverResponseCode: early.code?.split(' ')[0]?.toUpperCase(),
              rejected: true,
            });
          }
          head = '';
        }
        // The command text goes out with the first piece of the body: one system call, not two.
        await this.writeBody(item, head);
        count++;
        head = '';
      }
      // Nothing came (all expunged at the source): the command was never sent.
      if (!result) return [];
      await this.write('\r\n');
      const t = await result;
      if (t.code === '__FAILED__') this.check();
      if (t.status !== 'OK') {
        const code = t.code?.split(' ')[0]?.toUpperCase();
        throw Object.assign(new Error(`APPEND refused: ${t.text}`), {
          responseText: `${t.code ? `[${t.code}] ` : ''}${t.text}`,
          serverResponseCode: code,
          rejected: true,
        });
      }
      return parseAppendUid(t.code, count).map((r, i) => (notes[i] ? { ...r, altered: notes[i] } : r));
    } catch (err) {
      if (signal?.aborted) throw err;
      const e = err as { rejected?: boolean };
      if (e.rejected) {
        const mapped = mapImapError(err, this.where);
        if (mapped.code === ErrorCode.ProtocolError)
          throw new PermanentError(
            ErrorCode.MessageRejected,
            mapped.message,
            'The destination refused the message; see the server log for why.',
            { cause: err },
          );
        throw mapped;
      }
      // Mid-command failure: kill the connection so the server discards the partial APPEND.
      this.socket.destroy();
      throw mapImapError(err, this.where);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * A body holding NUL bytes: sent as a literal8 where the server has BINARY; elsewhere no literal may carry
   * NUL (RFC 3501 §4.3), so each becomes 0x80 — as Dovecot itself serves them — and the message says so.
   */
  private withNuls(item: AppendItem): { item: AppendItem; binary: boolean; note?: string } {
    if (!Buffer.isBuffer(item.body) || !item.body.includes(0)) return { item, binary: false };
    if (this.capabilities.has('BINARY')) return { item, binary: true };
    const body = Buffer.from(item.body);
    let n = 0;
    for (let i = body.indexOf(0); i >= 0; i = body.indexOf(0, i + 1), n++) body[i] = 0x80;
    return {
      item: { ...item, body },
      binary: false,
      note: `${n} NUL byte(s) written as 0x80: the destination has no BINARY extension (RFC 3516), the only way IMAP can carry them`,
    };
  }

  private async writeBody(item: AppendItem, head: string): Promise<void> {
    if (Buffer.isBuffer(item.body)) {
      if (item.body.length !== item.size)
        throw new TransientError(
          ErrorCode.SourceReadFailed,
          `body is ${item.body.length} bytes, expected ${item.size}`,
        );
      await this.writeMany([head, item.body]);
      return;
    }
    const stream: Readable = item.body;
    let sent = 0;
    let writing = false;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        sent += chunk.length;
        if (sent > item.size) break;
        writing = true;
        await this.writeMany(head ? [head, chunk] : [chunk]);
        writing = false;
        head = '';
      }
      writing = true;
      if (head) await this.write(head);
    } catch (err) {
      // Kill the connection mid-literal so the server discards the APPEND.
      this.socket.destroy();
      // This side's own connection failed: the destination's fault, not the message's (append() maps it).
      if (writing) throw err;
      const e = new TransientError(
        ErrorCode.SourceReadFailed,
        `${this.where}: reading the message from the source failed midway; nothing was written.`,
        undefined,
        { cause: err },
      );
      // The source connection said which message it was reading and how far it got (RawFetcher.onBreak).
      const at = err as { suspectUid?: number; suspectAt?: number };
      throw blame(e, at.suspectUid, at.suspectAt);
    }
    if (sent !== item.size) {
      this.socket.destroy();
      throw new TransientError(
        ErrorCode.SourceReadFailed,
        `${this.where}: the source delivered ${sent} bytes for a ${item.size}-byte message; nothing was written, it will be retried.`,
      );
    }
  }
}
