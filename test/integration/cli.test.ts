/**
 * The CLI end to end against real Dovecot servers: a project file with a master-user source and a CSV
 * with a bad row; kill -9 and Ctrl-C in the middle of a run, then a rerun that neither loses nor
 * duplicates; and the errors a person meets first (wrong password, refused connection, unknown host).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { CLI, cli, snapshot, tempDataDir, url } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
const names = ['carol', 'dave', 'erin', 'kim', 'sig'];
const users = names.map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({
      layout: 'maildir++',
      delimiter: '.',
      users,
      masterUser: { user: 'admin', password: 'master-secret' },
    }),
    startDovecot({ layout: 'fs', users }),
  ]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function destCount(user: string): Promise<number> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: dst.imapPort,
    secure: false,
    auth: { user, pass: pw(user) },
    logger: false,
  });
  await c.connect();
  try {
    const s = await c.status('INBOX', { messages: true });
    return s ? (s.messages ?? 0) : 0;
  } finally {
    await c.logout();
  }
}

/** Write a project whose source logs in as the Dovecot master user for every mailbox. */
function writeProject(dir: string, csv: string, extra = ''): string {
  fs.writeFileSync(path.join(dir, 'mailboxes.csv'), csv);
  const file = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(
    file,
    `name: CLI test
source:
  host: 127.0.0.1
  port: ${src.imapPort}
  tls: none
  admin: { user: admin, password: { env: SRC_ADMIN_PW }, mode: master }
destination:
  host: 127.0.0.1
  port: ${dst.imapPort}
  tls: none
mailboxes: mailboxes.csv
dataDir: data
${extra}`,
  );
  return file;
}

/** Start `cutover migrate` and stop it with `signal` once the destination holds at least `atLeast` messages. */
async function interruptedRun(
  args: string[],
  user: string,
  atLeast: number,
  signal: NodeJS.Signals,
  meanwhile?: () => Promise<void>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, SRC_ADMIN_PW: 'master-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, sig) => r({ code, signal: sig })),
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if ((await destCount(user)) >= atLeast) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(child.exitCode, null, `the run finished before it could be interrupted:\n${stderr}`);
  await meanwhile?.();
  child.kill(signal);
  return { ...(await exited), stderr };
}

