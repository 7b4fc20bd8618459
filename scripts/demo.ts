/**
 * `npm run demo`: a real migration between two throwaway local Dovecot servers, showing the progress
 * display and the final report. Installs Dovecot from Debian when missing (as root). Leaves nothing running.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDovecot, seedMessages, startDovecot } from '../test/harness/dovecot.js';
import { makeMessage } from '../test/harness/messages.js';

const users = ['alice', 'bob', 'chen'].map((user) => ({ user, password: `${user}-pw` }));
const master = { user: 'admin', password: 'admin-pw' };
await ensureDovecot();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-demo-'));
console.log(
  'Starting two throwaway Dovecot servers (old: Maildir++ with "." separators; new: "/" separators)…',
);
const [src, dst] = await Promise.all([
  startDovecot({ layout: 'maildir++', delimiter: '.', users, masterUser: master }),
  startDovecot({ layout: 'fs', users, masterUser: master }),
]);
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEMO_ADMIN_PW: master.password },
  });
try {
  console.log(
    'Filling the old server: 3 mailboxes, nested and non-Latin folders, flags, a few large attachments…',
  );
  let n = 0;
  for (const [i, { user, password }] of users.entries()) {
    const msgs = (count: number, big = 0) =>
      Array.from({ length: count }, (_, k) => ({
        raw: makeMessage({
          subject: `${user} message ${++n}`,
          sizeBytes: k < big ? 3_000_000 : 2_000 + ((k * 7919) % 40_000),
        }),
        flags: k % 3 ? ['\\Seen'] : ['\\Flagged', '$Important'],
        internalDate: new Date(Date.UTC(2018 + (k % 7), k % 12, 1 + (k % 28))),
      }));
    await seedMessages(src, user, password, 'INBOX', msgs(400 + i * 200, 2));
    await seedMessages(src, user, password, 'Gesendete Elemente', msgs(120));
    await seedMessages(src, user, password, 'Projekte.2024.Überblick', msgs(60, 1));
    await seedMessages(src, user, password, '日本語', msgs(30));
  }
  const project = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(
    path.join(dir, 'mailboxes.csv'),
    'source,destination,star\nalice,alice,\nbob,bob,yes\nchen,chen,\n',
  );
  fs.writeFileSync(
    project,
    `name: Demo — old server to new server
source: { host: 127.0.0.1, port: ${src.imapPort}, tls: none, admin: { user: admin, password: { env: DEMO_ADMIN_PW }, mode: master } }
destination: { host: 127.0.0.1, port: ${dst.imapPort}, tls: none, admin: { user: admin, password: { env: DEMO_ADMIN_PW }, mode: master } }
mailboxes: mailboxes.csv
concurrency: { mailboxes: 2, foldersPerMailbox: 2 }
limits: { messagesPerSecond: 600 }
`,
  );
  console.log(`\nProject file: ${project}\n\n$ cutover test\n`);
  cli(['test', '--project', project]);
  console.log('\n$ cutover migrate   (first pass; rate-capped at 600 msg/s so you can watch)\n');
  cli(['migrate', '--project', project]);
  console.log('\nNew mail arrives at the old server…');
  await seedMessages(src, 'alice', 'alice-pw', 'INBOX', [
    { raw: makeMessage({ subject: 'arrived after the first pass' }) },
  ]);
  console.log('\n$ cutover migrate   (delta pass: only what is new)\n');
  cli(['migrate', '--project', project]);
  console.log('\n$ cutover report\n');
  cli(['report', '--project', project]);
} finally {
  await Promise.all([src.stop(), dst.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
}
