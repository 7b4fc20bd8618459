/**
 * Sending DNS messages: UDP (one datagram each way, retransmitted once) and TCP (RFC 1035 §4.2.2 2-byte
 * length prefix; RFC 7766), each bounded by a timeout and stopped by an AbortSignal.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { AbortError, ErrorCode, TransientError, throwIfAborted } from '../errors.js';

/** Where a DNS server listens. */
export interface DnsServerAddress {
  host: string;
  port: number;
}

/** Limits of one exchange. */
export interface ExchangeOptions {
  /** UDP: for the whole exchange. TCP: for the connection and then between two reads. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Send `query` by UDP; resolves with the first datagram carrying the query's ID. */
export function udpExchange(server: DnsServerAddress, query: Buffer, opts: ExchangeOptions): Promise<Buffer> {
  throwIfAborted(opts.signal);
  const id = query.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const onAbort = () => finish(new AbortError());
    const finish = (err: Error | undefined, answer?: Buffer) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(socketError(server, 'UDP', e)));
    // A connected socket only hears from the server, and gets ICMP "port unreachable" as ECONNREFUSED.
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) finish(undefined, msg);
    });
    const send = () => socket.send(query, (e) => e && finish(socketError(server, 'UDP', e)));
    socket.connect(server.port, server.host, () => {
      send();
      // Datagrams get lost: send once more halfway through the timeout (RFC 1035 §4.2.1 retransmission).
      timers.push(setTimeout(send, opts.timeoutMs / 2));
    });
    timers.push(setTimeout(() => finish(timeout(server, 'UDP', opts.timeoutMs)), opts.timeoutMs));
  });
}

/**
 * Send `query` by TCP and hand each answer message to `onMessage` until it returns 'done' (a zone transfer
 * is many messages). Messages whose ID differs from the query's are dropped.
 */
export function tcpExchange(
  server: DnsServerAddress,
  query: Buffer,
  opts: ExchangeOptions,
  onMessage: (msg: Buffer) => 'more' | 'done',
): Promise<void> {
  throwIfAborted(opts.signal);
  const id = query.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let buf: Buffer = Buffer.alloc(0);
    let settled = false;
    const onAbort = () => finish(new AbortError());
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(opts.timeoutMs, () => finish(timeout(server, 'TCP', opts.timeoutMs)));
    socket.on('error', (e: NodeJS.ErrnoException) => finish(socketError(server, 'TCP', e)));
    socket.on('close', () =>
      finish(
        new TransientError(
          ErrorCode.ConnectionLost,
          `The DNS server at ${server.host}:${server.port} closed the TCP connection before it had answered`,
          'Retry; if it keeps happening, the server may limit TCP clients or zone transfers.',
        ),
      ),
    );
    socket.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      socket.write(Buffer.concat([len, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (!settled && buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        if (msg.length < 2 || msg.readUInt16BE(0) !== id) continue;
        try {
          if (onMessage(msg) === 'done') finish();
        } catch (err) {
          finish(err as Error);
        }
      }
    });
  });
}

function timeout(server: DnsServerAddress, proto: string, ms: number): TransientError {
  return new TransientError(
    ErrorCode.ConnectionTimeout,
    `No DNS answer from ${server.host}:${server.port} (${proto}) within ${ms} ms`,
    'Check the server address and port and that a firewall lets DNS through; raise the timeout for a slow server.',
  );
}

function socketError(server: DnsServerAddress, proto: string, e: NodeJS.ErrnoException): TransientError {
  if (e.code === 'ECONNREFUSED')
    return new TransientError(
      ErrorCode.ConnectionRefused,
      `Nothing answers DNS at ${server.host}:${server.port} (${proto}: connection refused)`,
      'Check the server address and port, and that the DNS server is running.',
      { cause: e },
    );
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new TransientError(
      ErrorCode.DnsNotFound,
      `The DNS server's own name ${server.host} does not resolve`,
      'Give the DNS server as an IP address.',
      { cause: e },
    );
  return new TransientError(
    ErrorCode.ConnectionLost,
    `DNS over ${proto} to ${server.host}:${server.port} failed: ${e.message}`,
    'Retry; check the network if it persists.',
    { cause: e },
  );
}
