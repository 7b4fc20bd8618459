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
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { ServerSpec } from '../../config/types.js';
import type { AppendItem, AppendResult } from '../contract.js';
import { ErrorCode, PermanentError, TransientError, throwIfAborted } from '../../errors.js';
import type { ImapLogin } from './imap-config.js';
import { mapImapError } from './imap-errors.js';

interface Tagged {
  status: 'OK' | 'NO' | 'BAD';
  code?: string;
  text: string;
}

/** Quote an IMAP string (RFC 3501 quoted); callers pass only CR/LF-free text. */
function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

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
export class AppendWriter {
  private socket!: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  private tagSeq = 0;
  private waiters = new Map<string, (t: Tagged) => void>();
  private contWaiter: (() => void) | undefined;
  private failure: Error | undefined;
  /** Capabilities after login. */
  capabilities = new Set<string>();

  private constructor(
    private readonly server: ServerSpec,
    private readonly where: string,
  ) {}

  /** Connect, optionally STARTTLS, and log in. */
  static async connect(
    server: ServerSpec,
    login: ImapLogin,
    where: string,
    signal?: AbortSignal,
  ): Promise<AppendWriter> {
    const w = new AppendWriter(server, where);
    try {
      await w.open(login, signal);
    } catch (err) {
      w.socket?.destroy();
      throw mapImapError(err, where);
    }
    return w;
  }

  /** APPENDLIMIT advertised by the server, if any. */
  get appendLimit(): number | undefined {
    for (const c of this.capabilities) {
      const m = /^APPENDLIMIT=(\d+)$/.exec(c);
      if (m) return Number(m[1]);
    }
    return undefined;
  }

  private async open(login: ImapLogin, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const opts = { host: this.server.host, port: this.server.port };
    const greeting = new Promise<string>((resolve) => {
      this.greetingResolve = resolve;
    });
    if (this.server.tls === 'tls') {
      this.socket = tls.connect({
        ...opts,
        servername: net.isIP(opts.host) ? undefined : opts.host,
        rejectUnauthorized: !this.server.allowInvalidCertificates,
      });
      await once(this.socket, 'secureConnect');
    } else {
      this.socket = net.connect(opts);
      await once(this.socket, 'connect');
    }
    this.attach();
    this.socket.setTimeout(5 * 60_000, () =>
      this.fail(Object.assign(new Error('socket timeout'), { code: 'ETIMEDOUT' })),
    );
    const hello = await greeting;
    if (/^\* BYE/i.test(hello)) throw Object.assign(new Error(hello), { code: 'ECONNREFUSED' });
    this.absorbCapabilities(hello);
    if (this.server.tls === 'starttls') {
      await this.command('STARTTLS');
      this.socket.removeAllListeners('data');
      this.socket = tls.connect({
        socket: this.socket,
        servername: net.isIP(opts.host) ? undefined : opts.host,
        rejectUnauthorized: !this.server.allowInvalidCertificates,
      });
      await once(this.socket, 'secureConnect');
      this.attach();
      this.capabilities.clear();
    }
    if (this.capabilities.size === 0) await this.command('CAPABILITY');
    let done: Tagged;
    if (login.accessToken) {
      const ir = Buffer.from(`user=${login.user}\x01auth=Bearer ${login.accessToken}\x01\x01`).toString(
        'base64',
      );
      done = await this.command(`AUTHENTICATE XOAUTH2 ${ir}`, true);
    } else if (login.authzid || this.capabilities.has('AUTH=PLAIN')) {
      const ir = Buffer.from(`${login.authzid ?? ''}\x00${login.user}\x00${login.password ?? ''}`).toString(
        'base64',
      );
      done = await this.command(`AUTHENTICATE PLAIN ${ir}`, true);
    } else {
      done = await this.command(`LOGIN ${quote(login.user)} ${quote(login.password ?? '')}`, true);
    }
    if (done.status !== 'OK') throw Object.assign(new Error(done.text), { authenticationFailed: true });
    this.capabilities.clear();
    if (done.code?.toUpperCase().startsWith('CAPABILITY ')) this.absorbCapabilities(`* OK [${done.code}]`);
    else await this.command('CAPABILITY');
  }

