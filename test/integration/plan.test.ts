/**
 * The plan and the scheduler end to end on a real Dovecot pair, from a project file: `cutover plan` after a
 * scan (order summary, estimate, suggested date, warnings, CSV/XLSX exports), and the scheduler running the
 * pre-stage (older items only) and the final sync when due, once each, across a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, unzipSync } from 'fflate';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, tempDataDir } from './helpers.js';
import { loadProjectFile } from '../../src/config/project-file.js';
import { openStore } from '../../src/store/db.js';
import { runSchedule, scheduleStatus } from '../../src/services/scheduler.js';
import { silentProgress } from '../../src/engine/progress.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = [
  { user: 'erin', password: 'pw-erin' },
  { user: 'frank', password: 'pw-frank' },
  { user: 'gina', password: 'pw-gina' },
];
const DAY = 24 * 3600 * 1000;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
  const old = new Date(Date.now() - 90 * DAY);
  const fresh = new Date(Date.now() - 2 * DAY);
  for (const u of ['erin', 'gina'])
    await seedMessages(src, u, `pw-${u}`, 'INBOX', [
      ...Array.from({ length: 6 }, (_, i) => ({
        raw: makeMessage({ subject: `old ${i}`, date: old }),
        internalDate: old,
      })),
      ...Array.from({ length: 4 }, (_, i) => ({
        raw: makeMessage({ subject: `new ${i}`, date: fresh }),
        internalDate: fresh,
      })),
    ]);
  await seedMessages(src, 'frank', 'pw-frank', 'INBOX', [{ raw: makeMessage({ subject: 'frank' }) }]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** A project directory with a project file; `plan` is the YAML of the plan section. */
function projectDir(plan: string, mailboxes: string): string {
  const dir = tempDataDir();
  fs.writeFileSync(
    path.join(dir, 'cutover.yaml'),
    `name: Plan test
source: { host: 127.0.0.1, port: ${src.imapPort}, tls: none }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none }
mailboxes:
${mailboxes}
concurrency: { mailboxes: 2, foldersPerMailbox: 1 }
plan:
${plan}
`,
  );
  return dir;
}

test('cutover plan: summary, estimate, suggested Friday cutover, warnings; CSV and XLSX exports', async () => {
  const dir = projectDir(
    '  timezone: Europe/Berlin\n  mode: credentials\n  communications: operator\n  domains: [example.test]\n',
    '  - { source: erin, password: pw-erin, destinationPassword: pw-erin }\n  - { source: frank, destinationPassword: pw-frank }\n',
  );
  const file = path.join(dir, 'cutover.yaml');
  const scan = await cli(['scan', '--project', file, '--no-progress']);
  assert.equal(scan.code, 1, 'frank has no source credentials: his scan fails, and says why');
  assert.match(scan.stdout, /frank.*\[failed\][\s\S]*No source credentials for mailbox "frank"/);

  const alerts = await cli(['alerts', '--project', file]);
  assert.equal(alerts.code, 0, alerts.stderr);
  const id = /#(\d+) ✗ critical {2}scan-failed {2}frank/.exec(alerts.stdout)?.[1];
  assert.ok(id, alerts.stdout);
  assert.equal((await cli(['alerts', '--project', file, '--complete', id])).code, 0);
  assert.doesNotMatch((await cli(['alerts', '--project', file])).stdout, /scan-failed/);
  assert.match(
    (await cli(['alerts', '--project', file, '--all'])).stdout,
    /scan-failed {2}frank {2}\[completed\]/,
  );

  const text = await cli(['plan', '--project', file]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Mailboxes\s+2 \(0 starred\), 10 items/);
  assert.match(text.stdout, /Estimate\s+\d+\.\d h, done by/);
  assert.match(text.stdout, /suggested: .*a Friday 18:00 in Europe\/Berlin/);
  assert.match(text.stdout, /✗ 1 mailbox\(es\) have no source credentials yet/);
  // The CLI names what a command-line user changes (the CSV column), not a page of the web UI.
  assert.match(text.stdout, /a source_password column, or the personal links/);
  assert.doesNotMatch(text.stdout, /on the \w+ page/);
  assert.match(text.stdout, /✗ frank: the scan failed/);
  assert.match(text.stdout, /! Communications to the operator: one message per user/);

  const csv = await cli(['plan', '--project', file, '--format', 'csv']);
  const lines = csv.stdout.trim().split('\r\n');
  assert.equal(
    lines[0],
    'mailbox,destination,starred,messages,bytes,already_migrated,estimate_hours,estimated_start,estimated_end,credentials,destination_credentials,credential_link',
  );
  // Both sides' credentials: each mailbox gives its destination password in the file.
  assert.match(
    lines.find((l) => l.startsWith('erin,'))!,
    /^erin,erin,no,10,\d+,0,[\d.]+,\d{4}-.*,present,present,$/,
  );
  assert.match(
    lines.find((l) => l.startsWith('frank,'))!,
    /,missing,present,$/,
  );

  const xlsx = path.join(dir, 'plan.xlsx');
  const x = await cli(['plan', '--project', file, '--format', 'xlsx', '--output', xlsx]);
  assert.equal(x.code, 0, x.stderr);
  const files = unzipSync(fs.readFileSync(xlsx));
  assert.match(strFromU8(files['xl/workbook.xml']!), /name="Summary".*name="Plan"/);
  assert.match(strFromU8(files['xl/worksheets/sheet1.xml']!), /suggested cutover/);
});

