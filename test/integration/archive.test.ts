/**
 * `cutover archive` and `cutover verify --archive` end to end, through the built CLI (bin/cutover.js → dist/;
 * `npm run build` first), against a real Dovecot started by the harness: a mailbox with nested and Unicode
 * folders is archived with every `.eml` byte-identical to the source's BODY[] (read back over IMAP); a rerun
 * adds nothing; a new message adds its file to the chain; verify holds; and each kind of tampering (a byte of
 * an .eml changed, an .eml deleted, a chain line edited, moved or removed, the last line cut off, a stray
 * file) makes verify say what it found and exit 1. The project form archives the named mailbox only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dirNameOf } from '../../src/connectors/file/file-names.js';
import type { ArchiveVerification } from '../../src/services/archive-verify.js';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, tempDataDir, url } from './helpers.js';

let src: DovecotServer;
const users = ['u1', 'u2', 'u3'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;
const d = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 15, 10, 30, 0));
const FOLDERS = ['INBOX', 'Projekte/2024/Q1', 'Entwürfe 📁', 'Café'.normalize('NFD'), 'a:b*c'];

before(async () => {
  src = await startDovecot({ layout: 'fs', users, masterUser: { user: 'admin', password: 'master-secret' } });
});
after(async () => {
  await src?.stop();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-archive-'));
const chainOf = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'archive-chain.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { n: number; path: string; size: number; sha256: string; hash: string });
const headOf = (stdout: string) => /^Head: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
/** A copy of the archive to tamper with. */
function copyOf(dir: string, name: string): string {
  const to = path.join(root, name);
  fs.cpSync(dir, to, { recursive: true });
  return to;
}
async function verify(dir: string, ...extra: string[]) {
  const run = await cli(['verify', '--archive', dir, '--format', 'json', ...extra]);
  return { code: run.code, v: JSON.parse(run.stdout || '{}') as ArchiveVerification, stderr: run.stderr };
}

