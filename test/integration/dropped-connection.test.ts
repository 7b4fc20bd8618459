/**
 * Dropped connections mid-write: a loopback TCP proxy in front of the destination cuts the connection in the
 * middle of an APPEND (and again later). The run must retry, resolve the interrupted writes against the
 * destination by fingerprint, and end with every message exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { migrate, snapshot, tempDataDir } from './helpers.js';
import { resolveTarget } from '../../src/cli/context.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = [{ user: 'drop', password: 'pw-drop' }];

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** A proxy that cuts every connection carrying an APPEND after `cutAfter` bytes, `cuts` times in all. */
function cuttingProxy(
  target: number,
  cutAfter: number,
  cuts: number,
): Promise<{ port: number; cutsDone: () => number; close: () => void }> {
  let done = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    let sent = 0;
    let appending = false;
    client.on('data', (chunk: Buffer) => {
      if (!appending && /APPEND /.test(chunk.toString('latin1'))) appending = true;
      if (appending) sent += chunk.length;
      if (appending && done < cuts && sent > cutAfter) {
        done++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        cutsDone: () => done,
        close: () => server.close(),
      }),
    ),
  );
}

test('connections cut mid-APPEND are retried without losing or duplicating a message', async () => {
  await seedMessages(
    src,
    'drop',
    'pw-drop',
    'INBOX',
    Array.from({ length: 300 }, (_, i) => ({
      raw: makeMessage({
        subject: `drop ${i}`,
        sizeBytes: 20_000 + i * 97,
        messageId: i % 10 ? undefined : null,
      }),
      flags: i % 2 ? ['\\Seen'] : [],
    })),
  );
  const proxy = await cuttingProxy(dst.imapPort, 300_000, 2);
  try {
    const project = resolveTarget({
      from: `imap://drop:pw-drop@127.0.0.1:${src.imapPort}`,
      to: `imap://drop:pw-drop@127.0.0.1:${proxy.port}`,
      folders: '1',
    }).project;
    const { outcomes, reports } = await migrate(tempDataDir(), project, { verify: true });
    assert.equal(proxy.cutsDone(), 2, 'the proxy really cut two connections');
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.ok(reports[0]!.reconciles, reports[0]!.discrepancy);
    assert.equal(reports[0]!.totals.copied, 300);
    assert.deepEqual(await snapshot(dst, 'drop', 'pw-drop'), await snapshot(src, 'drop', 'pw-drop'));
  } finally {
    proxy.close();
  }
});
