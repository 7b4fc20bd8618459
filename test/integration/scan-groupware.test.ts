/**
 * The scan counts what a mailbox moves besides mail, against real servers from Debian started by the
 * harness: Dovecot with Pigeonhole (ManageSieve, `imap: { sievePort }`) for mail and filters, Radicale beside
 * it for contacts, calendars and tasks (`dav: { url }` in the project file). Per item type the collections and
 * items reach the CLI's text and JSON; nothing is written at the source (ETags and scripts unchanged); a type
 * the source cannot be read for is a problem of that type with the reason, while the mail and the other types
 * are still counted and the mailbox's scan is done.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveTarget } from '../../src/cli/context.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import type { FilterEndpoint } from '../../src/connectors/filters-contract.js';
import type { GroupwareEndpoint } from '../../src/connectors/groupware-contract.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { silentProgress } from '../../src/engine/progress.js';
import { runScan, scanView } from '../../src/services/scan-service.js';
import { itemTable } from '../../src/services/scan-tables.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { openStore } from '../../src/store/db.js';
import { seeder, type DavTestServer } from '../harness/dav-server.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { startRadicale } from '../harness/radicale.js';
import { ALICE, event, openDav, task } from '../connectors/dav-fixtures.js';
import { cli, tempDataDir } from './helpers.js';

const FIX = path.resolve('test/fixtures/groupware');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

let rad: DavTestServer;
let src: DovecotServer;
let dst: DovecotServer;

before(async () => {
  [rad, src, dst] = await Promise.all([
    startRadicale({ users: [ALICE] }),
    startDovecot({ users: [ALICE], sieve: {} }),
    startDovecot({ users: [ALICE], delimiter: '.' }),
  ]);
  await seedMessages(src, ALICE.user, ALICE.password, 'INBOX', [
    { raw: makeMessage({ subject: 'one' }) },
    { raw: makeMessage({ subject: 'two' }) },
  ]);
  const r = seeder(rad, ALICE.user);
  await r.addressbook('/alice/people/', 'People');
  await r.addressbook('/alice/suppliers/', 'Suppliers');
  await r.put('/alice/people/a.vcf', fixture('contact-3.0.vcf'));
  await r.put('/alice/people/b.vcf', fixture('contact-4.0.vcf'));
  await r.put('/alice/suppliers/g.vcf', fixture('group-4.0.vcf'));
  await r.calendar('/alice/home/', 'Home', ['VEVENT']);
  await r.put('/alice/home/series.ics', fixture('recurring-series.ics'));
  await r.put('/alice/home/all-day.ics', fixture('all-day.ics'));
  await r.put('/alice/home/e3.ics', event('scan-e3@cutover.test'));
  await r.calendar('/alice/jobs/', 'Jobs', ['VTODO']);
  await r.put('/alice/jobs/t1.ics', task('scan-t1@cutover.test'));
  await withSieve(async (e) => {
    await e.putScript!('main', Buffer.from('require "fileinto";\r\nfileinto "Work";\r\n'));
    await e.putScript!('spare', Buffer.from('keep;\r\n'));
    await e.activateScript!('main');
  });
});
after(async () => {
  await Promise.all([rad?.stop(), src?.stop(), dst?.stop()]);
});

async function withSieve<T>(f: (e: FilterEndpoint) => Promise<T>): Promise<T> {
  const { server, auth } = parseServerUrl(
    `sieve://${ALICE.user}:${encodeURIComponent(ALICE.password)}@127.0.0.1:${src.sievePort}`,
  );
  const e = await connectorFor('sieve').openFilters!(server, auth);
  try {
    return await f(e);
  } finally {
    await e.close();
  }
}

/** What the source holds, to prove the scan wrote nothing: every item's ETag, every script and the active one. */
async function sourceState(): Promise<string> {
  const dav: GroupwareEndpoint = await openDav(rad);
  const out: string[] = [];
  try {
    for (const c of await dav.listCollections())
      for (const r of (await dav.changes(c.id, undefined)).changed) out.push(`${c.id} ${r.key} ${r.etag}`);
  } finally {
    await dav.close();
  }
  await withSieve(async (e) => {
    for (const s of await e.listScripts!())
      out.push(`${s.name} ${s.active} ${(await e.readScript!(s.name)).toString('base64')}`);
  });
  return out.sort().join('\n');
}

