/**
 * The environment scan against real Dovecot servers: figures per folder and mailbox, items over the
 * destination's size limit, missing and duplicate Message-IDs, names the destination cannot take (its
 * delimiter is '.'), quota headroom; stop and resume; comparison between scans; CSV/JSON/XLSX exports
 * through the CLI, including the one-off form with only a source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, unzipSync } from 'fflate';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, tempDataDir, url } from './helpers.js';
import { resolveTarget } from '../../src/cli/context.js';
import { openStore } from '../../src/store/db.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { compareScans, runScan, scanView } from '../../src/services/scan-service.js';
import { silentProgress, type ProgressSink } from '../../src/engine/progress.js';
import type { ProjectConfig } from '../../src/config/types.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = [
  { user: 'carol', password: 'pw-carol' },
  { user: 'dave', password: 'pw-dave' },
];
const MB = 1024 * 1024;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', delimiter: '/', users }),
    // '.' delimiter: "v1.2" cannot keep its name; 1 MB size limit; 1.5 MB quota.
    startDovecot({ layout: 'maildir++', delimiter: '.', users, maxMailSize: MB, quotaBytes: 1.5 * MB }),
  ]);
  const shared = makeMessage({ subject: 'in two folders', messageId: '<shared@cutover.test>' });
  await seedMessages(src, 'carol', 'pw-carol', 'INBOX', [
    {
      raw: makeMessage({ subject: 'old', date: new Date('2019-03-04T10:00:00Z') }),
      internalDate: new Date('2019-03-04T10:00:00Z'),
    },
    {
      raw: makeMessage({ subject: 'big', sizeBytes: 2 * MB }),
      internalDate: new Date('2024-06-01T00:00:00Z'),
    },
    {
      raw: makeMessage({ subject: 'no id', messageId: null }),
      internalDate: new Date('2024-06-02T00:00:00Z'),
    },
    { raw: shared, internalDate: new Date('2024-06-03T00:00:00Z') },
    { raw: shared, internalDate: new Date('2024-06-03T00:00:00Z') },
  ]);
  await seedMessages(src, 'carol', 'pw-carol', 'Archive', [{ raw: shared }]);
  await seedMessages(src, 'carol', 'pw-carol', 'Projects/2024/Q1', [
    { raw: makeMessage({ subject: 'deep' }) },
  ]);
  await seedMessages(src, 'carol', 'pw-carol', 'v1.2', [{ raw: makeMessage({ subject: 'dotted' }) }]);
  await seedMessages(src, 'dave', 'pw-dave', 'INBOX', [{ raw: makeMessage({ subject: 'dave 1' }) }]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** A project with both mailboxes, built the way the one-off form builds one, plus dave. */
function project(): ProjectConfig {
  const p = resolveTarget({ from: url(src, 'carol', 'pw-carol'), to: url(dst, 'carol', 'pw-carol') }).project;
  const dave = resolveTarget({ from: url(src, 'dave', 'pw-dave'), to: url(dst, 'dave', 'pw-dave') }).project;
  return {
    ...p,
    mailboxes: [...p.mailboxes, ...dave.mailboxes],
    concurrency: { mailboxes: 1, foldersPerMailbox: 1 },
  };
}

test('a scan reports per-folder figures, oversize items, Message-ID problems, unfit names and quota', async () => {
  const store = await openStore(tempDataDir());
  try {
    const outcome = await runScan(store, project(), { progress: silentProgress });
    assert.equal(outcome.stopped, false);
    const view = (await scanView(store, null))!;
    const carol = view.mailboxes.find((m) => m.mailbox === 'carol')!;
    assert.equal(carol.status, 'done', carol.error ?? '');
    assert.equal(carol.messages, 8);
    assert.equal(carol.maxDepth, 3);
    assert.equal(carol.oversize, 1, 'the 2 MB message is over the 1 MB limit');
    assert.equal(carol.appendLimit, MB);
    assert.equal(carol.noMessageId, 1);
    assert.equal(carol.duplicateIds, 2, 'the shared message: twice in INBOX, once in Archive');
    assert.equal(carol.oldest?.slice(0, 10), '2019-03-04');
    assert.equal(carol.quotaLimit, 1.5 * MB);
    assert.ok(carol.quotaHeadroom! < 0, 'more than 1.5 MB will not fit');
    const inbox = carol.folderRows.find((f) => f.folder === 'INBOX')!;
    assert.equal(inbox.messages, 5);
    assert.equal(inbox.duplicateIds, 1);
    const dotted = carol.folderRows.find((f) => f.folder === 'v1.2')!;
    assert.match(dotted.nameProblem ?? '', /becomes "v1\u20242"/);
    assert.equal(view.mailboxes.find((m) => m.mailbox === 'dave')!.messages, 1);
    // What needs a person became alerts: critical for the quota, advisory for the rest.
    const alerts = (await new AlertRepo(store.db).list('active')).map((a) => `${a.level} ${a.type}`).sort();
    assert.deepEqual(alerts, [
      'advisory folder-renamed',
      'advisory oversize-items',
      'critical quota-too-small',
    ]);
  } finally {
    await store.close();
  }
});

