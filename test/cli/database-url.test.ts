/**
 * The store in PostgreSQL as users run it: the built CLI (bin/cutover.js → dist/, `npm run -s build` first) as a
 * child process, a throwaway PostgreSQL from test/harness/postgres.ts, an mbox source and a file:// destination
 * (no mail server needed). With --database-url (or CUTOVER_DATABASE_URL) no SQLite file is created anywhere;
 * two runs of one project on one database are refused; migrate-store moves a data directory's project into
 * PostgreSQL, and status and report read the same mailboxes and ledger counts there; a database that holds
 * something is refused; serve keeps its operators there; a wrong URL, password or database name is said plainly, without the password.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStoreAt } from '../../src/store/db.js';
import { OperatorRepo } from '../../src/store/operator-repo.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';

const CLI = path.resolve('bin/cutover.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-dburl-'));

/** Run the CLI in `cwd` with CUTOVER_DATA_DIR and CUTOVER_DATABASE_URL cleared unless given. */
function run(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (!opts.env?.CUTOVER_DATA_DIR) delete env.CUTOVER_DATA_DIR;
  if (!opts.env?.CUTOVER_DATABASE_URL) delete env.CUTOVER_DATABASE_URL;
  delete env.CUTOVER_PROJECT;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: opts.cwd, env, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** Every file under `dir` whose name says SQLite. */
function sqliteFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.sqlite/.test(f));
}

/** An mbox of `n` small messages. */
function mbox(file: string, n: number, tag: string): string {
  const entries = Array.from(
    { length: n },
    (_, i) =>
      `From s${i}@example.com Mon Mar  2 10:00:00 2020\nFrom: s${i}@example.com\nTo: r@example.com\n` +
      `Subject: ${tag} ${i}\nMessage-ID: <${tag}-${i}@example.com>\nDate: Mon, 02 Mar 2020 10:00:00 +0000\n\nbody ${i}\n\n`,
  );
  fs.writeFileSync(file, entries.join(''));
  return `mbox://${file}`;
}

