/**
 * Our own POP3 client (RFC 1939; CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034) over node:net/tls: one
 * session, replies taken in the order commands were sent (so commands may be pipelined where the server
 * says PIPELINING), multi-line responses decoded as they arrive (DotDecoder) into a sink that can push back.
 * Read-only by design: there is no DELE here, so nothing at the source can be deleted.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { ServerSpec } from '../../config/types.js';
import { AbortError, ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { DataSink } from '../shared/data-sink.js';
import { DotDecoder } from './dot-decoder.js';
import type { MailLogin } from '../shared/login.js';
import { Pop3ReplyError, mapPop3Error } from './pop3-errors.js';

/** How long a TCP (and TLS) connect, and then the greeting, may take. */
const CONNECT_TIMEOUT_MS = Number(process.env.CUTOVER_CONNECT_TIMEOUT_MS) || 30_000;
/** Silence on an open session this long ends it. */
const IDLE_TIMEOUT_MS = 5 * 60_000;
/** A status line longer than this is no POP3 server talking. */
const MAX_LINE = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const CRLF = Buffer.from('\r\n');

/** A command waiting for its reply. */
interface Op {
  verb: string;
  /** Set for multi-line commands: where the data goes once "+OK" has come. */
  sink?: DataSink;
  decoder?: DotDecoder;
  text?: string;
  /** A login step: "-ERR" means the credentials were refused. */
  login?: boolean;
  /** A SASL continuation ("+ …") arrived: answer it. */
  onChallenge?: (text: string) => void;
  resolve(text: string): void;
  reject(err: Error): void;
}

const protocolError = (message: string) => Object.assign(new Error(message), { code: 'PROTOCOL' });
const hasLineBreak = (s: string | undefined) => s !== undefined && /[\r\n\0]/.test(s);

export class Pop3Client {
  private socket!: net.Socket;
  private buf: Buffer = EMPTY;
  private ops: Op[] = [];
  private failure: Error | undefined;
  private paused = false;
  private pauseSeq = 0;
  /** CAPA lines, upper-cased ("TOP", "SASL PLAIN LOGIN"); empty when the server has no CAPA. */
  readonly capabilities = new Set<string>();
  /** Whether the server answered CAPA at all (without it, TOP/UIDL/USER are simply tried). */
  capaKnown = false;
  greeting = '';

  private constructor(
    private readonly server: ServerSpec,
    readonly where: string,
  ) {}