describe('cutover archive: the one-off form', () => {
  const dir = path.join(root, 'one-off'); // not there yet: the archive makes it
  const data = tempDataDir();
  const archive = () =>
    cli([
      'archive',
      '--from',
      url(src, 'u1', pw('u1')),
      '--archive-dir',
      dir,
      '--data-dir',
      data,
      '--no-progress',
    ]);
  const mailDir = path.join(dir, 'u1', 'mail');
  let head = '';
  let total = 0;

  test('every message as an .eml byte-identical to its BODY[], every file in the chain, the head printed', async () => {
    for (const [i, folder] of FOLDERS.entries()) {
      const msgs = Array.from({ length: 2 + i }, (_, j) => ({
        raw: makeMessage({
          subject: `${folder} ${j}`,
          date: d(2016 + j, 1 + i),
          messageId: j === 0 ? null : undefined,
          body: j === 1 ? 'Grüße aus Köln\r\nline two' : undefined,
        }),
        flags: j % 2 ? ['\\Seen'] : ['\\Flagged', 'Projekt'],
        internalDate: d(2015 + j, 1 + i),
      }));
      total += msgs.length;
      await seedMessages(src, 'u1', pw('u1'), folder, msgs);
    }
    const run = await archive();
    assert.equal(run.code, 0, run.stderr + run.stdout);
    head = headOf(run.stdout) ?? '';
    assert.match(head, /^[0-9a-f]{64}$/, run.stdout);
    assert.match(run.stdout, /Keep this head somewhere else/);
    assert.equal(fs.readFileSync(path.join(dir, 'archive-head.txt'), 'utf8').trim(), head);

    // Every source message's BODY[], as read over IMAP, is the bytes of one .eml of its folder's directory.
    let emls = 0;
    for (const f of await listAll(src, 'u1', pw('u1'))) {
      const fdir = path.join(mailDir, ...f.path.split('/').map((s) => dirNameOf(s)));
      const files = fs.readdirSync(fdir).filter((n) => n.endsWith('.eml'));
      const got = files.map((n) => sha(fs.readFileSync(path.join(fdir, n)))).sort();
      assert.deepEqual(got, f.messages.map((m) => m.sha256).sort(), `folder ${f.path}`);
      emls += files.length;
    }
    assert.equal(emls, total);
    assert.ok(fs.existsSync(path.join(mailDir, 'Projekte', '2024', 'Q1')), 'one directory per level');

    // One chain line per file: each .eml and each manifest, with the file's own size and SHA-256.
    const chain = chainOf(dir);
    assert.equal(chain.filter((l) => l.path.endsWith('.eml')).length, total);
    for (const l of chain) {
      const body = fs.readFileSync(path.join(dir, l.path));
      assert.equal(sha(body), l.sha256, l.path);
      assert.equal(body.length, l.size, l.path);
    }
    assert.equal(chain.at(-1)!.hash, head);
  });

  test('a rerun adds nothing; a new message adds its .eml (and its manifest’s new length)', async () => {
    const before = chainOf(dir).length;
    const again = await archive();
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal(chainOf(dir).length, before, 'nothing new, no line');
    assert.equal(headOf(again.stdout), head);

    await seedMessages(src, 'u1', pw('u1'), 'Entwürfe 📁', [
      { raw: makeMessage({ subject: 'late arrival' }), internalDate: d(2024, 5) },
    ]);
    const more = await archive();
    assert.equal(more.code, 0, more.stderr + more.stdout);
    const added = chainOf(dir).slice(before);
    assert.equal(added.length, 2, JSON.stringify(added));
    assert.match(added[0]!.path, /\/\d+\.eml$/, 'the new message');
    assert.equal(
      added[1]!.path,
      `${path.posix.dirname(added[0]!.path)}/manifest.jsonl`,
      'its folder’s manifest',
    );
    assert.ok(added[0]!.path.startsWith(`u1/mail/${dirNameOf('Entwürfe 📁')}/`), added[0]!.path);
    const late = fs.readFileSync(path.join(dir, added[0]!.path), 'utf8');
    assert.match(late, /Subject: late arrival/);
    head = headOf(more.stdout)!;
    assert.equal(added.at(-1)!.hash, head);
  });

  test('verify holds, in text and JSON, against the head file and the head kept elsewhere', async () => {
    const text = await cli(['verify', '--archive', dir]);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /✓ The archive holds/);
    const { code, v } = await verify(dir, '--expect-head', head);
    assert.equal(code, 0);
    assert.equal(v.holds, true);
    assert.deepEqual(v.findings, []);
    assert.equal(v.head, head);
    assert.equal(v.expectedFrom, 'expect-head');
  });

  test('a changed byte, a deleted .eml, a stray file: each named, exit 1', async () => {
    const chain = chainOf(dir);
    const emls = chain.filter((l) => l.path.endsWith('.eml'));

    const changed = copyOf(dir, 'changed-byte');
    const victim = path.join(changed, emls[2]!.path);
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01;
    fs.writeFileSync(victim, bytes);
    let r = await verify(changed, '--expect-head', head);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.v.findings.map((f) => [f.kind, f.path]),
      [['file-changed', emls[2]!.path]],
    );

    const deleted = copyOf(dir, 'deleted-eml');
    fs.rmSync(path.join(deleted, emls[4]!.path));
    r = await verify(deleted);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.v.findings.map((f) => [f.kind, f.path]),
      [['file-missing', emls[4]!.path]],
    );

    const stray = copyOf(dir, 'stray');
    fs.writeFileSync(path.join(stray, 'u1', 'mail', 'INBOX', '999.eml'), makeMessage({ subject: 'planted' }));
    r = await verify(stray);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.v.findings.map((f) => [f.kind, f.path]),
      [['not-in-chain', 'u1/mail/INBOX/999.eml']],
    );
    const text = await cli(['verify', '--archive', stray]);
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /not-in-chain: u1\/mail\/INBOX\/999\.eml is in the archive but not in its chain/,
    );
    assert.match(text.stdout, /✗ The archive does not hold/);

    // A manifest written to outside a run: the next run refuses to add to the archive.
    const grown = copyOf(dir, 'grown-manifest');
    fs.appendFileSync(
      path.join(grown, 'u1', 'mail', 'INBOX', 'manifest.jsonl'),
      '{"op":"flags","uid":1,"flags":[]}\n',
    );
    const no = await cli([
      'archive',
      '--from',
      url(src, 'u1', pw('u1')),
      '--archive-dir',
      grown,
      '--data-dir',
      tempDataDir(),
    ]);
    assert.equal(no.code, 1, no.stdout);
    assert.match(
      no.stderr,
      /manifest\.jsonl .* bytes long; the chain recorded \d+: it was written to outside an archive run/,
    );
    assert.match(no.stderr, /cutover verify --archive/);
    r = await verify(grown);
    assert.deepEqual(
      r.v.findings.map((f) => [f.kind, f.path]),
      [['file-grown', 'u1/mail/INBOX/manifest.jsonl']],
    );
  });

  test('a chain line edited, moved or removed is named; a cut-off tail only by the head kept elsewhere', async () => {
    const lines = () =>
      fs.readFileSync(path.join(dir, 'archive-chain.jsonl'), 'utf8').split('\n').filter(Boolean);

    const edited = copyOf(dir, 'edited-line');
    const l = lines();
    l[3] = l[3]!.replace(/"time":"[^"]+"/, '"time":"2001-01-01T00:00:00.000Z"');
    fs.writeFileSync(path.join(edited, 'archive-chain.jsonl'), `${l.join('\n')}\n`);
    let r = await verify(edited);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.v.findings.map((f) => [f.kind, f.line]),
      [['line-altered', 4]],
    );

    const moved = copyOf(dir, 'moved-lines');
    const m = lines();
    [m[5], m[6]] = [m[6]!, m[5]!];
    fs.writeFileSync(path.join(moved, 'archive-chain.jsonl'), `${m.join('\n')}\n`);
    r = await verify(moved);
    assert.equal(r.code, 1);
    assert.ok(
      r.v.findings.length > 0 && r.v.findings.every((f) => f.kind === 'lines-reordered'),
      JSON.stringify(r.v.findings),
    );

    const removed = copyOf(dir, 'removed-line');
    const x = lines();
    const [gone] = x.splice(2, 1);
    fs.writeFileSync(path.join(removed, 'archive-chain.jsonl'), `${x.join('\n')}\n`);
    r = await verify(removed);
    assert.equal(r.code, 1);
    const kinds = r.v.findings.map((f) => f.kind);
    assert.ok(kinds.includes('lines-removed'), JSON.stringify(r.v.findings));
    assert.ok(
      r.v.findings.some(
        (f) => f.kind === 'not-in-chain' && f.path === (JSON.parse(gone!) as { path: string }).path,
      ),
    );

    // The last run's lines dropped (the late message and its manifest's new length): the head file still
    // names the old end, and so does the head kept elsewhere; the files say so too.
    const cut = copyOf(dir, 'cut-tail');
    const c = lines();
    const manifest = JSON.parse(c.pop()!) as { path: string };
    const eml = JSON.parse(c.pop()!) as { path: string };
    fs.writeFileSync(path.join(cut, 'archive-chain.jsonl'), `${c.join('\n')}\n`);
    r = await verify(cut, '--expect-head', head);
    assert.equal(r.code, 1);
    assert.deepEqual(r.v.findings.map((f) => `${f.kind} ${f.path ?? ''}`).sort(), [
      `file-grown ${manifest.path}`,
      'head-mismatch ',
      'head-mismatch archive-head.txt',
      `not-in-chain ${eml.path}`,
    ]);
    assert.ok(
      r.v.findings.some(
        (f) => f.kind === 'head-mismatch' && /head you expect .* is not in the chain/.test(f.detail),
      ),
    );

    // Cut cleanly (the message removed, its manifest cut back, the head file rewritten): the archive alone
    // looks whole; the head kept elsewhere does not.
    fs.rmSync(path.join(cut, eml.path));
    const earlierSize = c
      .map((t) => JSON.parse(t) as { path: string; size: number })
      .filter((t) => t.path === manifest.path)
      .at(-1)!.size;
    fs.truncateSync(path.join(cut, manifest.path), earlierSize);
    fs.writeFileSync(
      path.join(cut, 'archive-head.txt'),
      `${(JSON.parse(c.at(-1)!) as { hash: string }).hash}\n`,
    );
    r = await verify(cut);
    assert.equal(r.code, 0, `a chain cannot prove its own tail: ${JSON.stringify(r.v.findings)}`);
    r = await verify(cut, '--expect-head', head);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.v.findings.map((f) => f.kind),
      ['head-mismatch'],
    );
    const text = await cli(['verify', '--archive', cut, '--expect-head', head]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /lines at its end were removed, or the chain was rewritten/);

    // A head kept from an earlier run still verifies a later, longer chain.
    const earlier = (JSON.parse(lines()[4]!) as { hash: string }).hash;
    r = await verify(dir, '--expect-head', earlier);
    assert.equal(r.code, 0);
    assert.equal(r.v.linesAfterExpected, lines().length - 5);
  });
});

