/**
 * A 1 GiB mbox imported with flat memory: the file is written here (4,096 messages of 256 KiB, some with
 * `From ` lines in their bodies, quoted mboxrd-style), moved by the CLI as users run it into a file://
 * destination, and the process's peak memory (the "peak memory N MB" line migrate prints, read from
 * /proc/self/status VmHWM) must stay far below the file's size. Every message arrives, and sampled ones
 * byte for byte. A rerun copies nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cli, tempDataDir } from './helpers.js';

const COUNT = 4096;
const BODY_LINES = 3410; // 3,410 lines of 76 characters + a line end: just over 256 KiB per message, over 1 GiB in all
const LIMIT_MB = 300;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-mbox-1g-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Message i as IMAP would hold it (CRLF), deterministic; every 64th has `From ` lines in its body. */
function message(i: number): Buffer {
  const head =
    `From: Sender ${i} <s${i}@example.com>\r\nTo: r@example.com\r\nSubject: large mbox ${i}\r\n` +
    `Message-ID: <big-${i}@example.com>\r\nDate: Mon, 02 Mar 2020 10:00:00 +0000\r\n\r\n`;
  const seed = createHash('sha256').update(String(i)).digest('base64').replace(/[+/=]/g, 'x');
  const line = (seed + seed + seed).slice(0, 76);
  const lines: string[] = [];
  for (let l = 0; l < BODY_LINES; l++)
    lines.push(i % 64 === 0 && l % 500 === 0 ? `From the desk of ${i}, line ${l}` : line);
  return Buffer.from(head + lines.join('\r\n') + '\r\n', 'latin1');
}

/** The message as an mbox holds it: envelope line, LF line ends, mboxrd quoting, a blank line after. */
function mboxEntry(i: number): Buffer {
  const text = message(i)
    .toString('latin1')
    .replace(/\r\n/g, '\n')
    .replace(/^(>*From )/gm, '>$1');
  return Buffer.from(`From s${i}@example.com Mon Mar  2 10:00:00 2020\n${text}\n`, 'latin1');
}

test('a 1 GiB mbox moves with flat memory, every message byte for byte, and a rerun copies nothing', async () => {
  const file = path.join(dir, 'big.mbox');
  const out = fs.createWriteStream(file);
  for (let i = 0; i < COUNT; i++) if (!out.write(mboxEntry(i))) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  const size = fs.statSync(file).size;
  assert.ok(size > 1024 ** 3, `the mbox is over 1 GiB (${size} bytes)`);

  const dest = path.join(dir, 'out');
  const dataDir = tempDataDir();
  const args = [
    'migrate',
    '--from',
    `mbox://${file}`,
    '--to',
    `file://${dest}`,
    '--data-dir',
    dataDir,
    '--no-progress',
  ];
  const first = await cli(args);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const peak = Number(/peak memory (\d+) MB/.exec(first.stderr)?.[1]);
  assert.ok(peak > 0, `migrate reports its peak memory: ${first.stderr}`);
  console.log(`# 1 GiB mbox → file://: peak memory ${peak} MB`);
  assert.ok(
    peak < LIMIT_MB,
    `peak memory ${peak} MB stays under ${LIMIT_MB} MB for a ${Math.round(size / 1024 ** 2)} MB mbox`,
  );
  assert.match(first.stdout, new RegExp(`copied ${COUNT}\\b`));

  const inbox = path.join(dest, 'INBOX');
  const emls = fs.readdirSync(inbox).filter((f) => f.endsWith('.eml'));
  assert.equal(emls.length, COUNT, 'one .eml per message');
  // Byte for byte: the manifest names each message's file; check the quoted ones and a spread of others.
  const lines = fs
    .readFileSync(path.join(inbox, 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { op: string; file?: string; sha256?: string });
  const adds = lines.filter((l) => l.op === 'add');
  assert.equal(adds.length, COUNT);
  const bySha = new Map(adds.map((a) => [a.sha256, a.file]));
  for (const i of [0, 1, 63, 64, 1000, 2048, 4095]) {
    const want = message(i);
    const sha = createHash('sha256').update(want).digest('hex');
    const f = bySha.get(sha);
    assert.ok(f, `message ${i} is in the manifest with the source's SHA-256`);
    assert.ok(fs.readFileSync(path.join(inbox, f)).equals(want), `message ${i} byte for byte`);
  }

  const again = await cli(args);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  const report = await cli(['report', '--data-dir', dataDir, '--format', 'json']);
  const passes = (JSON.parse(report.stdout) as { mailboxes: Array<{ passes: Array<{ copied: number }> }> })
    .mailboxes[0]!.passes;
  assert.deepEqual(
    passes.map((p) => p.copied),
    [COUNT, 0],
    'the second pass copied nothing',
  );
  assert.equal(fs.readdirSync(inbox).filter((f) => f.endsWith('.eml')).length, COUNT);
});
