/**
 * `cutover verify` against two real Dovecot servers: after a migration the destination is changed behind
 * Cutover's back — a message deleted, a flag changed, a duplicate APPENDed, a stored file rewritten with
 * the same size — and the verification names each; the next pass repairs what can be repaired; the report
 * says "reconciles" only from a read-back that found nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { silentProgress } from '../../src/engine/progress.js';
import { buildReport } from '../../src/services/report-service.js';
import { runVerification } from '../../src/services/verify-service.js';
import { openStore } from '../../src/store/db.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, migrate, oneOff, snapshot, tempDataDir, url } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = ['v1', 'v2', 'v3', 'v4'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', delimiter: '.', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function withClient<T>(server: DovecotServer, user: string, fn: (c: ImapFlow) => Promise<T>) {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: server.imapPort,
    secure: false,
    auth: { user, pass: pw(user) },
    logger: false,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

/** Verify in-process; the one mailbox's verification. */
async function verify(dir: string, project: ProjectConfig, deep = false) {
  const store = await openStore(dir);
  try {
    const [out] = await runVerification(store, project, { progress: silentProgress, deep });
    return out!.verification;
  } finally {
    await store.close();
  }
}

async function report(dir: string) {
  const store = await openStore(dir);
  try {
    return (await buildReport(store))[0]!;
  } finally {
    await store.close();
  }
}

/** Destination UID of the message with this Message-ID in a folder. */
async function destUid(user: string, folder: string, messageId: string): Promise<number> {
  return withClient(dst, user, async (c) => {
    await c.mailboxOpen(folder);
    const uids = await c.search({ header: { 'message-id': messageId } }, { uid: true });
    assert.ok(uids && uids.length === 1, `one message ${messageId} in ${folder}`);
    return uids[0]!;
  });
}

describe('verify', () => {
  test('missing and changed flags are named, the report is not reconciled, the next pass repairs both', async () => {
    await seedMessages(
      src,
      'v1',
      pw('v1'),
      'INBOX',
      Array.from({ length: 6 }, (_, i) => ({
        raw: makeMessage({ messageId: `<m${i}@v1>`, subject: `inbox ${i}` }),
        flags: i % 2 ? ['\\Seen'] : ['\\Seen', 'Projekt'],
      })),
    );
    await seedMessages(src, 'v1', pw('v1'), 'Work', [
      { raw: makeMessage({ messageId: '<w0@v1>', subject: 'work' }), flags: ['\\Flagged'] },
    ]);
    const dir = tempDataDir();
    const project = oneOff(src, 'v1', pw('v1'), dst, 'v1', pw('v1'));
    const { outcomes } = await migrate(dir, project);
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);

    const before = await report(dir);
    assert.ok(before.accounted, before.discrepancy);
    assert.equal(before.reconciles, false, 'no read-back yet: not reconciled');
    assert.equal(before.reconcile, 'ledger-only');

    const first = await verify(dir, project);
    assert.equal(first.result, 'matches', JSON.stringify(first.folders));
    assert.equal(first.checked, 7);
    assert.equal((await report(dir)).reconciles, true);

    // Behind Cutover's back: one message gone, one flag changed.
    const gone = await destUid('v1', 'INBOX', 'm3@v1');
    const flagged = await destUid('v1', 'Work', 'w0@v1');
    await withClient(dst, 'v1', async (c) => {
      await c.mailboxOpen('INBOX');
      assert.ok(await c.messageDelete(String(gone), { uid: true }));
      await c.mailboxOpen('Work');
      assert.ok(await c.messageFlagsRemove(String(flagged), ['\\Flagged'], { uid: true }));
      assert.ok(await c.messageFlagsAdd(String(flagged), ['\\Seen'], { uid: true }));
    });

    const second = await verify(dir, project);
    assert.equal(second.result, 'differs');
    assert.deepEqual([second.missing, second.flagsDiffer, second.extra, second.altered], [1, 1, 0, 0]);
    const inbox = second.folders.find((f) => f.source === 'INBOX')!;
    assert.deepEqual(
      inbox.missing.map((m) => [m.messageId, m.cause]),
      [['m3@v1', 'lost']],
    );
    const work = second.folders.find((f) => f.source === 'Work')!;
    assert.deepEqual(work.flagsDiffer, [
      {
        sourceUid: 1,
        destUid: flagged,
        messageId: 'w0@v1',
        source: ['\\flagged'],
        destination: ['\\seen'],
      },
    ]);
    const r = await report(dir);
    assert.equal(r.reconciles, false);
    assert.equal(r.reconcile, 'differs');
    assert.match(r.discrepancy ?? '', /1 missing/);

    // The next pass copies the lost message again and sets the flags again; a verification then matches.
    const repaired = await migrate(dir, project);
    assert.equal(repaired.outcomes[0]!.counters!.copied, 1);
    assert.equal(repaired.outcomes[0]!.counters!.flagsSynced, 1);
    const s = await snapshot(src, 'v1', pw('v1'));
    const d = await snapshot(dst, 'v1', pw('v1'));
    assert.deepEqual(d.INBOX, s.INBOX);
    assert.deepEqual(d.Work, s.Work);
    const third = await verify(dir, project);
    assert.equal(third.result, 'matches', JSON.stringify(third.folders));
    assert.equal((await report(dir)).reconcile, 'reconciles');
  });

  test('a second copy APPENDed at the destination is an extra copy', async () => {
    const raw = makeMessage({ messageId: '<dup@v2>', subject: 'once' });
    await seedMessages(src, 'v2', pw('v2'), 'INBOX', [
      { raw, flags: ['\\Seen'] },
      { raw: makeMessage({ subject: 'other' }) },
    ]);
    const dir = tempDataDir();
    const project = oneOff(src, 'v2', pw('v2'), dst, 'v2', pw('v2'));
    await migrate(dir, project);
    assert.equal((await verify(dir, project)).result, 'matches');
    await seedMessages(dst, 'v2', pw('v2'), 'INBOX', [
      { raw, flags: ['\\Seen'] },
      // Mail that arrived at the new system after the cutover is not Cutover's: never "extra".
      { raw: makeMessage({ subject: 'delivered after the cutover' }) },
    ]);
    const v = await verify(dir, project);
    assert.equal(v.result, 'differs');
    assert.deepEqual([v.missing, v.flagsDiffer, v.extra, v.altered], [0, 0, 1, 0]);
    const extra = v.folders[0]!.extra[0]!;
    assert.equal(extra.messageId, 'dup@v2');
    assert.equal(extra.sourceUid, 1);
    assert.equal(extra.destUid, 3);
  });

  test('--deep catches a stored message rewritten with the same size; without it, it passes', async () => {
    const marker = 'ORIGINAL-TEXT-7f3a';
    await seedMessages(src, 'v3', pw('v3'), 'INBOX', [
      { raw: makeMessage({ messageId: '<deep@v3>', body: `Hello ${marker} world` }) },
      { raw: makeMessage({ messageId: '<fine@v3>', body: 'untouched' }) },
    ]);
    const dir = tempDataDir();
    const project = oneOff(src, 'v3', pw('v3'), dst, 'v3', pw('v3'));
    await migrate(dir, project);
    assert.equal((await verify(dir, project, true)).result, 'matches');

    // Rewrite the stored file in place, same length: as a server that munges bytes (Cyrus munge8bit).
    const file = findFile(dst.mailDir('v3'), marker);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(marker);
    bytes.write('XXXXXXXX-TEXT-7f3a', at, 'latin1');
    fs.writeFileSync(file, bytes);

    assert.equal((await verify(dir, project)).result, 'matches', 'sizes and flags alone cannot see it');
    const deep = await verify(dir, project, true);
    assert.equal(deep.result, 'differs');
    assert.equal(deep.mode, 'deep');
    assert.deepEqual(
      deep.folders[0]!.altered.map((a) => [a.messageId, a.reason]),
      [['deep@v3', 'same size, other bytes: the destination rewrote the message']],
    );
  });
});

