/**
 * `cutover test --live` for Microsoft 365 against the LOCAL EMULATOR of Microsoft Graph (test code; a real
 * tenant cannot be reached from here — against one, these checks are how a user finds out where the service
 * and the documentation differ). Run both ways of the emulator's switch for attachments on non-drafts: the
 * check must say `ok` when they are taken and `differs` when they are refused, and leave nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';

let emu: GraphEmulator;
const A = 'lea@contoso.test';
const connector = new GraphConnector();

before(async () => {
  emu = await startGraphEmulator({ latencyMs: 40 });
  emu.store.addUser(A);
});
after(() => emu?.stop());

const byName = (checks: Array<{ name: string; outcome: string; detail: string }>) =>
  Object.fromEntries(checks.map((c) => [c.name, c]));

describe('Graph live checks', () => {
  for (const mode of ['allow', 'refuse'] as const)
    test(`with attachments on non-drafts ${mode === 'allow' ? 'allowed' : 'refused'}`, async () => {
      emu.setNonDraftAttachments(mode);
      const user = emu.store.user(A)!;
      const folders = user.folders.size;
      const messages = user.messages.size;
      try {
        const checks = byName(await connector.liveChecks(emulatorServer(emu), appLogin(emu, A)));
        assert.equal(checks['non-draft creation from JSON']?.outcome, 'ok');
        assert.equal(checks['extended properties read back']?.outcome, 'ok');
        assert.equal(checks['non-draft message imported into Sent Items']?.outcome, 'ok');
        assert.equal(
          checks['throttling answers carry Retry-After']?.outcome,
          'ok',
          checks['throttling answers carry Retry-After']?.detail,
        );
        const attach = checks['attachment added to a non-draft message']!;
        if (mode === 'allow') assert.equal(attach.outcome, 'ok', attach.detail);
        else {
          assert.equal(attach.outcome, 'differs');
          assert.match(attach.detail, /POST refused .*graph\.writePath auto/);
        }
        assert.equal(checks['scratch folder removed'], undefined, 'the scratch folder was removed');
        assert.equal(user.folders.size, folders, 'no folder left behind');
        assert.equal(user.messages.size, messages, 'no message left behind');
      } finally {
        emu.setNonDraftAttachments('allow');
      }
    });
});
