/**
 * Scale-out on a real PostgreSQL (the harness's initdb on a free port) and a real Dovecot pair: `cutover
 * migrate --enqueue/--wait` records a pass on the database, two `cutover worker` processes share it, one is
 * killed with SIGKILL in the middle of a mailbox, a replacement takes its mailbox over after the lease, and
 * the destination ends up exactly as the source (no message lost, none twice); a second pass copies nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';
import { CLI, cli, snapshot, tempDataDir } from './helpers.js';

const names = ['ann', 'bob', 'cat', 'dan'];
const users = names.map((u) => ({ user: u, password: `pw-${u}` }));
const master = { user: 'admin', password: 'master-secret' };
let src: DovecotServer, dst: DovecotServer, db: PgTestServer;

const body = (n: number) => `${`line ${n} `.repeat(40)}\r\n`.repeat(40); // ~16 KB

before(async () => {
  [src, dst, db] = await Promise.all([
    startDovecot({ layout: 'maildir++', users, masterUser: master }),
    startDovecot({ layout: 'fs', users, masterUser: master }),
    startPostgres(),
  ]);
  for (const u of users)
    await seedMessages(
      src,
      u.user,
      u.password,
      'INBOX',
      Array.from({ length: 300 }, (_, n) => ({
        raw: `Message-ID: <${u.user}-${n}@w>\r\nSubject: ${n}\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n${body(n)}`,
      })),
    );
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop(), db?.stop()]);
});

function writeProject(dir: string): string {
  fs.writeFileSync(
    path.join(dir, 'mailboxes.csv'),
    `source,destination\n${names.map((n) => `${n},${n}`).join('\n')}\n`,
  );
  const file = path.join(dir, 'cutover.yaml');
  const side = (port: number) =>
    `  host: 127.0.0.1\n  port: ${port}\n  tls: none\n  admin: { user: admin, password: master-secret, mode: master }\n`;
  fs.writeFileSync(
    file,
    `name: Workers\nsource:\n${side(src.imapPort)}destination:\n${side(dst.imapPort)}mailboxes: mailboxes.csv\nconcurrency: { mailboxes: 4, foldersPerMailbox: 1 }\n`,
  );
  return file;
}

/** What the workers wrote (their log), for the messages of failed assertions. */
const logs: string[] = [];

function worker(env: Record<string, string>, url: string): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--database-url', url, '--concurrency', '2'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => logs.push(`[${child.pid}] ${d.toString()}`));
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) =>
    c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code)),
  );

test('two workers share a pass; one killed mid-mailbox; the replacement finishes it exactly', async () => {
  const dir = tempDataDir();
  const file = writeProject(dir);
  const url = await db.createDatabase();
  const env = {
    CUTOVER_SECRET_KEY: randomBytes(32).toString('base64'),
    CUTOVER_LEASE_SECONDS: '3',
    CUTOVER_DATA_DIR: path.join(dir, 'data'),
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const a = worker(env, url);
  const b = worker(env, url);
  const waiting = cli(['migrate', '--project', file, '--database-url', url, '--wait'], env);
  // Kill whichever worker is caught in the middle of a mailbox (some of its messages copied, not all).
  const byId = new Map([a, b].map((w) => [`${hostname()}:${w.pid}`, w]));
  let killedIn: number | undefined;
  let killed: ChildProcess | undefined;
  for (let i = 0; i < 600 && killedIn === undefined; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const r = await client
      .query<{ worker: string; mailbox_id: number; n: string }>(
        `select rm.worker, rm.mailbox_id, (select count(*) from ledger l where l.mailbox_id = rm.mailbox_id and l.status = 'copied') as n
         from run_mailboxes rm where rm.state = 'running'`,
      )
      .catch(() => ({ rows: [] as Array<{ worker: string; mailbox_id: number; n: string }> }));
    const mid = r.rows.find((x) => byId.has(x.worker) && Number(x.n) >= 20 && Number(x.n) < 280);
    if (mid) {
      killed = byId.get(mid.worker)!;
      killed.kill('SIGKILL');
      killedIn = mid.mailbox_id;
    }
  }
  assert.ok(
    killedIn !== undefined && killed,
    `a worker was caught in the middle of a mailbox:\n${logs.join('')}`,
  );
  await exited(killed);
  const c = worker(env, url); // the replacement
  const run = await waiting;
  assert.equal(run.code, 0, run.stderr);
  for (const u of users)
    assert.deepEqual(
      await snapshot(dst, u.user, u.password),
      await snapshot(src, u.user, u.password),
      u.user,
    );
  const rows = await client.query<{ n: string }>(`select count(*) as n from ledger where status = 'copied'`);
  assert.equal(Number(rows.rows[0]!.n), names.length * 300, 'each message copied once in the ledger');
  // A delta pass afterwards copies nothing.
  const delta = await cli(
    ['migrate', '--project', file, '--database-url', url, '--wait', '--format', 'json'],
    env,
  );
  assert.equal(delta.code, 0, delta.stderr);
  const out = JSON.parse(delta.stdout) as { mailboxes: Array<{ counters: { copied: number } | null }> };
  assert.deepEqual(
    out.mailboxes.map((m) => m.counters?.copied),
    names.map(() => 0),
  );
  // SIGTERM: a worker finishes or hands back and exits 0 promptly.
  const t0 = Date.now();
  const alive = [a, b, c].filter((w) => w !== killed);
  for (const w of alive) w.kill('SIGTERM');
  assert.deepEqual(await Promise.all(alive.map(exited)), [0, 0]);
  assert.ok(Date.now() - t0 < 30_000);
  // No SQLite file anywhere in the data directory: everything is in PostgreSQL.
  const sqlite = fs.existsSync(env.CUTOVER_DATA_DIR)
    ? fs.readdirSync(env.CUTOVER_DATA_DIR).filter((f) => f.endsWith('.sqlite'))
    : [];
  assert.deepEqual(sqlite, []);
  await client.end();
});