test('a stopped scan resumes where it stopped; a later scan is compared with it', async () => {
  const store = await openStore(tempDataDir());
  try {
    const stop = new AbortController();
    const progress: ProgressSink = { ...silentProgress, finished: () => stop.abort() };
    const first = await runScan(store, project(), { progress, signal: stop.signal });
    assert.equal(first.stopped, true);
    assert.equal((await scanView(store, null))!.mailboxes.length, 1, 'one mailbox done before the stop');
    const resumed = await runScan(store, project(), { progress: silentProgress });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.scanId, first.scanId);
    assert.equal(resumed.scanned, 1, 'only the mailbox not yet scanned');
    const done = (await scanView(store, null))!;
    assert.equal(done.status, 'done');
    assert.equal(done.mailboxes.length, 2);

    await seedMessages(src, 'dave', 'pw-dave', 'New', [
      { raw: makeMessage({ subject: 'dave 2', sizeBytes: 5000 }) },
    ]);
    const next = await runScan(store, project(), { progress: silentProgress });
    assert.notEqual(next.scanId, first.scanId);
    const diff = compareScans(done, (await scanView(store, null, next.scanId))!);
    const dave = diff.find((d) => d.mailbox === 'dave')!;
    assert.equal(dave.messages, 1);
    assert.deepEqual(dave.foldersAdded, ['New']);
    assert.equal(diff.find((d) => d.mailbox === 'carol')!.messages, 0);
  } finally {
    await store.close();
  }
});

test('CLI: one-off scan of a source alone as CSV and JSON; XLSX export of a scan with a comparison', async () => {
  const dir = tempDataDir();
  const csv = await cli([
    'scan',
    '--from',
    url(src, 'carol', 'pw-carol'),
    '--format',
    'csv',
    '--data-dir',
    dir,
  ]);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\r\n');
  assert.match(lines[0]!, /^mailbox,folder,dest_folder,depth,messages,bytes/);
  assert.ok(
    lines.some((l) => /^carol,Projects\/2024\/Q1,Projects\/2024\/Q1,3,1,/.test(l)),
    csv.stdout,
  );

  const json = await cli([
    'scan',
    '--from',
    url(src, 'carol', 'pw-carol'),
    '--format',
    'json',
    '--new',
    '--data-dir',
    dir,
  ]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as {
    mailboxes: Array<{ messages: number; destError: string | null }>;
  };
  assert.equal(parsed.mailboxes[0]!.messages, 8);
  assert.equal(
    parsed.mailboxes[0]!.destError,
    null,
    'a source-only scan does not complain about the destination',
  );

  const xlsxFile = path.join(dir, 'scan.xlsx');
  const x = await cli([
    'scan',
    '--from',
    url(src, 'carol', 'pw-carol'),
    '--to',
    url(dst, 'carol', 'pw-carol'),
    '--new',
    '--compare',
    '--format',
    'xlsx',
    '--output',
    xlsxFile,
    '--data-dir',
    dir,
  ]);
  assert.equal(x.code, 0, x.stderr);
  const files = unzipSync(fs.readFileSync(xlsxFile));
  const workbook = strFromU8(files['xl/workbook.xml']!);
  assert.match(workbook, /name="Mailboxes".*name="Folders".*name="Changes"/);
  const folders = strFromU8(files['xl/worksheets/sheet2.xml']!);
  assert.match(folders, /Projects\/2024\/Q1/);
  assert.match(strFromU8(files['xl/worksheets/sheet1.xml']!), /carol/);

  const noFile = await cli([
    'scan',
    '--from',
    url(src, 'carol', 'pw-carol'),
    '--format',
    'xlsx',
    '--data-dir',
    dir,
  ]);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /--output/);
});
