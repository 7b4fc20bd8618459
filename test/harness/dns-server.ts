/**
 * Throwaway authoritative DNS servers for tests: Knot DNS 3 from Debian (`knot`, `/usr/sbin/knotd`) with a
 * private config, zone files and database under a temp dir, on a free loopback port (UDP and TCP), and
 * two TSIG keys (hmac-sha256): one may update and transfer every zone, the other may only transfer.
 *
 * Why Knot and not BIND: one small YAML config and nothing else (no rndc key, root hints or default views),
 * it starts in well under a second, it runs in the foreground as the invoking user when the config sets no
 * `user` (no privilege drop, so root can read the temp dir and nothing needs chown), and Debian ships no
 * AppArmor profile for it (BIND's confines `named` to /etc/bind and /var/cache/bind, which would block a
 * config under /tmp where AppArmor is enforced).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TsigKey } from '../../src/dns/tsig.js';

const KNOTD = '/usr/sbin/knotd';

/** The zone every test server serves unless told otherwise. */
export const TEST_ZONE = 'example.test';

/** 12 TXT records of 200 characters: over 1232 bytes, so a UDP answer is truncated and TCP must follow. */
export const BIG_TXT = Array.from(
  { length: 12 },
  (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(198)}`,
);
/** A 300-character TXT value, split on the wire as 255 + 45. */
export const LONG_TXT = 'a'.repeat(255) + 'b'.repeat(45);
/** The old SPF, deliberately split into two strings in the middle (as long SPF records often are). */
export const OLD_SPF = ['v=spf1 ip4:192.0.2.0/24 ', 'include:_spf.old-mail.example -all'];

/** example.test as an old mail provider left it. */
export const TEST_ZONE_TEXT = [
  `$ORIGIN ${TEST_ZONE}.`,
  '$TTL 3600',
  '@            3600  IN SOA   ns1.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300',
  '@            3600  IN NS    ns1.example.test.',
  'ns1          3600  IN A     127.0.0.1',
  '@            3600  IN MX    10 mx1.old-mail.example.',
  '@            3600  IN MX    20 mx2.old-mail.example.',
  `@            86400 IN TXT   ${OLD_SPF.map((s) => `"${s}"`).join(' ')}`,
  '@            86400 IN TXT   "old-verification=abc123"',
  '@            3600  IN CAA   0 issue "letsencrypt.org"',
  'www          300   IN A     192.0.2.10',
  'www          300   IN AAAA  2001:db8::10',
  'alias        3600  IN CNAME www',
  'autodiscover 7200  IN CNAME autodiscover.old-mail.example.',
  'autoconfig   3600  IN A     192.0.2.20',
  '_imaps._tcp  3600  IN SRV   0 1 993 imap.old-mail.example.',
  'multi        3600  IN TXT   "first string" "second string"',
  `long         3600  IN TXT   "${LONG_TXT.slice(0, 255)}" "${LONG_TXT.slice(255)}"`,
  ...BIG_TXT.map((t) => `big          3600  IN TXT   "${t}"`),
  '',
].join('\n');

/** What a test server serves. */
export interface KnotOptions {
  /** Zone name → zone file text (BIND master-file format). Default: example.test as above. */
  zones?: Record<string, string>;
}

/** A running server; stop() it in a `finally` or `after` hook. */
export interface DnsTestServer {
  host: '127.0.0.1';
  port: number;
  /** `{ host, port }`, as the resolver's `server` option wants it. */
  address: { host: string; port: number };
  dir: string;
  pid: number;
  /** May update and transfer every zone. */
  updateKey: TsigKey;
  /** May transfer every zone, not update. */
  transferKey: TsigKey;
  /** The last lines of the server's log, for assertion messages. */
  logTail(): Promise<string>;
  /** SIGTERM, wait, SIGKILL after a timeout; removes the temp directory. */
  stop(): Promise<void>;
}

/** Install Knot when missing (root only); otherwise say what to install. */
export async function ensureKnot(): Promise<void> {
  if (existsSync(KNOTD)) return;
  if (process.getuid?.() !== 0) throw new Error(`${KNOTD} is missing; run: sudo apt-get install knot`);
  for (const args of [['update'], ['install', '-y', 'knot']]) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const child = spawn('apt-get', args, { stdio: 'inherit', env });
    const code = await new Promise((resolve) => child.on('close', resolve).on('error', () => resolve(-1)));
    if (code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${code})`);
  }
}

