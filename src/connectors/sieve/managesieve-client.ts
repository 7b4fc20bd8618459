/**
 * Our own ManageSieve client (RFC 5804) over node:net/tls: greeting capabilities, STARTTLS when offered (and
 * required only when asked for), SASL PLAIN with an initial response (with an authorization identity for
 * admin/master logins) or XOAUTH2/OAUTHBEARER for a token, and the script commands Cutover needs. There is
 * no DELETESCRIPT or RENAMESCRIPT here: nothing at either side is ever deleted. One command at a time;
 * replies come in order. Scripts travel as bytes, exactly as stored.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { TlsMode } from '../../config/types.js';
import { AbortError, ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { MailLogin } from '../shared/login.js';
import { parseCapabilities, statusOf, type SieveCapabilities } from './managesieve-replies.js';
import {
  readResponseLine,
  tokenText,
  wireLiteral,
  wireString,
  WireError,
  type WireToken,
} from './managesieve-wire.js';
import { mapSieveError, scriptRefused, SieveReplyError } from './sieve-errors.js';

/** Where and how to connect. */
export interface SieveConnectOptions {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte; 'starttls': STARTTLS when the server offers it; 'none': never upgrade. */
  tls: TlsMode;
  /** Refuse to log in over an unencrypted connection (the URL or settings asked for TLS). */
  requireTls: boolean;
  allowInvalidCertificates: boolean;
}

/** A completed reply: OK with its code and text, and the data lines before it. */
interface Reply {
  code?: string;
  text: string;
  data: WireToken[][];
}

interface Op {
  verb: string;
  data: WireToken[][];
  /** During AUTHENTICATE: a line that is only a string is a SASL challenge. */
  onChallenge?: (challenge: string) => void;
  resolve(r: Reply): void;
  reject(err: Error): void;
}

/** How long a TCP (and TLS) connect, and then the greeting, may take. */
const connectTimeoutMs = () => Number(process.env.CUTOVER_CONNECT_TIMEOUT_MS) || 30_000;
/** Silence on an open session this long ends it (CUTOVER_SOCKET_TIMEOUT_MS, as for IMAP). */
const idleTimeoutMs = () => Number(process.env.CUTOVER_SOCKET_TIMEOUT_MS) || 5 * 60_000;
/** A reply larger than this is no ManageSieve server talking (scripts are limited to about a megabyte). */
const MAX_BUFFER = 64 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const STOPPED = 'Stopped by the user; rerun to resume.';

export class ManageSieveClient {
  private socket!: net.Socket;
  private buf: Buffer = EMPTY;
  private ops: Op[] = [];
  private failure: Error | undefined;
  /** The connection is encrypted (implicit TLS or after STARTTLS). */
  secured = false;
  greeting = '';
  capabilities: SieveCapabilities = { sasl: [], sieve: [], starttls: false, notify: [], lines: [] };

  private constructor(
    private readonly opts: SieveConnectOptions,
    readonly where: string,
  ) {}

  /** Connect, upgrade to TLS where offered, log in. Errors come back mapped to CutoverErrors. */
  static async connect(
    opts: SieveConnectOptions,
    login: MailLogin,
    where: string,
    signal?: AbortSignal,
  ): Promise<ManageSieveClient> {
    throwIfAborted(signal);
    const c = new ManageSieveClient(opts, where);
    const onAbort = () => c.fail(new AbortError(STOPPED));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await c.open(login);
      return c;
    } catch (err) {
      c.fail(err instanceof Error ? err : new Error(String(err)));
      if (signal?.aborted) throw new AbortError(STOPPED);
      throw mapSieveError(err, where, login.accessToken !== undefined);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether the session can still be used. */
  get usable(): boolean {
    return !this.failure && !this.socket.destroyed;
  }

  /** Every script, with which one is active. */
  async listScripts(signal?: AbortSignal): Promise<Array<{ name: string; active: boolean }>> {
    const r = await this.run('LISTSCRIPTS', [], signal);
    return r.data.flatMap((line) => {
      const name = line[0]?.kind === 'string' ? line[0].value.toString('utf8') : undefined;
      const flag = tokenText(line[1])?.toUpperCase();
      return name === undefined ? [] : [{ name, active: flag === 'ACTIVE' }];
    });
  }

  /** A script's bytes, exactly as stored (CRLF and a missing final newline included). */
  async getScript(name: string, signal?: AbortSignal): Promise<Buffer> {
    const r = await this.run('GETSCRIPT', [wireString(name)], signal);
    const body = r.data[0]?.[0];
    if (body?.kind !== 'string')
      throw mapSieveError(new WireError('GETSCRIPT answered OK without the script'), this.where);
    return body.value;
  }

  /**
   * Store a script (replacing one of the same name). The server checks it first: a NO (a missing extension,
   * a syntax error, over quota) throws a PermanentError with the server's words. Resolves with the server's
   * WARNINGS text, if any.
   */
  async putScript(name: string, content: Buffer, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const r = await this.command('PUTSCRIPT', [wireString(name), wireLiteral(content)], signal);
      return r.code === 'WARNINGS' ? r.text : undefined;
    } catch (err) {
      if (err instanceof SieveReplyError && err.status === 'NO') throw scriptRefused(err, this.where, name);
      throw mapSieveError(err, this.where);
    }
  }

