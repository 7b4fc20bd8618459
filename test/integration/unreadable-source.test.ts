/**
 * A message the source server cannot read: its file is made unreadable for Dovecot (mode 000; Dovecot's
 * mail processes run as `mail`), and Dovecot answers a FETCH touching it with `* BYE FETCH failed` and
 * drops the connection. The engine must name that message, fail it alone with a reason, and copy every
 * other message — whether the break comes while reading metadata or while streaming bodies.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { migrate, oneOff, snapshot, tempDataDir } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = [
  { user: 'meta', password: 'pw-meta' },
  { user: 'body', password: 'pw-body' },
];
const runsAsRoot = process.getuid?.() === 0;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** Seed `n` messages and return the maildir files in UID order (names start with the delivery time). */
async function seed(user: string, password: string, n: number): Promise<string[]> {
  await seedMessages(
    src,
    user,
    password,
    'INBOX',
    Array.from({ length: n }, (_, i) => ({
      raw: makeMessage({ subject: `${user} ${i}`, sizeBytes: 3000 + i }),
      flags: [],
    })),
  );
  const out = execFileSync('find', [
    src.mailDir(user),
    '-type',
    'f',
    '(',
    '-path',
    '*/new/*',
    '-o',
    '-path',
    '*/cur/*',
    ')',
  ]);
  return out.toString().trim().split('\n');
}

/** Messages at the destination INBOX, as content hashes. */
async function destInbox(user: string, password: string): Promise<string[]> {
  return (await snapshot(dst, user, password))['INBOX'] ?? [];
}

for (const where of ['meta', 'body'] as const)
  test(
    `an unreadable source message (break while reading ${where === 'meta' ? 'metadata' : 'bodies'}) fails alone; the rest is copied`,
    // Root reads any file whatever its mode; Dovecot's mail processes do not (they run as `mail`), and
    // only the harness started as root can run them as `mail`. Without root there is no way to make one
    // message unreadable for Dovecot alone.
    {
      skip: runsAsRoot
        ? false
        : 'needs root: Dovecot mail processes must run as a different user than the test',
    },
    async () => {
      const user = where;
      const password = `pw-${where}`;
      const files = await seed(user, password, 40);
      const project = oneOff(src, user, password, dst, user, password);
      const dir = tempDataDir();
      // For the body path: a dry run first makes Dovecot cache the header fields Cutover lists, so the
      // listing no longer opens the file and the break comes during the body FETCH.
      if (where === 'body') await migrate(dir, project, { dryRun: true });
      const victim = files.find((f) =>
        new RegExp(`^Subject: ${user} 17\\r?$`, 'm').test(fs.readFileSync(f, 'latin1')),
      )!;
      fs.chmodSync(victim, 0);

      const { outcomes, reports } = await migrate(dir, project, { verify: true });
      const r = reports.find((x) => x.mailbox === user)!;
      assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
      assert.equal(r.status, 'done-with-errors');
      assert.equal(r.totals.copied, 39);
      assert.equal(r.totals.failed, 1);
      assert.equal(r.problems.length, 1);
      assert.match(
        r.problems[0]!.reason ?? '',
        /reading it from the source failed twice \(.*the server closed the connection: FETCH failed/,
      );
      assert.ok(r.reconciles, r.discrepancy);
      assert.equal((await destInbox(user, password)).length, 39);

      // Repaired at the source: the next pass copies exactly that one.
      fs.chmodSync(victim, 0o600);
      const second = await migrate(dir, project, { verify: true });
      const r2 = second.reports.find((x) => x.mailbox === user)!;
      assert.equal(r2.totals.failed, 0);
      assert.equal(r2.totals.copied, 40);
      assert.ok(r2.reconciles, r2.discrepancy);
      assert.deepEqual(await destInbox(user, password), (await snapshot(src, user, password))['INBOX']);
    },
  );
