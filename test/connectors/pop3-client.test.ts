/**
 * The POP3 client against scripted loopback servers, for what a stock Dovecot does not do on demand: an
 * XOAUTH2 refusal with its error challenge (and a token too long for an initial response), a locked
 * mailbox, a stalled greeting; and the listing's loud failure when two UIDLs give one key.
 */
import net from 'node:net';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerSpec } from '../../src/config/types.js';
import { AbortError, ErrorCode, PermanentError, TransientError } from '../../src/errors.js';
import { Pop3Client } from '../../src/connectors/pop3/pop3-client.js';
import { buildListing } from '../../src/connectors/pop3/pop3-listing.js';
import { itemKey as uidOfUidl } from '../../src/connectors/shared/item-key.js';

/** A server that greets, then answers each command line with `reply(line)` (undefined = say nothing). */
async function scripted(
  reply: (line: string, seen: string[]) => string | undefined,
  greeting: string | null = '+OK ready\r\n',
): Promise<{ port: number; seen: string[]; close: () => void }> {
  const seen: string[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    if (greeting) s.write(greeting);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        seen.push(line);
        const out = reply(line, seen);
        if (out !== undefined) s.write(out);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const spec = (port: number): ServerSpec => ({
  kind: 'pop3',
  host: '127.0.0.1',
  port,
  tls: 'none',
  allowInvalidCertificates: false,
  maxConnections: 1,
});

const CAPA = '+OK\r\nUSER\r\nUIDL\r\nTOP\r\nSASL PLAIN XOAUTH2\r\n.\r\n';

describe('Pop3Client', () => {
  test('a refused OAuth token: the error challenge is answered, the reason shown, the token never', async () => {
    const token = 'ya29.' + 'x'.repeat(400); // too long for an initial response (255 octets)
    const why = Buffer.from('{"status":"401","schemes":"Bearer"}').toString('base64');
    const srv = await scripted((line) => {
      if (line === 'CAPA') return CAPA;
      if (line === 'AUTH XOAUTH2') return '+ \r\n';
      if (line.startsWith('dXNlcj1')) return `+ ${why}\r\n`;
      if (line === '') return '-ERR [AUTH] Authentication failed.\r\n';
      return '-ERR unexpected\r\n';
    });
    try {
      const err = await Pop3Client.connect(
        spec(srv.port),
        { user: 'carol', accessToken: token },
        'carol on test',
      ).then(
        () => assert.fail('should be refused'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PermanentError, String(err));
      assert.equal(err.code, ErrorCode.AuthFailed);
      assert.match(err.message, /OAuth access token was refused/);
      assert.match(err.message, /"status":"401"/);
      assert.doesNotMatch(err.describe(), /ya29/);
      assert.deepEqual(srv.seen.slice(0, 2), ['CAPA', 'AUTH XOAUTH2']);
      assert.equal(
        Buffer.from(srv.seen[2]!, 'base64').toString(),
        `user=carol\x01auth=Bearer ${token}\x01\x01`,
      );
    } finally {
      srv.close();
    }
  });

  test('a locked mailbox is retried later; a wrong password is permanent and says so', async () => {
    for (const [answer, kind, code] of [
      ['-ERR [IN-USE] Mailbox is locked by another session\r\n', TransientError, ErrorCode.Busy],
      ['-ERR [AUTH] Authentication failed.\r\n', PermanentError, ErrorCode.AuthFailed],
    ] as const) {
      const srv = await scripted((line) =>
        line === 'CAPA'
          ? CAPA
          : line.startsWith('USER')
            ? '+OK\r\n'
            : line.startsWith('PASS')
              ? answer
              : '-ERR\r\n',
      );
      try {
        const err = await Pop3Client.connect(
          spec(srv.port),
          { user: 'u', password: 'hunter2' },
          'u on test',
        ).then(
          () => assert.fail('should be refused'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof kind, String(err));
        assert.equal((err as TransientError).code, code);
        assert.doesNotMatch((err as Error).message, /hunter2/);
      } finally {
        srv.close();
      }
    }
  });

  test('a stop request ends a session waiting for a greeting that never comes', async () => {
    const srv = await scripted(() => undefined, null);
    try {
      const stop = new AbortController();
      const t0 = Date.now();
      setTimeout(() => stop.abort(), 200);
      await assert.rejects(
        Pop3Client.connect(spec(srv.port), { user: 'u', password: 'p' }, 'u on silent', stop.signal),
        (err: unknown) => err instanceof AbortError,
      );
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      srv.close();
    }
  });
});

describe('POP3 listing', () => {
  test('keys are deterministic 48-bit integers', () => {
    assert.equal(uidOfUidl('000000016b02acad'), uidOfUidl('000000016b02acad'));
    assert.notEqual(uidOfUidl('a'), uidOfUidl('b'));
    assert.ok(Number.isSafeInteger(uidOfUidl('x')) && uidOfUidl('x') < 2 ** 48);
    const l = buildListing(['1 aa', '2 bb'], ['1 100', '2 200'], 'w');
    assert.deepEqual(
      l.entries.map((e) => [e.num, e.size]),
      [
        [1, 100],
        [2, 200],
      ],
    );
    assert.equal(l.state.messages, 2);
    assert.equal(l.state.uidNext, Math.max(uidOfUidl('aa'), uidOfUidl('bb')) + 1);
  });

  test('two UIDLs with one key, or one UIDL twice, fail loudly', () => {
    assert.throws(
      () => buildListing(['1 aa', '2 bb'], ['1 1', '2 1'], 'w', () => 42),
      (e: unknown) => e instanceof PermanentError && /"aa".*"bb".*same key/.test(e.message),
    );
    assert.throws(
      () => buildListing(['1 aa', '2 aa'], ['1 1', '2 1'], 'w'),
      (e: unknown) => e instanceof PermanentError && /same UIDL "aa"/.test(e.message),
    );
  });
});