  /** Check a script without storing it (RFC 5804 CHECKSCRIPT; VERSION servers only): as putScript. */
  async checkScript(content: Buffer, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const r = await this.command('CHECKSCRIPT', [wireLiteral(content)], signal);
      return r.code === 'WARNINGS' ? r.text : undefined;
    } catch (err) {
      if (err instanceof SieveReplyError && err.status === 'NO')
        throw scriptRefused(err, this.where, '(checked)');
      throw mapSieveError(err, this.where);
    }
  }

  /** Make `name` the active script; null deactivates every script. */
  async setActive(name: string | null, signal?: AbortSignal): Promise<void> {
    await this.run('SETACTIVE', [wireString(name ?? '')], signal);
  }

  /**
   * Whether a script of `size` bytes named `name` would fit: undefined when it would, else the server's
   * words (QUOTA, QUOTA/MAXSIZE…).
   */
  async haveSpace(name: string, size: number, signal?: AbortSignal): Promise<string | undefined> {
    try {
      await this.command('HAVESPACE', [wireString(name), Buffer.from(String(size))], signal);
      return undefined;
    } catch (err) {
      if (err instanceof SieveReplyError && err.status === 'NO') return err.said;
      throw mapSieveError(err, this.where);
    }
  }

  /** LOGOUT and close (never waits more than two seconds on a dead server). */
  async logout(): Promise<void> {
    if (this.usable) {
      const bye = this.command('LOGOUT', []).catch(() => undefined);
      await Promise.race([bye, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    this.destroy();
  }

  /** Close at once. */
  destroy(): void {
    this.fail(Object.assign(new Error('session closed'), { code: 'EConnectionClosed' }));
  }

  /** A command whose NO/BYE is mapped. */
  private async run(verb: string, args: Buffer[], signal?: AbortSignal): Promise<Reply> {
    try {
      return await this.command(verb, args, signal);
    } catch (err) {
      throw mapSieveError(err, this.where);
    }
  }

  private async open(login: MailLogin): Promise<void> {
    const { host, port } = this.opts;
    const tlsOpts = {
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: !this.opts.allowInvalidCertificates,
    };
    const greeting = this.expect('greeting');
    const implicit = this.opts.tls === 'tls';
    this.socket = implicit ? tls.connect({ host, port, ...tlsOpts }) : net.connect({ host, port });
    this.secured = implicit;
    // A host that swallows packets would hang for the system's TCP timeout; a silent server until the idle one.
    const timer = setTimeout(
      () => this.fail(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })),
      connectTimeoutMs(),
    );
    try {
      await Promise.race([
        once(this.socket, implicit ? 'secureConnect' : 'connect'),
        once(this.socket, 'error').then(([e]) => Promise.reject(e as Error)),
        greeting.then(() => undefined),
      ]);
      this.socket.setNoDelay(true);
      this.attach(this.socket);
      const g = await greeting;
      this.greeting = g.text;
      this.capabilities = parseCapabilities(g.data);
    } finally {
      clearTimeout(timer);
    }
    if (!this.secured && this.opts.tls === 'starttls' && this.capabilities.starttls)
      await this.startTls(tlsOpts);
    if (!this.secured && this.opts.requireTls)
      throw new PermanentError(
        ErrorCode.TlsFailed,
        `${this.where}: the ManageSieve server does not offer STARTTLS, and TLS was asked for.`,
        'Enable TLS on the ManageSieve service, or (on a trusted network only) leave out the setting that asks for TLS.',
      );
    await this.authenticate(login);
    // RFC 5804 §2.1: capabilities may differ after login (Dovecot adds MAXREDIRECTS); draft servers lack CAPABILITY.
    if (this.capabilities.version !== undefined)
      this.capabilities = parseCapabilities((await this.command('CAPABILITY', [])).data);
  }

  /** STARTTLS, then the capabilities the server re-issues over TLS (RFC 5804 §2.2). */
  private async startTls(opts: tls.ConnectionOptions): Promise<void> {
    await this.command('STARTTLS', []);
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.setTimeout(0);
    this.socket = tls.connect({ socket: raw, ...opts });
    await Promise.race([
      once(this.socket, 'secureConnect'),
      once(this.socket, 'error').then(([e]) => Promise.reject(e as Error)),
    ]);
    this.secured = true;
    // Waited for only now (a failed handshake leaves nothing waiting); the TLS socket holds the data till attached.
    const caps = this.expect('STARTTLS');
    this.attach(this.socket);
    this.capabilities = parseCapabilities((await caps).data);
  }

  private async authenticate(login: MailLogin): Promise<void> {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const offered = this.capabilities.sasl;
    if (login.accessToken !== undefined) {
      if (offered.includes('XOAUTH2'))
        return this.sasl('XOAUTH2', b64(`user=${login.user}\x01auth=Bearer ${login.accessToken}\x01\x01`));
      if (offered.includes('OAUTHBEARER'))
        return this.sasl(
          'OAUTHBEARER',
          b64(`n,a=${login.user},\x01auth=Bearer ${login.accessToken}\x01\x01`),
        );
      throw new PermanentError(
        ErrorCode.AuthFailed,
        `${this.where}: the ManageSieve server offers no OAuth login (SASL: ${offered.join(' ') || 'none'}).`,
        'Log in with a password (or an admin/master login) for ManageSieve.',
      );
    }
    if (!offered.includes('PLAIN'))
      throw new PermanentError(
        ErrorCode.AuthFailed,
        `${this.where}: the ManageSieve server offers no PLAIN login${this.secured ? '' : ' without TLS'} (SASL: ${offered.join(' ') || 'none'}).`,
        this.secured
          ? 'Enable SASL PLAIN for ManageSieve on the server.'
          : 'Enable STARTTLS on the ManageSieve service (Cutover then logs in over TLS), or allow plain-text logins there.',
      );
    // SASL PLAIN: authzid NUL authcid NUL password; the authzid is the mailbox an admin/master login acts for.
    await this.sasl('PLAIN', b64(`${login.authzid ?? ''}\0${login.user}\0${login.password ?? ''}`));
  }

  /** AUTHENTICATE with an initial response; a challenge after it carries the server's reason (answered empty). */
  private async sasl(mechanism: string, response: string): Promise<void> {
    let reason = '';
    try {
      await this.command('AUTHENTICATE', [wireString(mechanism), wireString(response)], undefined, (text) => {
        reason = Buffer.from(text, 'base64').toString('utf8');
        this.socket.write('""\r\n');
      });
    } catch (err) {
      if (err instanceof SieveReplyError && reason)
        throw new SieveReplyError(err.verb, err.status, err.code, `${err.text} (the server said: ${reason})`);
      throw err;
    }
  }

  private attach(sock: net.Socket): void {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () =>
      this.fail(Object.assign(new Error('connection closed'), { code: 'EConnectionClosed' })),
    );
    sock.setTimeout(idleTimeoutMs(), () =>
      this.fail(Object.assign(new Error('socket timeout'), { code: 'ETIMEDOUT' })),
    );
  }

  /** Wait for a reply without sending anything (the greeting, the capabilities after STARTTLS). */
  private expect(verb: string, onChallenge?: Op['onChallenge']): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.ops.push({ verb, data: [], onChallenge, resolve, reject }));
  }

  /** Send one command (verb and encoded arguments); NO and BYE reject with a SieveReplyError. */
  private async command(
    verb: string,
    args: Buffer[],
    signal?: AbortSignal,
    onChallenge?: Op['onChallenge'],
  ): Promise<Reply> {
    throwIfAborted(signal);
    const reply = this.expect(verb, onChallenge);
    if (!this.failure) {
      const parts: Buffer[] = [Buffer.from(verb, 'latin1')];
      for (const a of args) parts.push(Buffer.from(' '), a);
      parts.push(Buffer.from('\r\n'));
      this.socket.write(Buffer.concat(parts));
    }
    if (!signal) return reply;
    // A stop request ends the session: its state is unknown once a command is cut off.
    const onAbort = () => this.fail(new AbortError(STOPPED));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await reply;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.buf.length > MAX_BUFFER) {
      this.fail(new WireError('a reply of more than 64 MB'));
      return;
    }
    try {
      this.pump();
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Hand complete response lines to the command waiting for them. */
  private pump(): void {
    while (this.buf.length > 0 && !this.failure) {
      const line = readResponseLine(this.buf);
      if (!line) return;
      this.buf = this.buf.subarray(line.used);
      const op = this.ops[0];
      const status = statusOf(line.tokens);
      if (!op) {
        // Unsolicited: only a BYE (the server ends an idle session) is expected here.
        this.fail(
          status?.status === 'BYE'
            ? new SieveReplyError('BYE', 'BYE', status.code, status.text)
            : new WireError('an unsolicited reply'),
        );
        return;
      }
      if (!status) {
        const only = line.tokens.length === 1 ? line.tokens[0] : undefined;
        if (op.onChallenge && only?.kind === 'string') op.onChallenge(only.value.toString('latin1'));
        else op.data.push(line.tokens);
        continue;
      }
      this.ops.shift();
      if (status.status === 'OK') op.resolve({ code: status.code, text: status.text, data: op.data });
      else {
        op.reject(new SieveReplyError(op.verb, status.status, status.code, status.text));
        if (status.status === 'BYE') this.fail(new SieveReplyError(op.verb, 'BYE', status.code, status.text));
      }
    }
  }

  /** End the session: every waiting command gets `err`. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const op of this.ops.splice(0)) op.reject(this.failure);
    this.socket?.destroy();
  }
}