let pg: PgTestServer;
before(async () => {
  assert.ok(fs.existsSync(path.resolve('dist/cutover.mjs')), 'run `npm run -s build` first');
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('cutover --database-url', () => {
  it('migrate, status and report run on PostgreSQL and create no SQLite file anywhere', async () => {
    const url = await pg.createDatabase();
    const cwd = fs.mkdtempSync(path.join(root, 'cwd-'));
    const from = mbox(path.join(cwd, 'in.mbox'), 3, 'pg');
    const to = `file://${path.join(cwd, 'out')}`;
    const first = await run(['migrate', '--from', from, '--to', to, '--database-url', url, '--no-progress'], {
      cwd,
    });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /copied 3\b/);
    assert.match(first.stderr, /Data: postgres:\/\/cutover:\*\*\*@127\.0\.0\.1/);
    assert.doesNotMatch(first.stderr + first.stdout, /pg-test-secret/);
    // The environment variable works the same; a rerun copies nothing.
    const again = await run(['migrate', '--from', from, '--to', to, '--no-progress'], {
      cwd,
      env: { CUTOVER_DATABASE_URL: url },
    });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const report = await run(['report', '--format', 'json', '--database-url', url], { cwd });
    assert.equal(report.code, 0, report.stderr);
    const passes = (JSON.parse(report.stdout) as { mailboxes: Array<{ passes: Array<{ copied: number }> }> })
      .mailboxes[0]!.passes;
    assert.deepEqual(
      passes.map((p) => p.copied),
      [3, 0],
    );
    const status = await run(['status'], { cwd, env: { CUTOVER_DATABASE_URL: url } });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /3/);
    assert.deepEqual(sqliteFiles(cwd), [], 'no SQLite file in the working directory or ./.cutover');
  });

  it('a second migrate of the same project on the same database is refused while the first holds the lock', async () => {
    const url = await pg.createDatabase();
    const cwd = fs.mkdtempSync(path.join(root, 'lock-'));
    const from = mbox(path.join(cwd, 'in.mbox'), 1, 'lock');
    const to = `file://${path.join(cwd, 'out')}`;
    // Hold the project's lock from this process, as a running migrate does (the one-off project's name).
    const store = await openStoreAt({ databaseUrl: url });
    const release = await store.lockRun('one-off');
    try {
      const busy = await run(
        ['migrate', '--from', from, '--to', to, '--database-url', url, '--no-progress'],
        { cwd },
      );
      assert.equal(busy.code, 1);
      assert.match(
        busy.stderr,
        /Another Cutover process \(cutover \d+@.+\) is migrating project 'one-off' with this database/,
      );
      assert.doesNotMatch(busy.stderr, /pg-test-secret/);
    } finally {
      await release();
      await store.close();
    }
    const free = await run(['migrate', '--from', from, '--to', to, '--database-url', url, '--no-progress'], {
      cwd,
    });
    assert.equal(free.code, 0, free.stderr);
  });

  it('migrate-store moves a data directory into PostgreSQL; status and report read the same there', async () => {
    const cwd = fs.mkdtempSync(path.join(root, 'move-'));
    const dataDir = path.join(cwd, 'data');
    const to = `file://${path.join(cwd, 'out')}`;
    for (const tag of ['alice', 'bob']) {
      const r = await run(
        [
          'migrate',
          '--from',
          mbox(path.join(cwd, `${tag}.mbox`), tag === 'alice' ? 4 : 2, tag),
          '--to',
          `${to}-${tag}`,
          '-d',
          dataDir,
          '--no-progress',
        ],
        { cwd },
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const url = await pg.createDatabase();
    const moved = await run(['migrate-store', '--from', dataDir, '--to', url], { cwd });
    assert.equal(moved.code, 0, moved.stderr + moved.stdout);
    assert.match(moved.stdout, /^mailboxes\s+2$/m);
    assert.match(moved.stdout, /^ledger\s+6$/m);
    assert.match(moved.stdout, /^passes\s+2$/m);
    assert.match(moved.stdout, /every table's count matches/);
    const strip = (json: string) => {
      const r = JSON.parse(json) as { generatedAt?: string };
      delete r.generatedAt;
      return r;
    };
    const before = await run(['report', '--format', 'json', '-d', dataDir], { cwd });
    const after = await run(['report', '--format', 'json', '--database-url', url], { cwd });
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(strip(after.stdout), strip(before.stdout));
    const statusBefore = await run(['status', '-d', dataDir], { cwd });
    const statusAfter = await run(['status', '--database-url', url], { cwd });
    assert.equal(statusAfter.stdout, statusBefore.stdout);
    // New rows get new ids after the copied ones (identity sequences moved on): a further pass on PostgreSQL.
    const more = await run(
      [
        'migrate',
        '--from',
        mbox(path.join(cwd, 'carol.mbox'), 1, 'carol'),
        '--to',
        `${to}-carol`,
        '--database-url',
        url,
        '--no-progress',
      ],
      { cwd },
    );
    assert.equal(more.code, 0, more.stderr);
    const all = JSON.parse(
      (await run(['report', '--format', 'json', '--database-url', url], { cwd })).stdout,
    ) as { mailboxes: unknown[] };
    assert.equal(all.mailboxes.length, 3);
    // A database that holds a project (or anything) is refused, and the way to start over is said.
    const twice = await run(['migrate-store', '--from', dataDir, '--to', url], { cwd });
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already holds \d+ row\(s\) in mailboxes|already holds \d+ project/);
    assert.match(twice.stderr, /dropdb NAME && createdb NAME/);
    // No data directory: nothing is created there.
    const none = await run(['migrate-store', '--from', path.join(cwd, 'nothing'), '--to', url], { cwd });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no embedded store in .*nothing/);
    assert.equal(fs.existsSync(path.join(cwd, 'nothing')), false);
  });

  it('serve --database-url keeps the first operator in PostgreSQL, with no SQLite file', async () => {
    const url = await pg.createDatabase();
    const cwd = fs.mkdtempSync(path.join(root, 'serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CUTOVER_DATA_DIR;
    delete env.CUTOVER_DATABASE_URL;
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--database-url', url], { cwd, env });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.resume();
      const deadline = Date.now() + 20_000;
      while (!/web UI on (http:\/\/\S+)\//.test(out) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      const base = /web UI on (http:\/\/\S+?)\//.exec(out)?.[1];
      assert.ok(base, `serve started: ${out}`);
      assert.deepEqual(await (await fetch(`${base}/api/setup`)).json(), {
        required: true,
        tokenRequired: false,
      });
      const made = await fetch(`${base}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'admin', password: 'correct horse battery staple' }),
      });
      assert.equal(made.status, 201, await made.text());
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
    const store = await openStoreAt({ databaseUrl: url });
    try {
      assert.equal((await new OperatorRepo(store.db).findUser('admin'))?.name, 'admin');
    } finally {
      await store.close();
    }
    assert.deepEqual(sqliteFiles(cwd), []);
  });

  it('says what is wrong with a URL, a password or a database name, never showing the password', async () => {
    const cwd = fs.mkdtempSync(path.join(root, 'err-'));
    const good = await pg.createDatabase();
    const cases: Array<[string, number, RegExp]> = [
      ['mysql://u:secretpw@h/db', 2, /is not a postgres:\/\/ URL/],
      [
        good.replace('pg-test-secret', 'secretpw'),
        1,
        /refused the login of user 'cutover'.*Check the user and password/s,
      ],
      [good.replace(/\/[^/]+$/, '/nosuchdb'), 1, /database 'nosuchdb' does not exist.*createdb .*nosuchdb/s],
      [
        good.replace(/:\d+\//, ':1/').replace('pg-test-secret', 'secretpw'),
        1,
        /Cannot reach PostgreSQL at 127\.0\.0\.1:1/,
      ],
    ];
    for (const [url, code, message] of cases) {
      const r = await run(['status', '--database-url', url], { cwd });
      assert.equal(r.code, code, `${url}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /secretpw|pg-test-secret/);
    }
    assert.deepEqual(sqliteFiles(cwd), []);
  });
});
