/**
 * The filters pass end to end against real Pigeonhole ManageSieve (Dovecot 2.3 + dovecot-managesieved,
 * started by the harness on loopback). A uses '/' as its IMAP delimiter and has every default extension; B
 * uses '.' and lacks imap4flags.
 *
 * - One-off `cutover migrate --from sieve://… --to sieve://…` through the CLI users run: every script byte
 *   for byte, the active one active, the one B cannot take failed with B's own words (exit 1), a rerun
 *   writes nothing, `cutover verify` reads the scripts back.
 * - A project with IMAP servers and their ManageSieve ports moving mail and filters together: fileinto
 *   names follow the folder mapping and B's delimiter, every other byte of the script unchanged.
 * - Sieve into Microsoft 365, against the LOCAL EMULATOR of Microsoft Graph (the real service cannot be
 *   reached from here): rules through the neutral form, what Graph cannot express reported with its text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerUrl } from '../../src/config/server-url.js';
import type { FilterEndpoint } from '../../src/connectors/filters-contract.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import type { ItemType } from '../../src/config/types.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { imapToGraph } from './graph-helpers.js';
import { cli, migrate, oneOff, tempDataDir } from './helpers.js';

const alice = { user: 'alice', password: 'alice-pw' };
const carol = { user: 'carol', password: 'carol-pw' };
const dave = { user: 'dave', password: 'dave-pw' };
let a: DovecotServer;
let b: DovecotServer;

before(async () => {
  [a, b] = await Promise.all([
    startDovecot({ users: [alice, carol, dave], sieve: {} }),
    startDovecot({ users: [alice, carol], delimiter: '.', sieve: { extensions: '-imap4flags' } }),
  ]);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const sieveUrl = (s: DovecotServer, u: { user: string; password: string }) =>
  `sieve://${u.user}:${u.password}@127.0.0.1:${s.sievePort}`;

async function withFilters<T>(
  s: DovecotServer,
  u: { user: string; password: string },
  f: (e: FilterEndpoint) => Promise<T>,
): Promise<T> {
  const { server, auth } = parseServerUrl(sieveUrl(s, u));
  const e = await connectorFor('sieve').openFilters!(server, auth);
  try {
    return await f(e);
  } finally {
    await e.close();
  }
}

async function scriptsOf(s: DovecotServer, u: { user: string; password: string }) {
  return withFilters(s, u, async (e) => {
    const out = new Map<string, { content: Buffer; active: boolean }>();
    for (const x of await e.listScripts!())
      out.set(x.name, { content: await e.readScript!(x.name), active: x.active });
    return out;
  });
}

const main = Buffer.from(
  'require ["fileinto", "vacation"];\r\n# rule:[Reports]\r\nif header :contains "subject" "report" {\r\n  fileinto "Work/Reports";\r\n  stop;\r\n}\r\nvacation :days 3 :subject "Away" "Back on Monday.";\r\n',
);
const flagged = Buffer.from('require ["imap4flags"];\naddflag "\\\\Flagged";\n'); // no final CRLF, LF only
const big = Buffer.from(
  `require "fileinto";\r\n${Array.from({ length: 700 }, (_, i) => `if header :contains "subject" "t-${String(i).padStart(4, '0')}" { fileinto "Tickets"; }\r\n`).join('')}`,
);
const unicodeName = 'Filter für Ärger ✓';

test("sieve:// → sieve://: scripts byte for byte, the active one active, a refusal in the server's words, a rerun writes nothing, verify reads them back", async () => {
  await withFilters(a, alice, async (e) => {
    await e.putScript!('main', main);
    await e.putScript!('flagged', flagged);
    await e.putScript!(unicodeName, big);
    await e.activateScript!('main');
  });
  const dataDir = tempDataDir();
  const args = [
    'migrate',
    '--from',
    sieveUrl(a, alice),
    '--to',
    sieveUrl(b, alice),
    '--data-dir',
    dataDir,
    '--no-progress',
  ];
  const first = await cli(args);
  assert.equal(first.code, 1, 'a script the destination refuses fails the run');
  assert.match(first.stdout, /script 'flagged': failed — .*imap4flags/i, first.stdout);

  const there = await scriptsOf(b, alice);
  assert.ok(there.get('main')?.content.equals(main), 'main byte for byte');
  assert.ok(there.get(unicodeName)?.content.equals(big), '40 KB script with a non-ASCII name byte for byte');
  assert.equal(there.get('main')?.active, true, 'the active script is active at the destination');
  assert.equal(there.has('flagged'), false);

  const report = async () =>
    (
      JSON.parse((await cli(['report', '--data-dir', dataDir, '--format', 'json'])).stdout) as {
        mailboxes: Array<{
          items: Array<{ kind: string; name: string; status: string; reason: string | null }>;
        }>;
      }
    ).mailboxes[0]!.items;
  const firstItems = await report();
  assert.deepEqual(
    firstItems.map((i) => `${i.kind} ${i.name} ${i.status}`).sort(),
    [
      'activation (active script) copied',
      `script ${unicodeName} copied`,
      'script flagged failed',
      'script main copied',
    ].sort(),
  );

  const again = await cli(args);
  assert.equal(again.code, 1);
  const secondItems = await report();
  assert.deepEqual(
    secondItems.map((i) => `${i.kind} ${i.name} ${i.status}`).sort(),
    [
      'activation (active script) present',
      `script ${unicodeName} present`,
      'script flagged failed',
      'script main present',
    ].sort(),
    'a rerun finds everything already there',
  );

  const verified = await cli([
    'verify',
    '--from',
    sieveUrl(a, alice),
    '--to',
    sieveUrl(b, alice),
    '--data-dir',
    dataDir,
    '--format',
    'json',
  ]);
  const v = JSON.parse(verified.stdout) as {
    matches: boolean;
    mailboxes: Array<{ result: string; folders: Array<{ source: string; checked: number }> }>;
  };
  assert.equal(v.matches, true, verified.stdout);
  assert.equal(verified.code, 0, verified.stderr);
  assert.equal(v.mailboxes[0]!.folders.find((f) => f.source === 'filters')?.checked, 2);

  // Changed at the destination behind Cutover's back: verify says so, and the next pass does not overwrite it.
  await withFilters(b, alice, (e) => e.putScript!('main', Buffer.from('keep;\r\n')));
  const changed = await cli([
    'verify',
    '--from',
    sieveUrl(a, alice),
    '--to',
    sieveUrl(b, alice),
    '--data-dir',
    dataDir,
  ]);
  assert.equal(changed.code, 1);
  assert.match(changed.stdout, /altered: script 'main'/);
});

test("a project moving mail and filters: fileinto names follow the folder mapping and the destination's delimiter, nothing else changes", async () => {
  await seedMessages(a, carol.user, carol.password, 'Work/Reports', [
    { raw: makeMessage({ subject: 'q3 report' }) },
  ]);
  await seedMessages(a, carol.user, carol.password, 'Lists/Dev', [
    { raw: makeMessage({ subject: 'dev list' }) },
  ]);
  const script = Buffer.from(
    'require ["fileinto", "copy"];\r\nif header :is "list-id" "dev" { fileinto :copy "Lists/Dev"; }\r\n# Work/Reports stays in this comment\r\nif header :contains "subject" "report" { fileinto "Work/Reports"; }\r\n',
  );
  await withFilters(a, carol, async (e) => {
    await e.putScript!('rules', script);
    await e.activateScript!('rules');
  });
  const project = oneOff(a, carol.user, carol.password, b, carol.user, carol.password, {
    folderMap: ['Work/Reports=Archive/Reports'],
    items: 'mail,filters',
  });
  project.source.imap = { sievePort: a.sievePort };
  project.destination.imap = { sievePort: b.sievePort };
  const { outcomes, reports } = await migrate(tempDataDir(), project);
  assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
  assert.equal(reports[0]!.totals.copied, 2);
  assert.deepEqual(
    reports[0]!.items.map((i) => `${i.kind} ${i.name} ${i.status}`),
    ['activation (active script) copied', 'script rules copied'],
  );
  const there = await scriptsOf(b, carol);
  const want = script
    .toString()
    .replace('fileinto :copy "Lists/Dev"', 'fileinto :copy "Lists.Dev"')
    .replace('fileinto "Work/Reports"', 'fileinto "Archive.Reports"');
  assert.equal(there.get('rules')?.content.toString(), want);
  assert.equal(there.get('rules')?.active, true);
});

test('Sieve → Microsoft 365 (the LOCAL EMULATOR of Graph): rules Graph can express become inbox rules filing into the migrated folders, the vacation an automatic reply, the rest reported with its text; a rerun writes nothing', async () => {
  const emu = await startGraphEmulator({ latencyMs: 1 });
  try {
    const upn = 'anna@contoso.test';
    emu.store.addUser(upn);
    await seedMessages(a, dave.user, dave.password, 'Work/Reports', [
      { raw: makeMessage({ subject: 'q3 report' }) },
    ]);
    const script = Buffer.from(
      [
        'require ["fileinto", "vacation", "regex"];',
        '# rule:[Reports]',
        'if header :contains "subject" "report" { fileinto "Work/Reports"; stop; }',
        '# rule:[Ticket numbers]',
        'if header :regex "subject" "^T-[0-9]+$" { discard; }',
        'vacation :days 2 :subject "Away" "Back on Monday.";',
        '',
      ].join('\r\n'),
    );
    await withFilters(a, dave, async (e) => {
      await e.putScript!('rules', script);
      await e.activateScript!('rules');
    });
    const base = imapToGraph(a, dave.user, dave.password, emu, upn);
    const project = {
      ...base,
      source: { ...base.source, imap: { sievePort: a.sievePort } },
      mailboxes: base.mailboxes.map((m) => ({
        ...m,
        options: { ...m.options, itemTypes: ['mail', 'filters'] as ItemType[] },
      })),
    };
    const dataDir = tempDataDir();
    const first = await migrate(dataDir, project);
    assert.equal(first.outcomes[0]!.status, 'done', first.outcomes[0]!.error);
    const items = (r: typeof first.reports) =>
      r[0]!.items.map((i) => `${i.kind} ${i.name} ${i.status}`).sort();
    assert.deepEqual(items(first.reports), [
      'rule Reports copied',
      'rule Ticket numbers skipped',
      'vacation vacation reply copied',
    ]);
    const skipped = first.reports[0]!.items.find((i) => i.name === 'Ticket numbers')!;
    assert.match(skipped.original ?? '', /header :regex "subject"/, 'the rule is reported with its own text');
    assert.ok(skipped.reason, 'and why it cannot be moved');

    const back = await withGraphFilters(emu, upn, (e) => e.readRules());
    const reports = back.rules.find((r) => r.name === 'Reports');
    assert.deepEqual(
      reports?.actions.find((x) => x.kind === 'move'),
      { kind: 'move', folder: ['Work', 'Reports'] },
    );
    assert.equal(back.vacation?.enabled, true);
    assert.match(back.vacation?.body ?? '', /Back on Monday/);

    const again = await migrate(dataDir, project);
    assert.deepEqual(items(again.reports), [
      'rule Reports present',
      'rule Ticket numbers skipped',
      'vacation vacation reply present',
    ]);
    assert.equal(
      (await withGraphFilters(emu, upn, (e) => e.readRules())).rules.length,
      back.rules.length,
      'nothing written twice',
    );
  } finally {
    await emu.stop();
  }
});

async function withGraphFilters<T>(
  emu: GraphEmulator,
  upn: string,
  f: (e: FilterEndpoint) => Promise<T>,
): Promise<T> {
  const e = await new GraphConnector().openFilters(emulatorServer(emu), appLogin(emu, upn));
  try {
    return await f(e);
  } finally {
    await e.close();
  }
}
