/**
 * A fault-injecting TCP proxy for plaintext IMAP, put in front of a source or destination server to prove
 * that a pass survives what real servers and networks do: connections cut at random byte counts, answers
 * `NO [UNAVAILABLE]` / `NO [THROTTLED]` / `* BYE`, refused connections, a cap on connections per user
 * (answered as Dovecot answers), stalls, lost answers, and plain latency (`delay`, reused by speed work).
 * Faults are drawn from a seeded generator per connection, so a failure reproduces with the same seed and
 * the same connection order. The profile syntax is in fault-profile.ts.
 *
 * Programmatic: `const p = await startFaultProxy({ target: { host, port }, profile: 'cut:0.3', seed: 7 })`,
 * then point the client at `p.port`, read `p.stats`, `await p.stop()`.
 * CLI: `node --import tsx bench/fault-proxy.ts --target 127.0.0.1:143 --profile cut:0.02,bye:0.01 [--port N]
 * [--seed N]` — prints the port, and the stats every 10 s and on Ctrl-C.
 */
import net from 'node:net';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { prng } from './corpus.js';
import { emptyStats, parseProfile, type FaultProfile, type FaultStats } from './fault-profile.js';
import { FaultSession, type CommandLog, type UserCounts } from './fault-session.js';

/** How long the port stops listening for a `refuse:…@down` fault. */
const DOWN_MS = 250;

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** A profile string (see fault-profile.ts) or an already parsed one. */
  profile: string | FaultProfile;
  /** Seed of the fault generator (default 1). */
  seed?: number;
  /** Port to listen on, on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Log every command and its tagged answer with the connection's number (see CommandLog). */
  log?: CommandLog;
}

export interface FaultProxy {
  port: number;
  /** Every fault injected so far (live). */
  stats: FaultStats;
  /** Change the faults from now on (new connections and new commands), e.g. none for a clean rerun. */
  setProfile(profile: string | FaultProfile): void;
  /** Stop listening and close every proxied connection. */
  stop(): Promise<void>;
}

/** Start a proxy on 127.0.0.1. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const toProfile = (p: string | FaultProfile) => (typeof p === 'string' ? parseProfile(p) : p);
  let profile = toProfile(opts.profile);
  const seed = opts.seed ?? 1;
  const draw = prng(seed);
  const stats = emptyStats();
  const users: UserCounts = new Map();
  const sockets = new Set<net.Socket>();
  let stopped = false;
  let port = opts.port ?? 0;

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const n = ++stats.connections;
    const refuse = profile.refuse;
    if (refuse && draw() < refuse.share) {
      stats.refused++;
      if (refuse.how === 'close') client.destroy();
      else client.resetAndDestroy();
      if (refuse.how === 'down') void goDown();
      return;
    }
    // One generator per connection: its faults do not depend on how other connections interleave.
    const log = opts.log && { write: opts.log, conn: n };
    const session = new FaultSession(client, opts.target, profile, prng(seed * 7919 + n), stats, users, log);
    client.on('close', () => session.close());
  });
  server.on('error', () => undefined);

  let down = false;
  /** Stop listening for a moment: connects in that window are refused by the kernel (ECONNREFUSED). */
  async function goDown(): Promise<void> {
    if (down || stopped) return;
    down = true;
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise((r) => setTimeout(r, DOWN_MS));
    // Listen again on the same port; another process may hold it for a moment.
    for (let i = 0; i < 20 && !stopped; i++) {
      try {
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    down = false;
  }

  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
  return {
    port,
    stats,
    setProfile: (p) => {
      profile = toProfile(p);
    },
    stop: async () => {
      stopped = true;
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      profile: { type: 'string', default: '' },
      seed: { type: 'string', default: '1' },
      port: { type: 'string' },
    },
  });
  const m = /^(.+):(\d+)$/.exec(values.target ?? '');
  if (!m) throw new Error('--target HOST:PORT is required, e.g. --target 127.0.0.1:143');
  const proxy = await startFaultProxy({
    target: { host: m[1]!, port: Number(m[2]) },
    profile: values.profile,
    seed: Number(values.seed),
    port: values.port ? Number(values.port) : undefined,
  });
  const show = () => process.stderr.write(`${JSON.stringify(proxy.stats)}\n`);
  process.stdout.write(
    `fault proxy on 127.0.0.1:${proxy.port} → ${m[1]}:${m[2]} (${values.profile || 'no faults'})\n`,
  );
  const timer = setInterval(show, 10_000);
  process.once('SIGINT', () => {
    clearInterval(timer);
    show();
    void proxy.stop();
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