test('the scheduler runs the pre-stage (older items only), then the final sync when due — each once', async () => {
  const cutover = new Date(Date.now() - 60_000).toISOString().slice(0, 16) + 'Z';
  const dir = projectDir(
    `  timezone: UTC\n  cutover: "${cutover}"\n  prestageOlderThanDays: 30\n  catchUpDays: 1\n`,
    '  - { source: erin, password: pw-erin, destinationPassword: pw-erin }\n',
  );
  const { config: project } = loadProjectFile(path.join(dir, 'cutover.yaml'));
  const store = await openStore(path.join(dir, '.cutover'));
  try {
    const seen: string[] = [];
    const ran = await runSchedule(store, project, {
      progress: silentProgress,
      once: true,
      onPhase: (p) => seen.push(p.phase),
    });
    assert.equal(ran, 2);
    assert.deepEqual(seen, ['prestage', 'final']);
    const inbox = (await listAll(dst, 'erin', 'pw-erin')).find((f) => f.path === 'INBOX')!;
    assert.equal(inbox.messages.length, 10, 'after the final sync everything is there, once');
    const status = await scheduleStatus(store, project);
    assert.deepEqual(
      status.map((s) => `${s.phase}:${s.status}`),
      ['prestage:done', 'final:done', 'catchup:pending'],
    );
    // A restarted scheduler has nothing due: nothing runs twice.
    assert.equal(await runSchedule(store, project, { progress: silentProgress, once: true }), 0);
  } finally {
    await store.close();
  }
});

test('a pre-stage pass copies only items older than the cut; the rest is skipped with the reason, then copied', async () => {
  const dir = projectDir(
    '  prestageOlderThanDays: 30\n',
    '  - { source: gina, password: pw-gina, destinationPassword: pw-gina }\n',
  );
  const file = path.join(dir, 'cutover.yaml');
  const pre = await cli(['migrate', '--project', file, '--phase', 'prestage', '--no-progress']);
  assert.equal(pre.code, 0, pre.stderr + pre.stdout);
  const report = JSON.parse((await cli(['report', '--project', file, '--format', 'json'])).stdout) as {
    mailboxes: Array<{
      totals: { copied: number; present: number; skipped: number };
      problems: Array<{ reason: string }>;
    }>;
  };
  const t = report.mailboxes[0]!.totals;
  assert.equal(t.copied, 6, 'the six 90-day-old items');
  assert.equal(t.skipped, 4);
  assert.match(report.mailboxes[0]!.problems[0]!.reason, /newer than the date range/);
  const delta = await cli(['migrate', '--project', file, '--phase', 'delta', '--no-progress']);
  assert.equal(delta.code, 0, delta.stderr);
  assert.match(delta.stdout, /source 10 {2}copied 10 {2}already present 0 {2}skipped 0/);
  const inbox = (await listAll(dst, 'gina', 'pw-gina')).find((f) => f.path === 'INBOX')!;
  assert.equal(inbox.messages.length, 10);
});