// Servers not yet stopped: a crashed or forgetful test run must not leave knotd processes behind.
const running = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const [child, dir] of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Start a private Knot on a free loopback port; throws with the log tail if it or a zone does not load. */
export async function startKnot(opts: KnotOptions = {}): Promise<DnsTestServer> {
  await ensureKnot();
  const zones = opts.zones ?? { [TEST_ZONE]: TEST_ZONE_TEXT };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-knot-'));
  try {
    for (const sub of ['run', 'db', 'zones']) await mkdir(path.join(dir, sub));
    for (const [zone, text] of Object.entries(zones))
      await writeFile(path.join(dir, 'zones', `${zone}.zone`), text);
    const key = (name: string): TsigKey => ({
      name,
      algorithm: 'hmac-sha256',
      secret: randomBytes(32).toString('base64'),
    });
    const updateKey = key('cutover-update');
    const transferKey = key('cutover-transfer');
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await writeFile(
        path.join(dir, 'knot.conf'),
        config(dir, port, Object.keys(zones), updateKey, transferKey),
      );
      const child = await launch(dir, port, Object.keys(zones));
      // Another process may take the probed port before Knot binds it: try another port.
      if (child === 'EADDRINUSE' && attempt < 5) continue;
      if (child === 'EADDRINUSE') throw new Error(`knotd: ports kept being taken\n${await logTail(dir)}`);
      running.set(child, dir);
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          if (!(await exited(child, 5_000))) child.kill('SIGKILL');
          await exited(child, 5_000);
        }
        running.delete(child);
        await rm(dir, { recursive: true, force: true });
      };
      const address = { host: '127.0.0.1', port };
      return {
        host: '127.0.0.1',
        port,
        address,
        dir,
        pid: child.pid!,
        updateKey,
        transferKey,
        stop,
        logTail: () => logTail(dir),
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function config(dir: string, port: number, zones: string[], update: TsigKey, transfer: TsigKey): string {
  return [
    '# Generated by test/harness/dns-server.ts. No `user`: knotd keeps the invoking user (root in CI).',
    'server:',
    `    rundir: "${dir}/run"`,
    `    listen: 127.0.0.1@${port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'log:',
    `  - target: "${dir}/knot.log"`,
    '    any: info',
    'database:',
    `    storage: "${dir}/db"`,
    'key:',
    ...[update, transfer].flatMap((k) => [
      `  - id: ${k.name}`,
      `    algorithm: ${k.algorithm}`,
      `    secret: ${k.secret}`,
    ]),
    'acl:',
    `  - id: update`,
    `    key: ${update.name}`,
    '    action: [update, transfer]',
    `  - id: transfer`,
    `    key: ${transfer.name}`,
    '    action: transfer',
    'template:',
    '  - id: default',
    `    storage: "${dir}/zones"`,
    '    file: "%s.zone"',
    '    acl: [update, transfer]',
    'zone:',
    ...zones.map((z) => `  - domain: ${z}`),
    '',
  ].join('\n');
}

/** Run knotd in the foreground and wait until every zone answers its SOA over UDP and TCP. */
async function launch(dir: string, port: number, zones: string[]): Promise<ChildProcess | 'EADDRINUSE'> {
  await rm(path.join(dir, 'knot.log'), { force: true });
  const child = spawn(KNOTD, ['-c', path.join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.on('error', (e) => (stderr += `\n${e.message}`));
  // A forgotten server must not keep the test process alive; the exit handler kills it.
  child.unref();
  (child.stderr as net.Socket).unref();
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(50)) {
    const log = await logTail(dir);
    if (child.exitCode !== null || child.signalCode !== null) {
      if (/address already in use/i.test(log + stderr)) return 'EADDRINUSE';
      throw new Error(
        `knotd exited during start-up (${child.exitCode ?? child.signalCode}):\n${stderr}\n${log}`,
      );
    }
    // A zone that does not parse or fails semantic checks is not served: no point waiting.
    if (/zone event 'load' failed|failed to (parse|load)|semantic check/i.test(log)) {
      child.kill('SIGKILL');
      throw new Error(`knotd could not load a zone:\n${log}`);
    }
    const ready = await Promise.all(
      zones.flatMap((z) => [soaAnswers(port, z, 'udp'), soaAnswers(port, z, 'tcp')]),
    );
    if (ready.every(Boolean)) return child;
  }
  child.kill('SIGKILL');
  throw new Error(
    `knotd did not serve ${zones.join(', ')} on port ${port} within 15 s:\n${stderr}\n${await logTail(dir)}`,
  );
}

/**
 * True when the port answers an authoritative SOA for `zone`. Hand-built query: the harness must not depend
 * on the code it helps to test.
 */
function soaAnswers(port: number, zone: string, proto: 'udp' | 'tcp'): Promise<boolean> {
  const labels = zone.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const id = Buffer.from([0x12, 0x34]);
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]); // flags 0, QDCOUNT 1
  const query = Buffer.concat([id, header, ...labels, Buffer.from([0, 0, 6, 0, 1])]); // SOA IN
  const ok = (m: Buffer) =>
    m.length > 12 &&
    m[0] === 0x12 &&
    m[1] === 0x34 &&
    (m[2]! & 0x84) === 0x84 &&
    (m[3]! & 0xf) === 0 &&
    m.readUInt16BE(6) > 0;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), 500);
    let done: (v: boolean) => void;
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      done = (v) => (clearTimeout(timer), s.close(), resolve(v));
      s.on('error', () => done(false));
      s.on('message', (m) => done(ok(m)));
      // Connected, so "port unreachable" fails at once instead of after the timeout.
      s.connect(port, '127.0.0.1', () => s.send(query));
    } else {
      const s = net.connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      done = (v) => (clearTimeout(timer), s.destroy(), resolve(v));
      s.on('error', () => done(false));
      s.on('connect', () => s.write(Buffer.concat([Buffer.from([0, query.length]), query])));
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(ok(buf.subarray(2)));
      });
    }
  });
}

async function logTail(dir: string): Promise<string> {
  const log = await readFile(path.join(dir, 'knot.log'), 'utf8').catch(() => '(no log file)');
  return log.split('\n').slice(-30).join('\n');
}

/** A port free for both TCP and UDP a moment ago; the race that remains is why start retries. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer().on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.on('error', () => (s.close(), resolve(false)));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** Resolves true once `child` has exited, false after `ms`. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => (clearTimeout(timer), resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
