/**
 * Slow clients: 300 connections that send a request's headers and then trickle its body one byte a second
 * (a slowloris on bodies) are each cut off by the request timeout (30 s for the whole request), while a
 * normal request made meanwhile still answers fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { tempDataDir } from '../integration/helpers.js';
import { request, serve } from './serve.js';

const SLOW = 300;

test(
  '300 trickled bodies are cut off within 30 s while normal requests answer fast',
  { timeout: 90_000 },
  async (t) => {
    const s = await serve(['--data-dir', tempDataDir()]);
    t.after(() => s.stop());
    const started = Date.now();
    const closedAfter: number[] = [];
    const sockets: net.Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    t.after(() => {
      for (const x of timers) clearInterval(x);
      for (const x of sockets) x.destroy();
    });
    await Promise.all(
      Array.from(
        { length: SLOW },
        () =>
          new Promise<void>((resolve, reject) => {
            const sock = net.connect(s.port, '127.0.0.1', () => {
              sock.write(
                'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{',
              );
              timers.push(setInterval(() => sock.writable && sock.write(' '), 1000));
              resolve();
            });
            sock.on('error', () => undefined); // a reset after the server's 408 is fine
            sock.on('close', () => closedAfter.push(Date.now() - started));
            sock.once('error', reject);
            sockets.push(sock);
          }),
      ),
    );

    const latencies: number[] = [];
    while (closedAfter.length < SLOW && Date.now() - started < 45_000) {
      const t0 = Date.now();
      const r = await request(s.base, { path: '/api/session' });
      assert.equal(r.status, 401);
      latencies.push(Date.now() - t0);
      await new Promise((r2) => setTimeout(r2, 500));
    }
    assert.equal(
      closedAfter.length,
      SLOW,
      `${closedAfter.length} of ${SLOW} trickling connections were cut off`,
    );
    const last = Math.max(...closedAfter);
    assert.ok(
      Math.min(...closedAfter) >= 25_000,
      `one was cut after ${Math.min(...closedAfter)} ms, before the timeout`,
    );
    assert.ok(last <= 35_000, `the last one was cut after ${last} ms`);
    assert.ok(latencies.length >= 40, `${latencies.length} normal requests made meanwhile`);
    assert.ok(Math.max(...latencies) < 2000, `normal requests took up to ${Math.max(...latencies)} ms`);
    // And the server is still there.
    assert.equal((await request(s.base, { path: '/api/session' })).status, 401);
  },
);
