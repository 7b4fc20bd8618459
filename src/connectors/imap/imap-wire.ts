/**
 * A minimal raw IMAP connection: connect (TLS or STARTTLS), log in (PLAIN with authzid, XOAUTH2, LOGIN),
 * send tagged commands and read their answers, with literals in responses routed to a sink.
 *
 * Used where imapflow costs too much: the write path (AppendWriter, streamed MULTIAPPEND) and the body
 * path (RawFetcher, literals piped straight from the source socket into the destination's APPEND).
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ServerSpec } from '../../config/types.js';
import { AbortError, throwIfAborted } from '../../errors.js';
import { loginUser, socketTimeoutMs } from './imap-config.js';
import type { MailLogin } from '../shared/login.js';
import { forToken, mapConnectError, noteAnswered } from './imap-errors.js';

/** How long a TCP (and TLS) connect may take. */
const CONNECT_TIMEOUT_MS = Number(process.env.CUTOVER_CONNECT_TIMEOUT_MS) || 30_000;

/** A tagged completion. */
export interface Tagged {
  status: 'OK' | 'NO' | 'BAD';
  code?: string;
  text: string;
}

/** Quote an IMAP string (RFC 3501 quoted); callers pass only CR/LF-free text. */
export function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** Base class: one authenticated connection, one command at a time. */
export class WireConnection {
  protected socket!: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  private literalSink: Writable | null = null;
  /** A literal wanted whole (small ones): its bytes so far, and who gets it. */
  private literalWhole: { data: Buffer; filled: number; done: (data: Buffer) => void } | null = null;
  private tagSeq = 0;
  private waiters = new Map<string, (t: Tagged) => void>();
  /** The text of the last continuation request (an authentication challenge). */
  private lastContinuation = '';
  protected contWaiter: (() => void) | undefined;
  private greetingWait: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private greeted = false;
  /** Size of the literal being received (0 when none). */
  private literalSize = 0;
  /** Whether onBreak() has been called. */
  private broke = false;
  protected failure: Error | undefined;
  /** Capabilities after login. */
  capabilities = new Set<string>();

  protected constructor(
    protected readonly server: ServerSpec,
    protected readonly where: string,
  ) {}