  /** Connect (TLS or STLS as the server spec says), read CAPA, log in. Errors come back mapped. */
  static async connect(
    server: ServerSpec,
    login: MailLogin,
    where: string,
    signal?: AbortSignal,
  ): Promise<Pop3Client> {
    const c = new Pop3Client(server, where);
    throwIfAborted(signal);
    // A stop request ends a connect or login that hangs on a slow server.
    const onAbort = () => c.fail(new AbortError('Stopped by the user; rerun to resume.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await c.open(login);
      return c;
    } catch (err) {
      c.fail(err instanceof Error ? err : new Error(String(err)));
      if (signal?.aborted) throw new AbortError('Stopped by the user; rerun to resume.');
      throw mapPop3Error(err, where, login.accessToken !== undefined);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** True when the server lists this capability keyword (TOP, UIDL, PIPELINING, STLS…). */
  has(keyword: string): boolean {
    for (const line of this.capabilities) if (line.split(' ')[0] === keyword) return true;
    return false;
  }

  /** Whether the session can still be used. */
  get usable(): boolean {
    return !this.failure && !this.socket.destroyed;
  }

  /**
   * Until the returned function is called, a stop request closes the session (its state is then unknown)
   * and every command waiting gets an AbortError. One listener for any number of pipelined commands.
   */
  abortOn(signal: AbortSignal | undefined): () => void {
    if (!signal) return () => undefined;
    const onAbort = () => this.fail(new AbortError('Stopped by the user; rerun to resume.'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  /** A one-line command; resolves with the text after "+OK". */
  simple(line: string, signal?: AbortSignal): Promise<string> {
    return this.guarded(this.send(line), signal);
  }

  /**
   * A multi-line command whose data (dot-unstuffed) goes to `sink`; resolves with the "+OK" text once it
   * ends. Several may be sent before the first is awaited (pipelining: check `has('PIPELINING')`).
   */
  fetch(line: string, sink: DataSink, signal?: AbortSignal): Promise<string> {
    return this.guarded(this.send(line, { sink }), signal);
  }

  /** A multi-line command whose data is a short listing (CAPA, UIDL, LIST): its lines. */
  async lines(line: string, signal?: AbortSignal): Promise<string[]> {
    const parts: Buffer[] = [];
    await this.fetch(line, { write: (p) => parts.push(p) > 0 }, signal);
    const text = Buffer.concat(parts).toString('utf8');
    return text.split('\r\n').filter((l) => l !== '');
  }

  /** QUIT (the server then ends the session; nothing was marked for deletion) and close. */
  async quit(): Promise<void> {
    if (this.usable) {
      const bye = this.send('QUIT').catch(() => undefined);
      await Promise.race([bye, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    this.destroy();
  }

  /** Close at once. */
  destroy(): void {
    this.fail(Object.assign(new Error('session closed'), { code: 'EConnectionClosed' }));
  }

  private async open(login: MailLogin): Promise<void> {
    if (hasLineBreak(login.user) || hasLineBreak(login.password) || hasLineBreak(login.authzid))
      throw new PermanentError(
        ErrorCode.AuthFailed,
        `${this.where}: the login or password contains a line break or NUL, which POP3 cannot carry.`,
        'Check the value: a password file is read up to its first line break.',
      );
    const { host, port } = this.server;
    const tlsOpts = {
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: !this.server.allowInvalidCertificates,
    };
    const greeting = this.expect('greeting');
    this.socket =
      this.server.tls === 'tls' ? tls.connect({ host, port, ...tlsOpts }) : net.connect({ host, port });
    // A host that swallows packets would otherwise hang for the system's TCP timeout (minutes); a server
    // that accepts and says nothing would hang until the idle timeout.
    const timer = setTimeout(
      () => this.fail(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })),
      CONNECT_TIMEOUT_MS,
    );
    try {
      await Promise.race([
        once(this.socket, this.server.tls === 'tls' ? 'secureConnect' : 'connect'),
        once(this.socket, 'error').then(([e]) => Promise.reject(e as Error)),
        greeting.then(() => undefined),
      ]);
      this.socket.setNoDelay(true);
      this.attach(this.socket);
      this.greeting = await greeting;
    } finally {
      clearTimeout(timer);
    }
    await this.readCapabilities();
    if (this.server.tls === 'starttls') {
      await this.startTls(tlsOpts);
      await this.readCapabilities();
    }
    await this.authenticate(login);
    // Capabilities may change after login (RFC 2449 §5).
    await this.readCapabilities();
  }

  private async startTls(opts: tls.ConnectionOptions): Promise<void> {
    const refused = (said: string) =>
      new PermanentError(
        ErrorCode.TlsFailed,
        `${this.where}: the server does not offer STLS (STARTTLS)${said}.`,
        'Use pop3s:// (TLS on port 995), or leave out stls=1 where an unencrypted connection is acceptable.',
      );
    if (this.capaKnown && !this.has('STLS')) throw refused('');
    try {
      await this.send('STLS');
    } catch (err) {
      if (err instanceof Pop3ReplyError) throw refused(`: ${err.text}`);
      throw err;
    }
    const raw = this.socket;
    raw.removeAllListeners('data');
    this.socket = tls.connect({ socket: raw, ...opts });
    await Promise.race([
      once(this.socket, 'secureConnect'),
      once(this.socket, 'error').then(([e]) => Promise.reject(e as Error)),
    ]);
    this.attach(this.socket);
  }

  private async readCapabilities(): Promise<void> {
    this.capabilities.clear();
    try {
      for (const l of await this.lines('CAPA')) this.capabilities.add(l.trim().toUpperCase());
      this.capaKnown = true;
    } catch (err) {
      if (!(err instanceof Pop3ReplyError)) throw err;
      this.capaKnown = false; // an RFC 1939-only server
    }
  }

  private async authenticate(login: MailLogin): Promise<void> {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    if (login.accessToken !== undefined) {
      await this.sasl('XOAUTH2', b64(`user=${login.user}\x01auth=Bearer ${login.accessToken}\x01\x01`));
      return;
    }
    const sasl = [...this.capabilities].find((l) => l.startsWith('SASL '))?.split(' ') ?? [];
    // SASL PLAIN carries an authorization identity (Dovecot master users, Cyrus/Zimbra admins); a plain
    // login uses USER/PASS, which every POP3 server has, unless the server lists PLAIN but not USER.
    if (login.authzid !== undefined || (this.capaKnown && !this.has('USER') && sasl.includes('PLAIN'))) {
      await this.sasl('PLAIN', b64(`${login.authzid ?? ''}\0${login.user}\0${login.password ?? ''}`));
      return;
    }
    await this.send(`USER ${login.user}`, { login: true });
    await this.send(`PASS ${login.password ?? ''}`, { login: true });
  }

  /** AUTH with an initial response (RFC 5034), sent after an empty challenge where it would not fit in 255 octets. */
  private async sasl(mechanism: string, response: string): Promise<void> {
    const withIr = `AUTH ${mechanism} ${response}`;
    let sent = withIr.length + 2 <= 255;
    let reason = '';
    try {
      await this.send(sent ? withIr : `AUTH ${mechanism}`, {
        verb: 'AUTH',
        login: true,
        onChallenge: (text) => {
          if (!sent) {
            sent = true;
            this.socket.write(`${response}\r\n`);
            return;
          }
          // A challenge after the response carries the server's reason (XOAUTH2: base64 JSON): an empty
          // answer ends the exchange, then the server says -ERR (RFC 7628 §3.2.3; Google, Microsoft alike).
          reason = Buffer.from(text, 'base64').toString('utf8');
          this.socket.write('\r\n');
        },
      });
    } catch (err) {
      if (err instanceof Pop3ReplyError && reason)
        throw new Pop3ReplyError(
          'AUTH',
          `-ERR ${err.code ? `[${err.code}] ` : ''}${err.text} (the server said: ${reason})`,
          true,
        );
      throw err;
    }
  }

  private attach(sock: net.Socket): void {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () =>
      this.fail(Object.assign(new Error('connection closed'), { code: 'EConnectionClosed' })),
    );
    sock.setTimeout(IDLE_TIMEOUT_MS, () =>
      this.fail(Object.assign(new Error('socket timeout'), { code: 'ETIMEDOUT' })),
    );
  }

  /** Queue a reply to wait for without sending anything (the greeting). */
  private expect(verb: string, opts: Partial<Op> = {}): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.ops.push({ verb, ...opts, resolve, reject }));
  }

  /** Send a command line; its reply comes in order after those of the commands before it. */
  private send(line: string, opts: Partial<Op> = {}): Promise<string> {
    const verb = opts.verb ?? line.split(' ', 1)[0]!.toUpperCase();
    const reply = this.expect(verb, opts);
    if (!this.failure) {
      this.socket.write(`${line}\r\n`);
      this.pump();
    }
    return reply;
  }

  /** `reply`, or an AbortError as soon as `signal` fires. */
  private async guarded(reply: Promise<string>, signal?: AbortSignal): Promise<string> {
    const release = this.abortOn(signal);
    try {
      return await reply;
    } finally {
      release();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.pump();
  }

  /** Hand buffered bytes to the command waiting for them, one reply after another. */
  private pump(): void {
    while (this.buf.length > 0 && !this.failure) {
      const op = this.ops[0];
      if (!op) return; // nothing asked yet: the bytes wait for the next command
      if (op.decoder) {
        let full = false;
        const rest = op.decoder.push(this.buf, (part) => {
          if (!op.sink!.write(part)) full = true;
        });
        this.buf = rest ?? EMPTY;
        if (rest) {
          this.ops.shift();
          this.resumeSocket();
          op.resolve(op.text ?? '');
        } else if (full) this.pauseFor(op.sink!);
        continue;
      }
      const idx = this.buf.indexOf(CRLF);
      if (idx < 0) {
        if (this.buf.length > MAX_LINE) this.fail(protocolError(`a reply to ${op.verb} has no line end`));
        return;
      }
      const line = this.buf.subarray(0, idx).toString('utf8');
      this.buf = this.buf.subarray(idx + 2);
      this.onStatus(op, line);
    }
  }

  private onStatus(op: Op, line: string): void {
    if (/^\+OK(\s|$)/i.test(line)) {
      const text = line.slice(3).trim();
      if (op.sink) {
        op.text = text;
        op.decoder = new DotDecoder();
      } else {
        this.ops.shift();
        op.resolve(text);
      }
    } else if (/^-ERR(\s|$)/i.test(line)) {
      this.ops.shift();
      op.reject(new Pop3ReplyError(op.verb, line, op.login));
    } else if (line.startsWith('+') && op.onChallenge) op.onChallenge(line.slice(1).trim());
    else this.fail(protocolError(`unexpected reply to ${op.verb}: ${line.slice(0, 200)}`));
  }

  /** The sink is full: stop reading the socket until it drains (the server's data waits in TCP). */
  private pauseFor(sink: DataSink): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
    const seq = ++this.pauseSeq;
    const resume = () => {
      if (seq === this.pauseSeq) this.resumeSocket();
    };
    if (sink.onDrain) sink.onDrain(resume);
    else resume();
  }

  private resumeSocket(): void {
    this.pauseSeq++;
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** End the session: every waiting command gets `err`. */
  private fail(err: Error): void {
    this.failure ??= err;
    const ops = this.ops.splice(0);
    for (const op of ops) op.reject(this.failure);
    this.socket?.destroy();
  }
}