describe('cutover CLI', () => {
  test('project file: master-user source, CSV with a bad row — good rows run, the bad one is reported with its line', async () => {
    await seedMessages(
      src,
      'carol',
      pw('carol'),
      'INBOX',
      [1, 2, 3].map((i) => ({ raw: makeMessage({ subject: `carol ${i}` }) })),
    );
    await seedMessages(src, 'dave', pw('dave'), 'Projects.Q1', [
      { raw: makeMessage({ subject: 'dave' }), flags: ['\\Seen', 'Important'] },
    ]);
    const dir = tempDataDir();
    const file = writeProject(
      dir,
      `source,destination,destination_password,star,since\ncarol,carol,${pw('carol')},yes,\nbroken,broken,x,perhaps,\ndave,dave,${pw('dave')},,2001-01-01\n`,
    );
    const run = await cli(['migrate', '--project', file], { SRC_ADMIN_PW: 'master-secret' });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stderr, /mailboxes\.csv:3/);
    assert.match(run.stderr, /star/i);
    assert.deepEqual(await snapshot(dst, 'carol', pw('carol')), await snapshot(src, 'carol', pw('carol')));
    const d = await snapshot(dst, 'dave', pw('dave'));
    assert.equal(d['Projects/Q1']!.length, 1);
    assert.match(d['Projects/Q1']![0]!, /Important/);

    // The ledger accounts for everything, but nothing has read the destination back yet.
    const unverified = await cli(['status', '--project', file]);
    assert.equal(unverified.code, 0);
    assert.match(unverified.stdout, /carol[\s\S]*copied 3[\s\S]*ledger only, not verified/);
    assert.doesNotMatch(unverified.stdout, /✓ reconciles/);
    const verify = await cli(['verify', '--project', file, '--no-progress'], {
      SRC_ADMIN_PW: 'master-secret',
    });
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /carol {2}verification normal: ✓ matches — 3 checked/);
    const status = await cli(['status', '--project', file]);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /carol[\s\S]*copied 3[\s\S]*✓ reconciles/);
    const csv = await cli(['report', '--project', file, '--format', 'csv']);
    assert.match(
      csv.stdout.split('\r\n')[0]!,
      /^mailbox,destination,folder,dest_folder,source_items,copied,already_present,skipped,failed/,
    );
    assert.ok(csv.stdout.includes('dave,dave,Projects/Q1,Projects/Q1,1,1,0,0,0'), csv.stdout);
    const json = JSON.parse((await cli(['report', '--project', file, '--format', 'json'])).stdout) as {
      reconciles: boolean;
      mailboxes: Array<{ mailbox: string }>;
    };
    assert.equal(json.reconciles, true);
    assert.deepEqual(json.mailboxes.map((m) => m.mailbox).sort(), ['carol', 'dave']);
  });

  test('kill -9 in the middle of a mailbox: the rerun neither loses nor duplicates a message', async () => {
    await seedMessages(
      src,
      'erin',
      pw('erin'),
      'INBOX',
      Array.from({ length: 1500 }, (_, i) => ({
        raw: makeMessage({ subject: `erin ${i}`, messageId: i % 7 ? undefined : null }),
        flags: i % 2 ? ['\\Seen'] : [],
      })),
    );
    const dir = tempDataDir();
    // A rate cap keeps the run long enough to be killed midway (and exercises the limiter).
    const file = writeProject(
      dir,
      `source,destination_password\nerin,${pw('erin')}\n`,
      'limits: { messagesPerSecond: 400 }\n',
    );
    const killed = await interruptedRun(
      ['migrate', '--project', file, '--no-progress'],
      'erin',
      300,
      'SIGKILL',
    );
    assert.equal(killed.signal, 'SIGKILL');
    const mid = await destCount('erin');
    assert.ok(mid > 0 && mid < 1500, `killed midway (${mid})`);
    const rerun = await cli(['migrate', '--project', file, '--no-progress', '--verify'], {
      SRC_ADMIN_PW: 'master-secret',
    });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(await destCount('erin'), 1500);
    assert.deepEqual(await snapshot(dst, 'erin', pw('erin')), await snapshot(src, 'erin', pw('erin')));
    // Read back at the end of the pass: every one of the 1500 is there once, with its flags.
    assert.match(rerun.stdout, /erin {2}verification normal: ✓ matches — 1500 checked, 0 missing/);
    assert.match(rerun.stdout, /✓ reconciles/);
  });

  test('Ctrl-C stops cleanly with exit 130 and a rerun resumes; a second run on the same store is refused meanwhile', async () => {
    await seedMessages(
      src,
      'sig',
      pw('sig'),
      'INBOX',
      Array.from({ length: 800 }, (_, i) => ({ raw: makeMessage({ subject: `sig ${i}` }) })),
    );
    const dir = tempDataDir();
    const file = writeProject(
      dir,
      `source,destination_password\nsig,${pw('sig')}\n`,
      'limits: { messagesPerSecond: 300 }\n',
    );
    const stopped = await interruptedRun(
      ['migrate', '--project', file, '--no-progress'],
      'sig',
      100,
      'SIGINT',
    );
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /Stopping cleanly/);
    const rerun = await cli(['migrate', '--project', file, '--no-progress'], {
      SRC_ADMIN_PW: 'master-secret',
    });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(await snapshot(dst, 'sig', pw('sig')), await snapshot(src, 'sig', pw('sig')));
  });

  test('a wrong password, a refused connection and an unknown host each say what is wrong and what to do', async () => {
    const good = url(dst, 'kim', pw('kim'));
    const wrong = await cli([
      'migrate',
      '--from',
      url(src, 'kim', 'not-the-password'),
      '--to',
      good,
      '--data-dir',
      tempDataDir(),
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /login refused — wrong user name or password/);

    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const refused = await cli(['test', '--from', `imap://kim:x@127.0.0.1:${closed}`, '--to', good]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /connection refused — nothing listens on that port[\s\S]*Check the port/);
    assert.match(refused.stdout, /✓ destination mailbox/);

    const dns = await cli(['test', '--from', 'imap://kim:x@no-such-host.invalid:143', '--to', good]);
    assert.equal(dns.code, 1);
    assert.match(dns.stdout, /does not resolve/);

    // imaps:// against a plain-text port: the TLS handshake fails, and the message says which scheme to use.
    const tlsMismatch = await cli([
      'test',
      '--from',
      `imaps://kim:x@127.0.0.1:${src.imapPort}`,
      '--to',
      good,
    ]);
    assert.equal(tlsMismatch.code, 1);
    assert.match(tlsMismatch.stdout, /TLS failed[\s\S]*imap:\/\//);

    const badUrl = await cli(['migrate', '--from', 'http://x', '--to', good]);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /imap:\/\//);
  });
});

describe('memory', () => {
  test('a 100 MB message streams through with flat memory', async () => {
    const big = makeMessage({ subject: '100 MB', sizeBytes: 100 * 1024 * 1024 });
    await seedMessages(src, 'kim', pw('kim'), 'Huge', [{ raw: big, flags: ['\\Seen'] }]);
    const run = await cli([
      'migrate',
      '--from',
      url(src, 'kim', pw('kim')),
      '--to',
      url(dst, 'kim', pw('kim')),
      '--data-dir',
      tempDataDir(),
      '--no-progress',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const peak = Number(/peak memory (\d+) MB/.exec(run.stderr)?.[1]);
    assert.ok(peak > 0 && peak < 200, `peak memory ${peak} MB for a 100 MB message`);
    const d = await snapshot(dst, 'kim', pw('kim'));
    assert.deepEqual(d.Huge, (await snapshot(src, 'kim', pw('kim'))).Huge);
  });
});
