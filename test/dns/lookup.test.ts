/** lookup() and query() against a real Knot DNS server: every type, NXDOMAIN, TXT strings, TCP fallback, failures. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { AbortError, CutoverError, ErrorCode } from '../../src/errors.js';
import { lookup, query, systemNameserver } from '../../src/dns/resolver.js';
import { udpExchange } from '../../src/dns/transport.js';
import { buildQuery, decodeMessage, RRType } from '../../src/dns/wire.js';
import { BIG_TXT, LONG_TXT, OLD_SPF, startKnot, type DnsTestServer } from '../harness/dns-server.js';

let dns: DnsTestServer;
before(async () => {
  dns = await startKnot();
});
after(async () => {
  await dns?.stop();
});
const at = () => ({ server: dns.address, timeoutMs: 2000 });

void test('each record type comes back decoded, names lower-case without the trailing dot', async () => {
  assert.deepEqual(await lookup('Example.TEST.', 'SOA', at()), [
    {
      name: 'example.test',
      type: 'SOA',
      ttl: 3600,
      value: 'ns1.example.test hostmaster.example.test 2024010101 3600 900 604800 300',
    },
  ]);
  assert.deepEqual(await lookup('example.test', 'NS', at()), [
    { name: 'example.test', type: 'NS', ttl: 3600, value: 'ns1.example.test' },
  ]);
  assert.deepEqual(await lookup('www.example.test', 'A', at()), [
    { name: 'www.example.test', type: 'A', ttl: 300, value: '192.0.2.10' },
  ]);
  assert.deepEqual(await lookup('www.example.test', 'AAAA', at()), [
    { name: 'www.example.test', type: 'AAAA', ttl: 300, value: '2001:db8::10' },
  ]);
  const mx = await lookup('example.test', 'MX', at());
  assert.deepEqual(
    mx.sort((a, b) => a.priority! - b.priority!),
    [
      { name: 'example.test', type: 'MX', ttl: 3600, priority: 10, value: 'mx1.old-mail.example' },
      { name: 'example.test', type: 'MX', ttl: 3600, priority: 20, value: 'mx2.old-mail.example' },
    ],
  );
  assert.deepEqual(await lookup('autodiscover.example.test', 'CNAME', at()), [
    { name: 'autodiscover.example.test', type: 'CNAME', ttl: 7200, value: 'autodiscover.old-mail.example' },
  ]);
  assert.deepEqual(await lookup('_imaps._tcp.example.test', 'SRV', at()), [
    {
      name: '_imaps._tcp.example.test',
      type: 'SRV',
      ttl: 3600,
      priority: 0,
      weight: 1,
      port: 993,
      value: 'imap.old-mail.example',
    },
  ]);
});

void test('an A lookup at a CNAME follows the chain inside the zone', async () => {
  const rs = await lookup('alias.example.test', 'A', at());
  assert.deepEqual(rs, [{ name: 'www.example.test', type: 'A', ttl: 300, value: '192.0.2.10' }]);
});

void test('TXT: several strings are kept and joined; a 300-character value arrives whole', async () => {
  const [multi] = await lookup('multi.example.test', 'TXT', at());
  assert.equal(multi?.value, 'first stringsecond string');
  assert.deepEqual(multi?.strings, ['first string', 'second string']);
  const spf = (await lookup('example.test', 'TXT', at())).find((r) => r.value.startsWith('v=spf1'));
  assert.deepEqual(spf?.strings, OLD_SPF);
  assert.equal(spf?.ttl, 86400);
  const [long] = await lookup('long.example.test', 'TXT', at());
  assert.equal(long?.value, LONG_TXT);
  assert.deepEqual(
    long?.strings?.map((s) => s.length),
    [255, 45],
  );
});

void test('an answer too big for UDP is truncated, and the lookup repeats it over TCP', async () => {
  const udp = decodeMessage(await udpExchange(dns.address, buildQuery('big.example.test', RRType.TXT), at()));
  assert.equal(udp.tc, true, 'the UDP answer is truncated');
  assert.ok(udp.answers.length < BIG_TXT.length);
  const rs = await lookup('big.example.test', 'TXT', at());
  assert.deepEqual(rs.map((r) => r.value).sort(), [...BIG_TXT].sort());
  assert.ok(BIG_TXT.join('').length > 1232, 'the RRset is larger than the EDNS UDP size Cutover advertises');
});

void test('NXDOMAIN and a name without that type are both empty', async () => {
  assert.deepEqual(await lookup('nothing-here.example.test', 'A', at()), []);
  assert.deepEqual(await lookup('www.example.test', 'MX', at()), []);
  const m = await query('nothing-here.example.test', RRType.A, at());
  assert.equal(m.rcode, 3, 'the server said NXDOMAIN');
});

void test('a name outside the served zones: REFUSED, as a permanent error saying what to do', async () => {
  await assert.rejects(lookup('example.com', 'A', at()), (err: CutoverError) => {
    assert.equal(err.code, ErrorCode.DnsQueryFailed);
    assert.match(err.message, /REFUSED for example\.com A/);
    assert.match(err.hint ?? '', /authoritative/);
    return true;
  });
});

void test('nothing listening on the port: a clear error, fast', async () => {
  const port = await closedPort();
  const t0 = Date.now();
  await assert.rejects(
    lookup('example.test', 'A', { server: { host: '127.0.0.1', port }, timeoutMs: 3000 }),
    (err: CutoverError) => {
      // Loopback returns ICMP port unreachable at once; a filtered network would time out instead.
      assert.ok(
        err.code === ErrorCode.ConnectionRefused || err.code === ErrorCode.ConnectionTimeout,
        `code ${err.code}`,
      );
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.ok(err.hint);
      return true;
    },
  );
  assert.ok(Date.now() - t0 < 3500, `took ${Date.now() - t0} ms`);
});

void test('a server that never answers: a timeout error within the time given', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  let received = 0;
  silent.on('message', () => received++);
  try {
    const port = silent.address().port;
    const t0 = Date.now();
    await assert.rejects(
      lookup('example.test', 'A', { server: { host: '127.0.0.1', port }, timeoutMs: 600 }),
      (err: CutoverError) => {
        assert.equal(err.code, ErrorCode.ConnectionTimeout);
        assert.match(err.message, /No DNS answer from 127\.0\.0\.1:\d+ \(UDP\) within 600 ms/);
        return true;
      },
    );
    const took = Date.now() - t0;
    assert.ok(took >= 550 && took < 1500, `took ${took} ms`);
    assert.equal(received, 2, 'the query was sent, and retransmitted once');
  } finally {
    silent.close();
  }
});

void test('an abort stops a lookup at once', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const server = { host: '127.0.0.1', port: silent.address().port };
    await assert.rejects(
      lookup('example.test', 'A', { server, timeoutMs: 5000, signal: ac.signal }),
      AbortError,
    );
    assert.ok(Date.now() - t0 < 1000);
  } finally {
    silent.close();
  }
});

void test('without a server, the first nameserver of /etc/resolv.conf (port 53) is asked', () => {
  const ns = systemNameserver();
  assert.equal(ns.port, 53);
  assert.ok(net.isIP(ns.host), ns.host);
});

/** A loopback port with nothing on it (UDP and TCP), as far as one can tell. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
