/**
 * A bare IMAP client for tests that must see a server's exact words and bytes: what imapflow would hide
 * or refuse to send (an empty literal, NUL bytes in a plain literal, a literal without a header section)
 * and the verbatim text of every refusal. One command at a time; responses are kept as raw bytes,
 * literals included, so a test can compare a fetched body byte for byte.
 */
import net from 'node:net';

/** A literal argument: `{n}` (synchronising), `{n+}` (LITERAL+) or `~{n}` (RFC 3516 literal8). */
export type Literal = { literal: Buffer; form?: 'sync' | 'plus' | 'binary' };

/** A tagged completion and the untagged responses before it (each with its literals, raw). */
export type RawResult = { status: 'OK' | 'NO' | 'BAD'; text: string; tagged: string; untagged: Buffer[] };

/** One connection; create with RawImap.connect(), end with close(). */
export class RawImap {
  /** The server's greeting line, without CRLF. */
  greeting = '';
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended = false;
  private seq = 0;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
    const end = () => ((this.ended = true), this.waiter?.());
    sock.on('close', end);
    sock.on('error', end);
  }

  /** Connect and read the greeting. */
  static async connect(port: number, host = '127.0.0.1'): Promise<RawImap> {
    const sock = net.connect(port, host);
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    const c = new RawImap(sock);
    c.greeting = (await c.readResponse()).toString('latin1').replace(/\r\n$/, '');
    return c;
  }

  /** Connect and LOGIN; throws with the server's words if the login is refused. */
  static async login(port: number, user: string, password: string): Promise<RawImap> {
    const c = await RawImap.connect(port);
    const r = await c.command(`LOGIN ${quote(user)} ${quote(password)}`);
    if (r.status !== 'OK') throw new Error(`LOGIN refused: ${r.tagged}`);
    return c;
  }

  /**
   * Send one command (parts joined as given: strings verbatim, literals announced and sent) and collect
   * the responses up to its tagged completion. A synchronising literal the server refuses ends the
   * command early with that refusal.
   */
  async command(...parts: Array<string | Literal>): Promise<RawResult> {
    const tag = `t${++this.seq}`;
    const untagged: Buffer[] = [];
    let pending = `${tag} `;
    for (const part of parts) {
      if (typeof part === 'string') {
        pending += part;
        continue;
      }
      const n = part.literal.length;
      const form = part.form ?? 'sync';
      pending += form === 'plus' ? `{${n}+}\r\n` : form === 'binary' ? `~{${n}}\r\n` : `{${n}}\r\n`;
      this.sock.write(pending);
      pending = '';
      if (form !== 'plus') {
        const resp = await this.readResponse();
        if (!resp.toString('latin1').startsWith('+')) {
          // Refused instead of continued: the command is over (tagged), or an untagged line came first.
          const done = this.complete(tag, resp, untagged);
          if (done) return done;
          for (;;) {
            const next = await this.readResponse();
            if (next.toString('latin1').startsWith('+')) break;
            const d = this.complete(tag, next, untagged);
            if (d) return d;
          }
        }
      }
      this.sock.write(part.literal);
    }
    this.sock.write(`${pending}\r\n`);
    for (;;) {
      const resp = await this.readResponse();
      const done = this.complete(tag, resp, untagged);
      if (done) return done;
    }
  }

  /** LOGOUT and close the socket. */
  async close(): Promise<void> {
    if (!this.ended) await this.command('LOGOUT').catch(() => undefined);
    this.sock.destroy();
  }

  private complete(tag: string, resp: Buffer, untagged: Buffer[]): RawResult | undefined {
    const line = resp.toString('latin1').replace(/\r\n$/, '');
    if (!line.startsWith(`${tag} `)) {
      untagged.push(resp);
      return undefined;
    }
    const m = /^\S+ (OK|NO|BAD) ?(.*)$/s.exec(line);
    if (!m) throw new Error(`unexpected completion: ${line}`);
    return { status: m[1] as RawResult['status'], text: m[2]!, tagged: line, untagged };
  }

  /** One response: a line, plus every literal it announces ({n} / ~{n} at a line end) and what follows. */
  private async readResponse(): Promise<Buffer> {
    let start = 0;
    for (;;) {
      const eol = this.buf.indexOf('\r\n', start);
      if (eol < 0) {
        await this.more();
        continue;
      }
      const m = /~?\{(\d+)\}$/.exec(this.buf.subarray(start, eol).toString('latin1'));
      if (!m) {
        const out = this.buf.subarray(0, eol + 2);
        this.buf = this.buf.subarray(eol + 2);
        return out;
      }
      const literalEnd = eol + 2 + Number(m[1]);
      while (this.buf.length < literalEnd) await this.more();
      start = literalEnd;
    }
  }

  private more(): Promise<void> {
    if (this.ended) return Promise.reject(new Error('connection closed by the server'));
    return new Promise((resolve) => {
      this.waiter = () => {
        this.waiter = undefined;
        resolve();
      };
    });
  }
}

/** An IMAP quoted string (for names without CR, LF or NUL). */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The bytes of the first literal in a raw response (e.g. the body in `* 1 FETCH (BODY[] {n}`). */
export function firstLiteral(resp: Buffer): Buffer | undefined {
  const text = resp.toString('latin1');
  const m = /~?\{(\d+)\}\r\n/.exec(text);
  if (!m) return undefined;
  const at = m.index + m[0].length;
  return resp.subarray(at, at + Number(m[1]));
}