  /** Connect, optionally STARTTLS, and log in; errors come back mapped. */
  protected async start(login: MailLogin, signal?: AbortSignal): Promise<void> {
    // A stop request ends a connect or login that hangs on a slow server.
    const onAbort = () => this.socket?.destroy(new AbortError('Stopped by the user; rerun to resume.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.open(login, signal);
    } catch (err) {
      this.socket?.destroy();
      if (signal?.aborted) throw new AbortError('Stopped by the user; rerun to resume.');
      const to = { host: this.server.host, port: this.server.port, user: loginUser(login) };
      const e = mapConnectError(err, this.where, to, this.greeted);
      throw login.accessToken ? forToken(e, this.where) : e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async open(login: MailLogin, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const host = this.server.host;
    const tlsOpts = {
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: !this.server.allowInvalidCertificates,
    };
    const greeting = new Promise<string>((resolve, reject) => {
      this.greetingWait = { resolve, reject };
    });
    this.socket =
      this.server.tls === 'tls'
        ? tls.connect({ host, port: this.server.port, ...tlsOpts })
        : net.connect({ host, port: this.server.port });
    // A host that swallows packets would otherwise hang for the system's TCP timeout (minutes).
    const timer = setTimeout(
      () => this.socket.destroy(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })),
      CONNECT_TIMEOUT_MS,
    );
    try {
      await Promise.race([
        once(this.socket, this.server.tls === 'tls' ? 'secureConnect' : 'connect'),
        once(this.socket, 'error').then(([e]) => Promise.reject(e as Error)),
      ]);
    } finally {
      clearTimeout(timer);
    }
    noteAnswered(this.server);
    this.socket.setNoDelay(true);
    this.attach();
    this.socket.setTimeout(socketTimeoutMs(), () =>
      this.fail(Object.assign(new Error('socket timeout'), { code: 'ETIMEDOUT' })),
    );
    const hello = await greeting;
    // Turned away at the door (overloaded, too many connections): not a greeting.
    if (/^\* BYE/i.test(hello))
      throw Object.assign(new Error(hello), { code: 'NoConnection', responseText: hello });
    this.greeted = true;
    this.absorbCapabilities(hello);
    if (this.server.tls === 'starttls') {
      await this.command('STARTTLS');
      this.socket.removeAllListeners('data');
      this.socket = tls.connect({ socket: this.socket, ...tlsOpts });
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
      // A refused token gets a challenge carrying the error (JSON, base64): answer it with an empty line,
      // then the server says NO (RFC 7628 §3.2.3; Google and Microsoft do the same for XOAUTH2).
      this.contWaiter = () => void this.socket.write('\r\n');
      done = await this.command(`AUTHENTICATE XOAUTH2 ${ir}`, true);
      this.contWaiter = undefined;
      if (done.status !== 'OK' && this.lastContinuation) {
        const why = Buffer.from(this.lastContinuation, 'base64').toString('utf8');
        throw Object.assign(new Error(`${done.text} (the server said: ${why})`), {
          authenticationFailed: true,
        });
      }
    } else if (login.authzid || this.capabilities.has('AUTH=PLAIN')) {
      const ir = Buffer.from(`${login.authzid ?? ''}\x00${login.user}\x00${login.password ?? ''}`).toString(
        'base64',
      );
      done = await this.command(`AUTHENTICATE PLAIN ${ir}`, true);
    } else {
      done = await this.command(`LOGIN ${quote(login.user)} ${quote(login.password ?? '')}`, true);
    }
    if (done.status !== 'OK')
      // The response code tells a refused login from a busy server or a connection cap (NO [LIMIT]).
      throw Object.assign(new Error(done.text), {
        authenticationFailed: true,
        serverResponseCode: done.code?.split(' ')[0]?.toUpperCase(),
        responseText: `${done.code ? `[${done.code}] ` : ''}${done.text}`,
      });
    this.capabilities.clear();
    if (done.code?.toUpperCase().startsWith('CAPABILITY ')) this.absorbCapabilities(`* OK [${done.code}]`);
    else await this.command('CAPABILITY');
  }

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
        if (n === 0) return;
        const part = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        this.literalLeft -= n;
        if (this.literalLeft === 0) this.literalSize = 0;
        const whole = this.literalWhole;
        if (whole) {
          part.copy(whole.data, whole.filled);
          whole.filled += n;
          if (this.literalLeft > 0) return;
          this.literalWhole = null;
          whole.done(whole.data);
          continue;
        }
        const sink = this.literalSink;
        // Backpressure: stop reading the socket until the consumer of the literal catches up.
        if (sink && !sink.write(part)) {
          this.socket.pause();
          sink.once('drain', () => this.socket.resume());
        }
        if (this.literalLeft > 0) return;
        this.literalSink = null;
        sink?.end();
      }
      const idx = this.buf.indexOf('\r\n');
      if (idx < 0) return;
      const line = this.buf.subarray(0, idx).toString('utf8');
      this.buf = this.buf.subarray(idx + 2);
      const lit = /\{(\d+)\}$/.exec(line);
      if (lit) {
        this.literalLeft = this.literalSize = Number(lit[1]);
        const to = this.onLiteral(line, this.literalLeft);
        if (typeof to === 'function') {
          // Wanted whole: one copy into a buffer of the exact size, no stream machinery per literal.
          if (this.literalLeft === 0) to(Buffer.alloc(0));
          else this.literalWhole = { data: Buffer.allocUnsafe(this.literalLeft), filled: 0, done: to };
        } else {
          this.literalSink = to;
          if (this.literalLeft === 0) {
            this.literalSink?.end();
            this.literalSink = null;
          }
        }
      } else this.onLine(line);
    }
  }

  /**
   * A response line announcing a literal of `size` bytes: return where its bytes go — a stream, a function
   * that takes the literal whole once it has arrived, or null to discard it.
   */
  protected onLiteral(_line: string, _size: number): Writable | ((data: Buffer) => void) | null {
    return null;
  }

  /** An untagged response line (no literal) other than CAPABILITY/BYE. */
  protected onUntagged(_line: string): void {}

  private onLine(line: string): void {
    if (this.greetingWait) {
      const r = this.greetingWait.resolve;
      this.greetingWait = undefined;
      r(line);
      return;
    }
    if (line.startsWith('+')) {
      this.lastContinuation = line.slice(1).trim();
      const c = this.contWaiter;
      this.contWaiter = undefined;
      c?.();
      return;
    }
    if (line.startsWith('* ')) {
      if (/^\* CAPABILITY /i.test(line)) this.absorbCapabilities(line);
      else if (/^\* BYE/i.test(line)) {
        this.failure ??= Object.assign(new Error(line.slice(2)), {
          code: 'NoConnection',
          responseText: line,
        });
        this.noteBreak(this.failure);
      } else this.onUntagged(line);
      return;
    }
    const m = /^(\S+) (OK|NO|BAD)(?: \[([^\]]*)\])? ?(.*)$/i.exec(line);
    if (!m) {
      this.onUntagged(line);
      return;
    }
    const w = this.waiters.get(m[1]!);
    if (!w) return;
    this.waiters.delete(m[1]!);
    w({ status: m[2]!.toUpperCase() as Tagged['status'], code: m[3], text: m[4] ?? '' });
  }

  /** Bytes received of the literal in progress, or undefined when none is. */
  protected get literalReceived(): number | undefined {
    return this.literalSize > 0 ? this.literalSize - this.literalLeft : undefined;
  }

  /** The connection broke or the server said BYE: called once, with the error everyone will see, first. */
  protected onBreak(_err: Error): void {}

  private noteBreak(err: Error): void {
    if (this.broke) return;
    this.broke = true;
    this.onBreak(err);
  }

  protected fail(err: Error): void {
    this.failure ??= err;
    const e = this.failure;
    this.noteBreak(e);
    for (const [, w] of this.waiters) w({ status: 'BAD', text: e.message, code: '__FAILED__' });
    this.waiters.clear();
    this.contWaiter?.();
    this.contWaiter = undefined;
    this.greetingWait?.reject(e);
    this.greetingWait = undefined;
    this.literalSink?.destroy(e);
    this.literalSink = null;
    this.literalWhole = null;
  }

  protected nextTag(): string {
    return `W${++this.tagSeq}`;
  }

  /** Promise of the completion of `tag`. */
  protected tagged(tag: string): Promise<Tagged> {
    return new Promise((resolve) => this.waiters.set(tag, resolve));
  }

  /** Throw the connection's failure, if any. */
  protected check(): void {
    if (this.failure) throw this.failure;
  }

  /** Send one line command; with `allowNo`, return NO instead of throwing. */
  protected async command(cmd: string, allowNo = false): Promise<Tagged> {
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

  /** Write with backpressure. */
  protected async write(data: Buffer | string): Promise<void> {
    this.check();
    if (!this.socket.write(data)) {
      await this.drained();
      this.check();
    }
  }

  /** Resolves when the socket drains or closes; removes both listeners either way (no leak per write). */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Write several pieces in one system call (cork/uncork), then wait if the socket is full. */
  protected async writeMany(parts: Array<Buffer | string>): Promise<void> {
    this.check();
    this.socket.cork();
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
    if (this.socket.writableNeedDrain) {
      await this.drained();
      this.check();
    }
  }

  /** Whether the connection can still be used. */
  get usable(): boolean {
    return !this.failure && !this.socket.destroyed;
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
