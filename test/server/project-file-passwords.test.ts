/**
 * One project file whose mailboxes carry their own passwords (inline, from an environment variable, from a
 * CSV's password-file column), run both ways against a real Dovecot pair without admin logins: from the
 * browser's API after `serve --project FILE`, and with `cutover migrate --project FILE`. Both log in; the
 * served store holds the passwords only sealed. A mailbox the file gives no password fails with a critical
 * alert and never counts as accounted for.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, snapshot, tempDataDir } from '../integration/helpers.js';
import { loggedIn, server } from './helpers.js';

const USERS = ['ann', 'ben', 'cat', 'dan'].map((u) => ({ user: u, password: `Pw-${u}-${u.length}x9` }));
const pw = (u: string) => USERS.find((x) => x.user === u)!.password;
let src: DovecotServer;
let dst: DovecotServer;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startDovecot({ users: USERS }), startDovecot({ users: USERS })]);
  for (const { user, password } of USERS)
    await seedMessages(
      src,
      user,
      password,
      'INBOX',
      [1, 2].map((i) => ({ raw: makeMessage({ subject: `${user} ${i}` }) })),
    );
  dir = tempDataDir();
  fs.writeFileSync(path.join(dir, 'cat.pw'), `${pw('cat')}\n`, { mode: 0o600 });
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** The project file: ann inline, ben from an environment variable, cat from a CSV's password file. */
function writeProject(mailboxes: string): string {
  const file = path.join(dir, `project-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(
    file,
    `name: Passwords ${path.basename(file)}
source: { host: 127.0.0.1, port: ${src.imapPort}, tls: none }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none }
${mailboxes}
`,
  );
  return file;
}

async function runFromApi(
  app: FastifyInstance,
): Promise<{ id: number; outcome: unknown; auth: Awaited<ReturnType<typeof loggedIn>> }> {
  const auth = await loggedIn(app);
  const list = await app.inject({ method: 'GET', url: '/api/projects', cookies: auth.cookies });
  const id = list.json<{ items: Array<{ id: number }> }>().items[0]!.id;
  const started = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: {},
  });
  assert.equal(started.statusCode, 202, started.body);
  for (let i = 0; i < 300; i++) {
    const s = (
      await app.inject({ method: 'GET', url: `/api/projects/${id}/run`, cookies: auth.cookies })
    ).json<{
      state: string;
      outcome: unknown;
    }>();
    if (s.state === 'idle') return { id, outcome: s.outcome, auth };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the run did not end');
}

test('the same project file migrates with its own passwords from serve --project and from migrate --project', async (t) => {
  fs.writeFileSync(
    path.join(dir, 'cat.csv'),
    `source,source_password_file,destination_password\ncat,cat.pw,${pw('cat')}\n`,
  );
  const file = writeProject(`mailboxes:
  - { source: ann, password: "${pw('ann')}", destinationPassword: "${pw('ann')}" }
  - { source: ben, password: { env: BEN_PW }, destinationPassword: { env: BEN_PW } }`);
  // The CSV form of the same file, for cat.
  const csvFile = writeProject('mailboxes: cat.csv');
  process.env.BEN_PW = pw('ben');
  t.after(() => delete process.env.BEN_PW);

  for (const f of [file, csvFile]) {
    const dataDir = tempDataDir();
    const app = await server({ dataDir, projectFile: f });
    const { outcome, auth } = await runFromApi(app);
    const mailboxes = f === file ? 2 : 1;
    assert.deepEqual(outcome, { done: mailboxes, failed: 0, stopped: 0 }, f);
    // Stored sealed, from the file, and proven by the run's login.
    const creds = (await app.inject({ method: 'GET', url: '/api/credentials', cookies: auth.cookies })).json<{
      items: Array<{
        sourceUser: string;
        sides: Array<{ side: string; enteredBy: string; verifiedAt: string | null }>;
      }>;
    }>();
    for (const m of creds.items) {
      assert.deepEqual(
        m.sides.map((s) => [s.side, s.enteredBy]),
        [
          ['destination', 'import'],
          ['source', 'import'],
        ],
      );
      assert.ok(
        m.sides.every((s) => s.verifiedAt),
        `${m.sourceUser}: verified by the run`,
      );
    }
    await app.close();
    for (const name of fs.readdirSync(dataDir).filter((n) => n.startsWith('cutover.sqlite'))) {
      const bytes = fs.readFileSync(path.join(dataDir, name));
      for (const u of ['ann', 'ben', 'cat'])
        assert.equal(bytes.indexOf(pw(u)), -1, `${u}'s password in ${name}`);
    }
  }
  for (const u of ['ann', 'ben', 'cat'])
    assert.deepEqual((await snapshot(dst, u, pw(u))).INBOX, (await snapshot(src, u, pw(u))).INBOX, u);

  // The CLI on the same files: it logs in with the same passwords (what is there already is not copied again).
  for (const f of [file, csvFile]) {
    const r = await cli(['migrate', '--project', f, '--data-dir', tempDataDir(), '--no-progress'], {
      BEN_PW: pw('ben'),
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  }
  for (const u of ['ann', 'ben', 'cat'])
    assert.deepEqual((await snapshot(dst, u, pw(u))).INBOX, (await snapshot(src, u, pw(u))).INBOX, u);
});

test('a mailbox without a password fails with a critical alert and is not "accounted for"', async (t) => {
  const file = writeProject(`mailboxes:
  - { source: dan }`);
  const app = await server({ projectFile: file });
  t.after(() => app.close());
  const { id, outcome, auth } = await runFromApi(app);
  assert.deepEqual(outcome, { done: 0, failed: 1, stopped: 0 });
  const alerts = (
    await app.inject({
      method: 'GET',
      url: `/api/projects/${id}/alerts?status=active`,
      cookies: auth.cookies,
    })
  ).json<{ items: Array<{ type: string; level: string; text: string }> }>().items;
  assert.deepEqual(
    alerts.map((a) => [a.type, a.level]),
    [['credentials-missing', 'critical']],
  );
  assert.match(
    alerts[0]!.text,
    /dan: cannot be migrated: there is no password to log in with\. No source credentials/,
  );
  const tracker = (
    await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker`, cookies: auth.cookies })
  ).json<{
    alerts: { critical: number };
  }>();
  assert.equal(tracker.alerts.critical, 1);
  const list = (
    await app.inject({ method: 'GET', url: `/api/projects/${id}/mailboxes`, cookies: auth.cookies })
  ).json<{
    items: Array<{ id: number }>;
  }>();
  const report = (
    await app.inject({ method: 'GET', url: `/api/mailboxes/${list.items[0]!.id}`, cookies: auth.cookies })
  ).json<{ reconcile: string; accounted: boolean; discrepancy: string }>();
  assert.equal(report.accounted, false);
  assert.equal(report.reconcile, 'unaccounted');
  assert.match(
    report.discrepancy,
    /the last pass failed before every item was accounted for \(No source credentials/,
  );
});
