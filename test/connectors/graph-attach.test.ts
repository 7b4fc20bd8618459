/**
 * Attachments that do not fit into Graph's 4 MB create request, on a message created as a non-draft, against
 * the LOCAL EMULATOR of Microsoft Graph (test code; the real service cannot be reached from here). Graph
 * documents adding attachments (POST and upload sessions) only with drafts; whether the service takes them
 * on a non-draft is not documented, so the emulator has a switch and these tests run both ways. On the JSON
 * write path a refusal fails the item with a stated reason and leaves no partial copy (the message stays on
 * the source, reported as failed, and `graph.writePath: auto` is named as the way to move it); the `auto`
 * path, which avoids the question, is tested with Dovecot in graph-imap-path.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { withAttachment } from '../contract/destination-contract.js';
import { makeMessage } from '../harness/messages.js';

let emu: GraphEmulator;
const A = 'ida@contoso.test';
const connector = new GraphConnector();
const item = (raw: Buffer, flags = ['\\Seen']) => ({
  size: raw.length,
  body: raw,
  flags,
  internalDate: new Date(),
});
const folder = (path: string[]) => {
  const u = emu.store.user(A)!;
  const f = emu.store.folderByPath(u, path, false);
  return f ? emu.store.messagesIn(u, f.id) : [];
};

before(async () => {
  emu = await startGraphEmulator();
  emu.store.addUser(A);
});
after(() => emu?.stop());

describe('attachments added to a non-draft message', () => {
  for (const mode of ['allow', 'refuse'] as const)
    test(`the emulator ${mode}s them on a non-draft and always takes them on a draft`, async () => {
      emu.setNonDraftAttachments(mode);
      const dst = await connector.openDestination(emulatorServer(emu), appLogin(emu, A));
      const draft = withAttachment(5 * 1024 * 1024, new Date());
      await dst.append([`Drafted-${mode}`], [item(draft, ['\\Draft'])]);
      assert.equal(folder([`Drafted-${mode}`])[0]?.isDraft, true);
      assert.equal(folder([`Drafted-${mode}`])[0]?.attachments.length, 1);
    });

  test('allowed: the message is created as a non-draft and its large attachment follows by upload session', async () => {
    emu.setNonDraftAttachments('allow');
    const dst = await connector.openDestination(emulatorServer(emu), appLogin(emu, A));
    const [r] = await dst.append(['Allowed'], [item(withAttachment(5 * 1024 * 1024, new Date()))]);
    assert.ok(r);
    const [m] = folder(['Allowed']);
    assert.equal(m?.isDraft, false);
    assert.equal(m?.attachments[0]?.content.length, Math.floor((5 * 1024 * 1024 * 3) / 4));
  });

  test('refused: the item fails with the reason and what to do, no partial copy stays, others still go', async () => {
    emu.setNonDraftAttachments('refuse');
    try {
      const dst = await connector.openDestination(emulatorServer(emu), appLogin(emu, A));
      await assert.rejects(
        dst.append(['Refused'], [item(withAttachment(5 * 1024 * 1024, new Date()))]),
        (e: unknown) =>
          e instanceof PermanentError &&
          e.code === ErrorCode.MessageRejected &&
          /refused to add an attachment to a message created as a non-draft/.test(e.message) &&
          /graph\.writePath: auto/.test(e.hint ?? ''),
      );
      assert.deepEqual(folder(['Refused']), [], 'the incomplete copy was removed');
      // A message whose attachments fit into the create request does not depend on it.
      await dst.append(['Refused'], [item(withAttachment(1024 * 1024, new Date()))]);
      assert.equal(folder(['Refused']).length, 1);
      assert.equal(folder(['Refused'])[0]!.isDraft, false);
      await dst.append(['Refused'], [item(makeMessage({ subject: 'plain' }))]);
      assert.equal(folder(['Refused']).length, 2);
    } finally {
      emu.setNonDraftAttachments('allow');
    }
  });
});
