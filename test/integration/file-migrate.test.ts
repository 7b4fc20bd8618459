/**
 * Dovecot → a directory of .eml files → a second Dovecot, through the engine: every body byte-exact (its
 * SHA-256 in the manifest and on the far side), flags and internal dates kept, nasty folder names kept;
 * a rerun adds nothing, a rerun with the store deleted writes nothing twice, verify reconciles both ways;
 * a plain EML folder without a manifest is read too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTarget } from '../../src/cli/context.js';
import { dirNameOf } from '../../src/connectors/file/file-names.js';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, migrate, tempDataDir, url } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = ['u1', 'u2', 'u3'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;
const d = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 15, 10, 30, 0));
const FOLDERS = ['INBOX', 'Projekte/2024', 'CON', 'Entwürfe 📁', 'Café'.normalize('NFD'), 'a:b*c'];

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'fs', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/**
 * Every folder's messages as comparable facts (by folder path), without per-server keys. Empty folders are
 * left out: the engine creates a source's \Noselect parent (`Projekte`) with ensureFolder like any folder, so
 * every destination, IMAP included, holds it as an empty mailbox.
 */
async function facts(server: DovecotServer, user: string) {
  const out: Record<string, string[]> = {};
  for (const f of await listAll(server, user, pw(user)))
    if (f.messages.length)
      out[f.path] = f.messages
        .map((m) => `${m.sha256} ${m.size} ${m.internalDate.toISOString()} ${m.flags.join(',')}`)
        .sort();
  return out;
}

