/**
 * `cutover test --live` through the built CLI, against the LOCAL EMULATOR of Microsoft Graph (test code: a
 * real tenant cannot be reached from here). A project file with a Microsoft 365 destination: the command
 * logs in, runs the connector's live checks in a scratch folder of the test mailbox, prints each outcome,
 * and exits 1 when the service does something other than what Cutover relies on (the emulator's switch for
 * attachments on non-draft messages), 0 when it does not; nothing is left in the mailbox.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { cli, tempDataDir } from './helpers.js';

const U = 'live@contoso.test';
let emu: GraphEmulator;
let file: string;
let env: Record<string, string>;

before(async () => {
  emu = await startGraphEmulator();
  emu.store.addUser(U);
  const dir = tempDataDir();
  const certFile = path.join(dir, 'graph-emulator.pem');
  fs.writeFileSync(certFile, emu.cert);
  const u = new URL(emu.baseUrl);
  file = path.join(dir, 'project.yaml');
  fs.writeFileSync(
    file,
    `name: live
source: { host: 127.0.0.1, port: 1, tls: none }
destination:
  kind: graph
  host: ${u.hostname}
  port: ${u.port}
  admin: { user: ${emu.clientId}, password: { env: GRAPH_SECRET }, mode: master }
  graph: { tenantId: ${emu.tenantId}, baseUrl: ${emu.baseUrl}, authorityHost: ${emu.authorityHost} }
  testMailbox: ${U}
mailboxes:
  - { source: someone@old.example.test, password: x, destination: ${U} }
`,
  );
  env = { GRAPH_SECRET: emu.clientSecret, NODE_EXTRA_CA_CERTS: certFile, CUTOVER_DATA_DIR: dir };
});
after(() => emu?.stop());

/** The live-check lines of the destination mailbox (the source, a closed port, fails its login). */
const liveLines = (out: string) => out.slice(out.indexOf('destination mailbox: live checks'));

test('cutover test --live: each behaviour printed; 0 differences when the service behaves as relied on', async () => {
  const user = emu.store.user(U)!;
  const [folders, messages] = [user.folders.size, user.messages.size];
  const run = await cli(['test', '--live', '--project', file], env);
  const live = liveLines(run.stdout);
  assert.match(
    live,
    /destination mailbox: live checks in a scratch folder of live@contoso\.test/,
    run.stdout,
  );
  assert.match(live, /✓ non-draft creation from JSON/);
  assert.match(live, /✓ extended properties read back/);
  assert.match(live, /✓ attachment added to a non-draft message/);
  assert.doesNotMatch(live, /[≠✗] /, live);
  assert.equal(user.folders.size, folders, 'no folder left behind');
  assert.equal(user.messages.size, messages, 'no message left behind');
});

test('cutover test --live: a service that refuses what Cutover relies on is named, and the exit code is 1', async () => {
  emu.setNonDraftAttachments('refuse');
  try {
    const run = await cli(['test', '--live', '--project', file], env);
    assert.equal(run.code, 1);
    assert.match(liveLines(run.stdout), /≠ attachment added to a non-draft message: .*graph\.writePath auto/);
  } finally {
    emu.setNonDraftAttachments('allow');
  }
});
