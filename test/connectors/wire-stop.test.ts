/**
 * The raw IMAP connections against servers that stall (real sockets on loopback): a stop request ends
 * a connect that waits for a greeting, and a connect that never completes gives up with a clear error.
 */
import net from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortError, ErrorCode } from '../../src/errors.js';
import { RawFetcher } from '../../src/connectors/imap/raw-fetcher.js';
import type { ServerSpec } from '../../src/config/types.js';

/** A server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const spec = (port: number): ServerSpec => ({
  kind: 'imap',
  host: '127.0.0.1',
  port,
  tls: 'none',
  allowInvalidCertificates: false,
  maxConnections: 1,
});

test('a stop request ends a connection waiting for a greeting that never comes', async () => {
  const silent = await silentServer();
  try {
    const stop = new AbortController();
    const t0 = Date.now();
    setTimeout(() => stop.abort(), 200);
    await assert.rejects(
      RawFetcher.connect(spec(silent.port), { user: 'u', password: 'p' }, 'u on silent', stop.signal),
      (err: unknown) => err instanceof AbortError && err.code === ErrorCode.Aborted,
    );
    assert.ok(Date.now() - t0 < 5000, 'stopped at once, not after a socket timeout');
  } finally {
    silent.close();
  }
});