describe('IMAP → files → IMAP', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-file-'));
  const data = tempDataDir();
  const toFiles = () => resolveTarget({ from: url(src, 'u1', pw('u1')), to: `file://${tree}` }).project;
  const fromFiles = () => resolveTarget({ from: `file://${tree}`, to: url(dst, 'u1', pw('u1')) }).project;
  let total = 0;

  test('to files: one .eml per message with the exact bytes, a manifest line each; verify reconciles', async () => {
    for (const [i, folder] of FOLDERS.entries()) {
      const msgs = Array.from({ length: 4 + i }, (_, j) => ({
        raw: makeMessage({
          subject: `${folder} ${j}`,
          date: d(2015 + j, 1 + i),
          messageId: j === 0 ? null : undefined,
          body: j === 1 ? 'Grüße aus Köln\r\nline two' : undefined,
        }),
        flags: j % 2 ? ['\\Seen', '$Forwarded'] : ['\\Flagged', 'Projekt'],
        internalDate: d(2014 + j, 1 + i),
      }));
      total += msgs.length;
      await seedMessages(src, 'u1', pw('u1'), folder, msgs);
    }
    const { outcomes, reports } = await migrate(data, toFiles(), { verify: true });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, total);
    assert.ok(reports[0]!.reconciles, reports[0]!.discrepancy);

    for (const f of await listAll(src, 'u1', pw('u1'))) {
      const dir = path.join(tree, ...f.path.split('/').map((s) => dirNameOf(s)));
      const lines = fs
        .readFileSync(path.join(dir, 'manifest.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.op === 'add');
      assert.equal(lines.length, f.messages.length, f.path);
      const want = f.messages.map((m) => `${m.sha256} ${m.size} ${m.internalDate.toISOString()}`).sort();
      const got = lines
        .map((l) => {
          const body = fs.readFileSync(path.join(dir, l.file as string));
          const sha = createHash('sha256').update(body).digest('hex');
          assert.equal(sha, l.sha256, `${f.path}/${l.file as string}: the manifest's hash is the file's`);
          assert.deepEqual(l.folder, f.path.split('/'));
          return `${sha} ${body.length} ${l.internalDate as string}`;
        })
        .sort();
      assert.deepEqual(got, want, `folder ${f.path}`);
    }
    assert.ok(fs.existsSync(path.join(tree, '%43ON')), 'CON escaped');
    assert.ok(fs.existsSync(path.join(tree, 'Projekte', '2024')), 'one directory per level');
    assert.ok(fs.existsSync(path.join(tree, 'a%3Ab%2Ac')));
  });

  test('a rerun adds nothing; with the store deleted, nothing is written twice', async () => {
    const again = await migrate(data, toFiles());
    assert.equal(again.outcomes[0]!.counters!.copied, 0);
    const fresh = await migrate(tempDataDir(), toFiles(), { verify: true });
    assert.equal(fresh.outcomes[0]!.status, 'done', fresh.outcomes[0]!.error);
    assert.equal(fresh.outcomes[0]!.counters!.copied, 0);
    assert.equal(fresh.outcomes[0]!.counters!.present, total);
    assert.ok(fresh.reports[0]!.reconciles, fresh.reports[0]!.discrepancy);
    const emls = (dir: string): number =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .reduce(
          (n, e) => n + (e.isDirectory() ? emls(path.join(dir, e.name)) : /\.eml$/.test(e.name) ? 1 : 0),
          0,
        );
    assert.equal(emls(tree), total, 'no file written twice');
  });

  test('from files: the second server gets the same bytes, flags, internal dates and folders', async () => {
    const back = tempDataDir();
    const { outcomes, reports } = await migrate(back, fromFiles(), { verify: true });
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, total);
    assert.ok(reports[0]!.reconciles, reports[0]!.discrepancy);
    assert.deepEqual(await facts(dst, 'u1'), await facts(src, 'u1'));
    const again = await migrate(back, fromFiles());
    assert.equal(again.outcomes[0]!.counters!.copied, 0, 'a rerun adds nothing');
  });

  test('a plain EML folder (no manifest): every file, no flags, the Date header as internal date', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-eml-'));
    fs.mkdirSync(path.join(plain, 'Export'));
    const a = makeMessage({ subject: 'dated', date: d(2012, 3) });
    const b = Buffer.from('From: x@example.test\nSubject: no date, LF only\n\nbody\n');
    fs.writeFileSync(path.join(plain, 'Export', 'first message.eml'), a);
    fs.writeFileSync(path.join(plain, 'Export', 'second.EML'), b);
    const mtime = d(2010, 6);
    fs.utimesSync(path.join(plain, 'Export', 'second.EML'), mtime, mtime);
    const project = resolveTarget({ from: `file://${plain}`, to: url(dst, 'u2', pw('u2')) }).project;
    const ledger = tempDataDir();
    const { outcomes } = await migrate(ledger, project);
    assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
    assert.equal(outcomes[0]!.counters!.copied, 2);
    // A file added in front renumbers the folder (keys are positions): only the new one is copied.
    const c = makeMessage({ subject: 'added later', date: d(2013, 1) });
    fs.writeFileSync(path.join(plain, 'Export', '0 added.eml'), c);
    const more = await migrate(ledger, project, { verify: true });
    assert.equal(more.outcomes[0]!.status, 'done', more.outcomes[0]!.error);
    assert.equal(more.outcomes[0]!.counters!.copied, 1);
    assert.ok(more.reports[0]!.reconciles, more.reports[0]!.discrepancy);
    const got = (await listAll(dst, 'u2', pw('u2'))).find((f) => f.path === 'Export')!;
    const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    assert.deepEqual(
      got.messages.map((m) => [m.sha256, m.internalDate.toISOString(), m.flags.join()]).sort(),
      [
        [sha(a), d(2012, 3).toISOString(), ''],
        [sha(c), d(2013, 1).toISOString(), ''],
        [sha(Buffer.from(b.toString().replace(/\n/g, '\r\n'))), mtime.toISOString(), ''], // IMAP stores CRLF
      ].sort(),
    );
  });

  test('the CLI one-off form: files to files, then verify --deep reconciles; a relative path is refused', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-file-cli-'));
    const dataDir = tempDataDir();
    const args = [
      '--from',
      `file://${tree}`,
      '--to',
      `file://${out}`,
      '--data-dir',
      dataDir,
      '--no-progress',
    ];
    const run = await cli(['migrate', ...args]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`copied ${total}\\b`));
    const check = await cli(['verify', '--deep', ...args]);
    assert.equal(check.code, 0, check.stderr + check.stdout);
    assert.match(check.stdout, /matches/);
    const bad = await cli(['migrate', '--from', 'file://relative/dir', '--to', `file://${out}`]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /absolute directory/);
  });
});
