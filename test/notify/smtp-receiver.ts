/** A real SMTP server for tests (smtp-server on a free loopback port) that keeps what it receives. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as received. */
export interface Received {
  rcpt: string[];
  subject: string;
  messageId: string;
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  received: Received[];
  /** Answer the next `n` DATA commands with 451 (a temporary failure). */
  deferNext(n: number): void;
  /** Refuse these recipients with 550. */
  refuse: Set<string>;
  /** Body of the messages to `to` (decoded quoted-printable soft breaks). */
  to(address: string): Received[];
  stop(): Promise<void>;
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
}

/** Start a receiver (no TLS, no authentication). */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: Received[] = [];
  const refuse = new Set<string>();
  let defer = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, cb) {
      cb(
        refuse.has(address.address.toLowerCase())
          ? Object.assign(new Error('No such user here'), { responseCode: 550 })
          : null,
      );
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (defer > 0) {
          defer--;
          return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          rcpt: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: header(raw, 'Subject'),
          messageId: header(raw, 'Message-ID'),
          raw: raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  return {
    port,
    received,
    refuse,
    deferNext: (n) => (defer = n),
    to: (address) => received.filter((r) => r.rcpt.includes(address.toLowerCase())),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