  private greetingResolve: ((line: string) => void) | undefined;

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () =>
      this.fail(Object.assign(new Error('connection closed'), { code: 'EConnectionClosed' })),
    );
  }

  private absorbCapabilities(line: string): void {
    const m = /CAPABILITY ([^\]\r\n]*)/i.exec(line);
    if (m) for (const c of m[1]!.trim().split(/\s+/)) this.capabilities.add(c.toUpperCase());
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.literalLeft > 0) {
        const n = Math.min(this.literalLeft, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.literalLeft -= n;
        if (this.literalLeft > 0) return;
      }
      const idx = this.buf.indexOf('\r\n');
      if (idx < 0) return;
      const line = this.buf.subarray(0, idx).toString('utf8');
      this.buf = this.buf.subarray(idx + 2);
      const lit = /\{(\d+)\}$/.exec(line);
      if (lit) this.literalLeft = Number(lit[1]);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.greetingResolve) {
      const r = this.greetingResolve;
      this.greetingResolve = undefined;
      r(line);
      return;
    }
    if (line.startsWith('+')) {
      const c = this.contWaiter;
      this.contWaiter = undefined;
      c?.();
      return;
    }
    if (line.startsWith('* ')) {
      if (/^\* CAPABILITY /i.test(line)) this.absorbCapabilities(line);
      else if (/^\* BYE/i.test(line))
        this.failure ??= Object.assign(new Error(line.slice(2)), {
          code: 'NoConnection',
          responseText: line,
        });
      return;
    }
    const m = /^(\S+) (OK|NO|BAD)(?: \[([^\]]*)\])? ?(.*)$/i.exec(line);
    if (!m) return;
    const w = this.waiters.get(m[1]!);
    if (!w) return;
    this.waiters.delete(m[1]!);
    w({ status: m[2]!.toUpperCase() as Tagged['status'], code: m[3], text: m[4] ?? '' });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const e = this.failure;
    for (const [, w] of this.waiters) w({ status: 'BAD', text: e.message, code: '__FAILED__' });
    this.waiters.clear();
    this.contWaiter?.();
    this.contWaiter = undefined;
    this.greetingResolve?.(`* BYE ${e.message}`);
    this.greetingResolve = undefined;
  }

  private nextTag(): string {
    return `W${++this.tagSeq}`;
  }

  private tagged(tag: string): Promise<Tagged> {
    return new Promise((resolve) => this.waiters.set(tag, resolve));
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /** Send one line command; with `allowNo`, return NO instead of throwing. */
  private async command(cmd: string, allowNo = false): Promise<Tagged> {
    this.check();
    const tag = this.nextTag();
    const p = this.tagged(tag);
    this.socket.write(`${tag} ${cmd}\r\n`);
    const t = await p;
    if (t.code === '__FAILED__') this.check();
    if (t.status !== 'OK' && !allowNo)
      throw Object.assign(new Error(`${cmd.split(' ')[0]} failed: ${t.text}`), {
        responseText: t.text,
        serverResponseCode: t.code?.split(' ')[0],
      });
    return t;
  }

  private async write(data: Buffer | string): Promise<void> {
    this.check();
    if (!this.socket.write(data)) {
      await Promise.race([once(this.socket, 'drain'), once(this.socket, 'close')]);
      this.check();
    }
  }

  /**
   * Append `items` to `wireName` (already encoded as modified UTF-7) in one command when the server has
   * MULTIAPPEND, else the caller must pass one item. All-or-nothing: throws on NO.
   */
  async append(
    wireName: string,
    items: AppendItem[],
    keywords: boolean,
    signal?: AbortSignal,
  ): Promise<AppendResult[]> {
    throwIfAborted(signal);
    if (items.length > 1 && !this.capabilities.has('MULTIAPPEND'))
      throw new Error('batch APPEND needs MULTIAPPEND');
    const literalPlus = this.capabilities.has('LITERAL+');
    const tag = this.nextTag();
    const result = this.tagged(tag);
    const onAbort = () => this.socket.destroy(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let head = `${tag} APPEND ${quote(wireName)}`;
      for (const item of items) {
        const flags = appendableFlags(item.flags, keywords);
        head += ` (${flags.join(' ')}) ${imapDateTime(item.internalDate)} {${item.size}${literalPlus ? '+' : ''}}\r\n`;
        if (!literalPlus) {
          const cont = new Promise<void>((r) => (this.contWaiter = r));
          await this.write(head);
          await Promise.race([cont, result.then(() => undefined)]);
          this.check();
        } else await this.write(head);
        await this.writeBody(item);
        head = '';
      }
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
      return parseAppendUid(t.code, items.length);
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
      this.socket.destroy();
      throw mapImapError(err, this.where);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async writeBody(item: AppendItem): Promise<void> {
    if (Buffer.isBuffer(item.body)) {
      if (item.body.length !== item.size)
        throw new TransientError(
          ErrorCode.SourceReadFailed,
          `body is ${item.body.length} bytes, expected ${item.size}`,
        );
      await this.write(item.body);
      return;
    }
    const stream = await item.body();
    let sent = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        sent += chunk.length;
        if (sent > item.size) break;
        await this.write(chunk);
      }
    } catch (err) {
      // Source read failed mid-literal: kill the connection so the server discards the APPEND.
      this.socket.destroy();
      throw new TransientError(
        ErrorCode.SourceReadFailed,
        `${this.where}: reading the message from the source failed midway; nothing was written.`,
        undefined,
        { cause: err },
      );
    }
    if (sent !== item.size) {
      this.socket.destroy();
      throw new TransientError(
        ErrorCode.SourceReadFailed,
        `${this.where}: the source delivered ${sent} bytes for a ${item.size}-byte message; nothing was written, it will be retried.`,
      );
    }
  }

  /** Log out and close. */
  async close(): Promise<void> {
    if (this.failure || this.socket.destroyed) return;
    try {
      await Promise.race([this.command('LOGOUT', true), new Promise((r) => setTimeout(r, 2000).unref())]);
    } catch {
      /* closing anyway */
    }
    this.socket.destroy();
  }
}