describe('cutover archive: the project form', () => {
  test('only the named mailbox, into its own directory, through the master login; filters asked for and not readable are said', async () => {
    await seedMessages(src, 'u2', pw('u2'), 'INBOX', [{ raw: makeMessage({ subject: 'u2 one' }) }]);
    await seedMessages(src, 'u3', pw('u3'), 'INBOX', [{ raw: makeMessage({ subject: 'u3 one' }) }]);
    const pdir = tempDataDir();
    fs.writeFileSync(
      path.join(pdir, 'mailboxes.csv'),
      'source,destination,items\nu2,u2,mail\nu3,u3,mail filters\n',
    );
    const file = path.join(pdir, 'cutover.yaml');
    fs.writeFileSync(
      file,
      `name: archive test
source:
  host: 127.0.0.1
  port: ${src.imapPort}
  tls: none
  admin: { user: admin, password: { env: SRC_ADMIN_PW }, mode: master }
destination:
  host: 127.0.0.1
  port: 1
  tls: none
mailboxes: mailboxes.csv
dataDir: data
`,
    );
    const dir = path.join(root, 'project');
    const env = { SRC_ADMIN_PW: 'master-secret' };
    const one = await cli(
      ['archive', '--project', file, '--archive-dir', dir, '--mailbox', 'u2', '--no-progress'],
      env,
    );
    assert.equal(one.code, 0, one.stderr + one.stdout);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['archive-chain.jsonl', 'archive-head.txt', 'u2']);
    assert.deepEqual(new Set(chainOf(dir).map((l) => l.path.split('/')[0])), new Set(['u2']));

    const both = await cli(['archive', '--project', file, '--archive-dir', dir, '--no-progress'], env);
    assert.equal(both.code, 1, 'u3 asked for filters, which this IMAP source has no ManageSieve port for');
    assert.match(both.stdout, /u3 → u3\/ .*filters: not archived.*\n +filters: .*no ManageSieve port is set/);
    assert.match(both.stdout, /→ Add imap: \{ sievePort: 4190 \}/);
    assert.match(both.stdout, /u2 → u2\/ .*0 chain line\(s\) added/);
    const u3 = chainOf(dir).filter((l) => l.path.startsWith('u3/mail/INBOX/') && l.path.endsWith('.eml'));
    assert.equal(u3.length, 1, 'u3’s mail is archived all the same');
    assert.equal((await verify(dir, '--expect-head', headOf(both.stdout)!)).code, 0);
  });
});
