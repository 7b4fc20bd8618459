/**
 * Mailbox discovery (`cutover discover` and its service) against the LOCAL EMULATOR of Microsoft Graph
 * (test code: Graph cannot be reached from here): user and shared mailboxes listed, users without a
 * mailbox and disabled accounts left out, destination logins through the plan's address replacements,
 * and the CSV it writes loads as the project's mailboxes. IMAP, which has no directory, says so.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadProjectFile } from '../../src/config/project-file.js';
import { defaultPlan } from '../../src/config/plan.js';
import type { MailboxOptions, ProjectConfig, ServerSpec } from '../../src/config/types.js';
import { CutoverError } from '../../src/errors.js';
import { discoverMailboxes } from '../../src/services/discovery-service.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { emulatorServer } from '../emulators/graph/graph-project.js';
import { cli, tempDataDir } from './helpers.js';

/** The error says what is wrong and what to do (message and hint). */
const told = (re: RegExp) => (e: unknown) => e instanceof CutoverError && re.test(e.describe());

let emu: GraphEmulator;
before(async () => {
  emu = await startGraphEmulator({});
  emu.store.addUser('ann@contoso.test');
  emu.store.addUser('bob@contoso.test');
  emu.store.addUser('gone@contoso.test', { enabled: false });
  emu.store.addUser('info@contoso.test', { mailbox: 'shared' });
  emu.store.addUser('guest@contoso.test', { mailbox: 'none' });
});
after(() => emu?.stop());

const defaults: MailboxOptions = {
  itemTypes: ['mail'],
  folders: { map: [], regex: [], include: [], exclude: [] },
};
const imap: ServerSpec = {
  kind: 'imap',
  host: 'new.example.test',
  port: 143,
  tls: 'none',
  allowInvalidCertificates: false,
  maxConnections: 4,
};

function project(): ProjectConfig {
  return {
    name: 'disco',
    source: emulatorServer(emu),
    destination: imap,
    defaults,
    mailboxes: [
      { sourceUser: 'bob@contoso.test', destUser: 'bob@fabrikam.test', starred: false, options: defaults },
    ],
    concurrency: { mailboxes: 2, foldersPerMailbox: 2 },
    limits: {},
    plan: { ...defaultPlan(), addressReplacements: [{ from: '@contoso.test', to: '@fabrikam.test' }] },
  };
}

describe('mailbox discovery', () => {
  test('user and shared mailboxes, disabled accounts left out unless asked, addresses replaced', async () => {
    const found = await discoverMailboxes(project());
    assert.deepEqual(
      found.rows.map((r) => [r.source, r.destination, r.kind, r.known]),
      [
        ['ann@contoso.test', 'ann@fabrikam.test', 'user', false],
        ['bob@contoso.test', 'bob@fabrikam.test', 'user', true],
        ['info@contoso.test', 'info@fabrikam.test', 'shared', false],
      ],
    );
    assert.equal(found.suspendedLeftOut, 1);
    const all = await discoverMailboxes(project(), { includeSuspended: true });
    assert.deepEqual(
      all.rows.filter((r) => r.suspended).map((r) => r.source),
      ['gone@contoso.test'],
    );
  });

  test('a source without a directory, or without an admin login, is told what to do instead', async () => {
    const p = project();
    await assert.rejects(
      discoverMailboxes({ ...p, source: { ...p.destination } }),
      told(/An IMAP source cannot list its mailboxes[\s\S]*Import the mailboxes from a CSV/),
    );
    await assert.rejects(
      discoverMailboxes({ ...p, source: { ...p.source, admin: undefined } }),
      told(/source admin login[\s\S]*Add source\.admin/),
    );
  });

  test('cutover discover writes a mailboxes CSV that a project file loads', async () => {
    const dir = tempDataDir();
    const certFile = path.join(dir, 'graph-emulator.pem');
    fs.writeFileSync(certFile, emu.cert);
    const file = path.join(dir, 'project.yaml');
    const u = new URL(emu.baseUrl);
    fs.writeFileSync(
      file,
      `name: disco
source:
  kind: graph
  host: ${u.hostname}
  port: ${u.port}
  admin: { user: ${emu.clientId}, password: { env: GRAPH_SECRET }, mode: master }
  graph: { tenantId: ${emu.tenantId}, baseUrl: ${emu.baseUrl}, authorityHost: ${emu.authorityHost} }
destination: { host: new.example.test, port: 143, tls: none }
plan:
  addressReplacements: [{ from: "@contoso.test", to: "@fabrikam.test" }]
`,
    );
    const out = path.join(dir, 'mailboxes.csv');
    const run = await cli(['discover', '--project', file, '--output', out], {
      GRAPH_SECRET: emu.clientSecret,
      NODE_EXTRA_CA_CERTS: certFile,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /found 3 mailbox\(es\) \(2 user, 1 shared\); 1 suspended left out/);
    assert.equal(
      fs.readFileSync(out, 'utf8'),
      'source,destination\r\nann@contoso.test,ann@fabrikam.test\r\nbob@contoso.test,bob@fabrikam.test\r\n' +
        'info@contoso.test,info@fabrikam.test\r\n',
    );
    fs.appendFileSync(file, 'mailboxes: mailboxes.csv\n');
    const { config, problems } = loadProjectFile(file);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      config.mailboxes.map((m) => [m.sourceUser, m.destUser]),
      [
        ['ann@contoso.test', 'ann@fabrikam.test'],
        ['bob@contoso.test', 'bob@fabrikam.test'],
        ['info@contoso.test', 'info@fabrikam.test'],
      ],
    );
  });
});