describe('cutover verify (CLI, one-off form)', () => {
  test('exit 1 naming the missing message (JSON), the report is not reconciled, migrate --verify repairs and exits 0', async () => {
    await seedMessages(
      src,
      'v4',
      pw('v4'),
      'INBOX',
      Array.from({ length: 4 }, (_, i) => ({ raw: makeMessage({ messageId: `<c${i}@v4>` }) })),
    );
    const dir = tempDataDir();
    const target = ['--from', url(src, 'v4', pw('v4')), '--to', url(dst, 'v4', pw('v4')), '-d', dir];
    const run = await cli(['migrate', ...target, '--no-progress']);
    assert.equal(run.code, 0, run.stderr);
    const unverified = await cli(['report', '-d', dir]);
    assert.match(unverified.stdout, /ledger only, not verified/);
    const json0 = JSON.parse((await cli(['report', '-d', dir, '--format', 'json'])).stdout) as {
      reconciles: boolean;
      mailboxes: Array<{ reconcile: string; accounted: boolean }>;
    };
    assert.equal(json0.reconciles, false);
    assert.deepEqual([json0.mailboxes[0]!.reconcile, json0.mailboxes[0]!.accounted], ['ledger-only', true]);

    const ok = await cli(['verify', ...target, '--no-progress']);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match((await cli(['report', '-d', dir])).stdout, /✓ reconciles/);

    const uid = await destUid('v4', 'INBOX', 'c2@v4');
    await withClient(dst, 'v4', async (c) => {
      await c.mailboxOpen('INBOX');
      assert.ok(await c.messageDelete(String(uid), { uid: true }));
    });
    const bad = await cli(['verify', ...target, '--format', 'json', '--no-progress']);
    assert.equal(bad.code, 1, bad.stderr);
    const found = JSON.parse(bad.stdout) as {
      matches: boolean;
      mailboxes: Array<{
        result: string;
        missing: number;
        folders: Array<{
          source: string;
          missing: Array<{ messageId: string; cause: string; sourceUid: number }>;
        }>;
      }>;
    };
    assert.equal(found.matches, false);
    assert.equal(found.mailboxes[0]!.result, 'differs');
    assert.deepEqual(found.mailboxes[0]!.folders.find((f) => f.source === 'INBOX')!.missing, [
      { sourceUid: 3, destUid: null, messageId: 'c2@v4', cause: 'lost' },
    ]);
    const text = await cli(['verify', ...target, '--no-progress']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /INBOX: missing at the destination: source UID 3 <c2@v4>/);
    const report = await cli(['report', '-d', dir]);
    assert.match(report.stdout, /✗ does not reconcile: .*1 missing/);

    const repaired = await cli(['migrate', ...target, '--verify', '--no-progress']);
    assert.equal(repaired.code, 0, repaired.stderr + repaired.stdout);
    assert.match(repaired.stdout, /v4 {2}verification normal: ✓ matches — 4 checked, 0 missing/);
    assert.deepEqual(
      (await snapshot(dst, 'v4', pw('v4'))).INBOX,
      (await snapshot(src, 'v4', pw('v4'))).INBOX,
    );
  });
});

/** The one file under `dir` whose bytes contain `marker`. */
function findFile(dir: string, marker: string): string {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (fs.readFileSync(p).includes(marker)) hits.push(p);
    }
  };
  walk(dir);
  assert.equal(hits.length, 1, `one stored file holds the marker: ${hits.join(', ')}`);
  return hits[0]!;
}
