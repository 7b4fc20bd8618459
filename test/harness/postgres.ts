/**
 * Throwaway PostgreSQL servers (Debian's `postgresql`) for the store, queue and worker tests: `initdb` in a
 * temp folder, password logins (SCRAM) for one superuser, a free loopback port, durability switched off
 * (a test database is thrown away), stopped by its own PID. PostgreSQL refuses to run as root, so under
 * root (CI) the cluster belongs to the `postgres` system user the package creates.
 */
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensurePackages } from './debian-packages.js';
import {
  discardServer,
  freePort,
  logTail,
  reapOrphans,
  sleep,
  spawnServer,
  stopServer,
  systemUser,
} from './server-process.js';

export interface PgTestServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgres://USER:PASS@127.0.0.1:PORT/DB */
  url(db: string): string;
  /** A new empty database (a fresh name unless given); its URL. */
  createDatabase(name?: string): Promise<string>;
  pid: number;
  stop(): Promise<void>;
}

const USER = 'cutover';
const PASSWORD = 'pg-test-secret';

/** The newest installed server's bin folder (Debian keeps them off PATH, one folder per major version). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed: apt-get install postgresql');
  return path.join(root, versions[0]!, 'bin');
}

let counter = 0;

/** Start a private PostgreSQL; throws with the log tail if it does not come up. */
export async function startPostgres(): Promise<PgTestServer> {
  await ensurePackages(['postgresql']);
  const bin = binDir();
  reapOrphans('cutover-pg-');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-pg-'));
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const as = owner ? { uid: owner[0], gid: owner[1] } : {};
  const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  try {
    await chmod(dir, 0o700);
    const data = path.join(dir, 'data');
    await writeFile(path.join(dir, 'pwfile'), `${PASSWORD}\n`, { mode: 0o600 });
    if (owner) {
      await chown(dir, owner[0], owner[1]);
      await chown(path.join(dir, 'pwfile'), owner[0], owner[1]);
    }
    const init = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', USER, '--pwfile', path.join(dir, 'pwfile'), '--auth=scram-sha-256', '-E', 'UTF8'],
      { env, cwd: dir, encoding: 'utf8', ...as },
    );
    if (init.status !== 0) throw new Error(`initdb failed (${init.status}):\n${init.stdout}${init.stderr}`);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const s = spawnServer(
        path.join(bin, 'postgres'),
        [
          '-D',
          data,
          '-p',
          String(port),
          '-k',
          dir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=300',
        ],
        { dir, logFile: path.join(dir, 'postgres.log'), env, ...as },
      );
      const state = await waitForPg(s, port, 20_000);
      if (state === 'OK') {
        const url = (db: string) =>
          `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${db}`;
        return {
          host: '127.0.0.1',
          port,
          user: USER,
          password: PASSWORD,
          url,
          async createDatabase(name?: string) {
            const db = name ?? `t${process.pid}_${++counter}_${Date.now().toString(36)}`;
            const c = new pg.Client({ connectionString: url('postgres') });
            await c.connect();
            try {
              await c.query(`create database "${db}"`);
            } finally {
              await c.end();
            }
            return url(db);
          },
          pid: s.pid,
          stop: () => stopServer(s),
        };
      }
      const tail = await logTail(s);
      await discardServer(s);
      if (attempt < 5 && (state !== 'EXITED' || /in use/i.test(tail))) continue;
      throw new Error(`PostgreSQL did not start (${state}, port ${port}):\n${tail}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Until a login succeeds ('OK'), the process exits ('EXITED'), or the time is up ('TIMEOUT'). */
async function waitForPg(
  s: { child: { exitCode: number | null; signalCode: string | null } },
  port: number,
  ms: number,
): Promise<'OK' | 'EXITED' | 'TIMEOUT'> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return 'EXITED';
    const c = new pg.Client({
      host: '127.0.0.1',
      port,
      user: USER,
      password: PASSWORD,
      database: 'postgres',
    });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.end();
      return 'OK';
    } catch {
      await c.end().catch(() => undefined);
      await sleep(100);
    }
  }
  return 'TIMEOUT';
}
