/**
 * The scan applies the label rules a Gmail destination declares (GmailConnector.folderNaming) before any
 * pass: a folder under INBOX or Sent, or with a reserved name, is shown where it will go and why. Source:
 * the in-memory connector (test/support); destination: the Gmail EMULATOR (Google cannot be reached here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerSpec } from '../../src/config/types.js';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import { scanMailbox } from '../../src/engine/mailbox-scan.js';
import { silentProgress } from '../../src/engine/progress.js';
import { ConnectionSlots } from '../../src/runner/limits.js';
import { makeMessage } from '../harness/messages.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';
import { MemMailbox, memoryConnector } from '../support/memory-connector.js';

const user = 'scan@example.test';
let emu: GmailEmulator;
before(async () => {
  emu = await GmailEmulator.start({ users: [user] });
});
after(() => emu.stop());

const memServer: ServerSpec = {
  kind: 'imap',
  host: 'memory',
  port: 1,
  tls: 'none',
  allowInvalidCertificates: false,
  maxConnections: 4,
};

test('a scan towards Gmail shows folders under INBOX and Sent, and reserved names, where they will go and why', async () => {
  const source = new MemMailbox();
  for (const f of ['INBOX', 'INBOX/Receipts', 'Sent', 'Sent/2019', 'Starred', 'Clients/Important'])
    source.add(f, makeMessage({ subject: f }));
  const scan = await scanMailbox(
    {
      mailboxId: 1,
      label: 'scan',
      source: {
        connector: memoryConnector(source, new MemMailbox()),
        server: memServer,
        auth: { kind: 'password', user: 'a', password: { value: 'x' } },
      },
      dest: {
        connector: new GmailConnector(),
        server: gmailServer(emu),
        auth: serviceAccountLogin(emu, user),
      },
      options: { itemTypes: ['mail'], folders: { map: [], regex: [], include: [], exclude: [] } },
    },
    { slots: new ConnectionSlots(), progress: silentProgress },
  );
  assert.equal(scan.mailbox.destError, null);
  const k = (p: string) => JSON.stringify(p.split('/')); // how folder keys and paths are stored
  const row = (key: string) => {
    const r = scan.folders.find((f) => f.folderKey === k(key));
    assert.ok(r, `${key}: ${scan.folders.map((f) => f.folderKey).join(', ')}`);
    return r;
  };
  assert.equal(row('INBOX/Receipts').destPath, k('Receipts'));
  assert.match(
    row('INBOX/Receipts').nameProblem ?? '',
    /becomes "Receipts": .*INBOX, which cannot hold folders/,
  );
  assert.equal(row('Sent/2019').destPath, k('Sent_/2019'));
  assert.match(row('Sent/2019').nameProblem ?? '', /cannot hold folders; placed under 'Sent_'/);
  assert.equal(row('Starred').destPath, k('Starred_'));
  assert.match(row('Starred').nameProblem ?? '', /a name the destination reserves/);
  for (const kept of ['INBOX', 'Sent', 'Clients/Important']) {
    assert.equal(row(kept).destPath, k(kept));
    assert.equal(row(kept).nameProblem, null, kept);
  }
});