/** A project file: IMAP + ManageSieve source with Radicale beside it, an IMAP destination. */
function projectFile(opts: { davPort?: number; sievePort?: number; items: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-scan-gw-'));
  const file = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(
    file,
    [
      'source:',
      '  host: 127.0.0.1',
      `  port: ${src.imapPort}`,
      '  tls: none',
      `  imap: { sievePort: ${opts.sievePort ?? src.sievePort} }`,
      `  dav: { url: "http://127.0.0.1:${opts.davPort ?? rad.port}/" }`,
      'destination:',
      '  host: 127.0.0.1',
      `  port: ${dst.imapPort}`,
      '  tls: none',
      'mailboxes:',
      `  - { source: ${ALICE.user}, password: "${ALICE.password}", destinationPassword: "${ALICE.password}" }`,
      'defaults:',
      `  items: [${opts.items}]`,
      '',
    ].join('\n'),
  );
  return file;
}

test('cutover scan counts books and cards, calendars and events, task lists and tasks, and scripts, per mailbox, and writes nothing', async () => {
  const before = await sourceState();
  const file = projectFile({ items: 'mail, contacts, calendars, tasks, filters' });
  const dataDir = tempDataDir();
  const text = await cli(['scan', '--project', file, '--data-dir', dataDir, '--no-progress']);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, /alice .*2 items/, 'the mail is still counted');
  assert.match(
    text.stdout,
    /contacts 2 books \/ 3 cards · calendars 1 calendars \/ 3 events · tasks 1 lists \/ 1 tasks · filters 2/,
    text.stdout,
  );
  assert.doesNotMatch(text.stdout, /not counted/);

  const json = await cli(['scan', '--project', file, '--data-dir', dataDir, '--new', '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const view = JSON.parse(json.stdout) as {
    mailboxes: Array<{ status: string; messages: number; itemCounts: unknown[] }>;
  };
  assert.equal(view.mailboxes[0]!.status, 'done');
  assert.equal(view.mailboxes[0]!.messages, 2);
  assert.deepEqual(view.mailboxes[0]!.itemCounts, [
    { type: 'contacts', collections: 2, items: 3, shared: 0, problem: null },
    { type: 'calendars', collections: 1, items: 3, shared: 0, problem: null },
    { type: 'tasks', collections: 1, items: 1, shared: 0, problem: null },
    { type: 'filters', collections: null, items: 2, shared: 0, problem: null },
  ]);
  assert.equal(await sourceState(), before, 'every item, script and the active script as they were');

  // The plan's estimate counts them too: 2 messages + 4 collections and 9 items, each moved like a message.
  const plan = await cli(['plan', '--project', file, '--data-dir', dataDir, '--format', 'json']);
  assert.equal(plan.code, 0, plan.stderr);
  const summary = JSON.parse(plan.stdout) as { rows: Array<{ messages: number }> };
  assert.equal(summary.rows[0]!.messages, 2 + 4 + 9);
});

test('a type the source cannot be read for is a problem of that type with the reason; mail and the other types are counted, the scan is done', async () => {
  // Nothing listens on a port just taken and freed: the CalDAV/CardDAV server beside the mail is unreachable.
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const { project } = resolveTarget({
    project: projectFile({ davPort: closed, items: 'mail, contacts, calendars, filters' }),
  });
  const store = await openStore(tempDataDir());
  try {
    const outcome = await runScan(store, project, { progress: silentProgress });
    assert.equal(outcome.stopped, false);
    const view = (await scanView(store, null))!;
    const m = view.mailboxes[0]!;
    assert.equal(m.status, 'done', 'the scan of the mailbox is not failed by one type');
    assert.equal(m.error, null);
    assert.equal(m.messages, 2);
    const [contacts, calendars, filters] = m.itemCounts;
    assert.deepEqual(
      m.itemCounts.map((i) => i.type),
      ['contacts', 'calendars', 'filters'],
      'only the selected types (no tasks)',
    );
    for (const i of [contacts!, calendars!]) {
      assert.equal(i.items, 0);
      assert.ok(i.problem, `${i.type} has a reason`);
      assert.match(i.problem, new RegExp(`127\\.0\\.0\\.1:${closed}: connection refused`), i.problem);
    }
    assert.deepEqual(filters, { type: 'filters', collections: null, items: 2, shared: 0, problem: null });
    assert.deepEqual(
      itemTable(view).rows.map((r) => r.slice(1, 4)),
      [
        ['contacts', 0, 0],
        ['calendars', 0, 0],
        ['filters', null, 2],
      ],
    );
    const alerts = await new AlertRepo(store.db).list();
    const alert = alerts.find((a) => a.type === 'scan-items-unreadable');
    assert.ok(alert, 'an advisory alert names the unreadable types');
    assert.match(alert.text, /contacts and calendars could not be counted: .*connection refused/);
    assert.ok(!alerts.some((a) => a.type === 'scan-failed'), 'and the scan did not fail');
  } finally {
    await store.close();
  }
});

test('a mailbox that moves no mail is not scanned for mail: only its contacts are counted', async () => {
  const { project } = resolveTarget({ project: projectFile({ items: 'contacts' }) });
  const store = await openStore(tempDataDir());
  try {
    await runScan(store, project, { progress: silentProgress });
    const m = (await scanView(store, null))!.mailboxes[0]!;
    assert.equal(m.status, 'done');
    assert.equal(m.folders, 0, 'no folder listed');
    assert.equal(m.messages, 0);
    assert.deepEqual(m.itemCounts, [
      { type: 'contacts', collections: 2, items: 3, shared: 0, problem: null },
    ]);
  } finally {
    await store.close();
  }
});
