/**
 * `cutover test --live` for Gmail (GmailConnector.liveChecks), against the Gmail EMULATOR (Google cannot be
 * reached from here): every check is `ok` where the emulator does what Google documents, the ones concerned
 * say `differs` when the emulator is switched to what public reports say Gmail sometimes does, a throttling
 * answer met on the way is waited out and reported, and nothing the checks made is left in the mailbox.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import type { LiveCheck } from '../../src/connectors/contract.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';

const user = 'live@example.test';
let emu: GmailEmulator;

before(async () => {
  emu = await GmailEmulator.start({ users: [user], unitsPerSecond: 2500 });
});
after(() => emu.stop());

const checks = () => new GmailConnector().liveChecks(gmailServer(emu), serviceAccountLogin(emu, user));
const byName = (all: LiveCheck[], re: RegExp) => {
  const c = all.find((x) => re.test(x.name));
  assert.ok(c, `a check matching ${re}: ${all.map((x) => x.name).join(' | ')}`);
  return c;
};

/** The mailbox holds nothing the checks made: no message, no user label. */
function assertClean(): void {
  const mb = emu.mailbox(user);
  assert.equal(mb.messages.size, 0, 'messages left behind');
  assert.deepEqual(
    [...mb.labels.values()].filter((l) => l.type === 'user').map((l) => l.name),
    [],
    'labels left behind',
  );
}

describe('Gmail live checks', () => {
  test('where the service behaves as documented, every check is ok and a throttling answer is waited out', async () => {
    emu.throttle(1, 1); // the first request is answered 429 with Retry-After: 1
    const all = await checks();
    for (const c of all) assert.ok(c.outcome === 'ok', `${c.name}: ${c.outcome} — ${c.detail}`);
    assert.match(byName(all, /Retry-After/).detail, /wait 1 s; after waiting, the request went through/);
    assert.match(byName(all, /cleanup/).detail, /1 message\(s\), 1 draft\(s\), 1 label\(s\)/);
    assertClean();
  });

  test('where it behaves otherwise, the checks concerned say differs and what the service did', async () => {
    emu.quirks.acceptsSystemLabels = true;
    emu.quirks.acceptsReservedNames = true;
    emu.quirks.insertWithoutSent = true;
    try {
      const all = await checks();
      assert.equal(byName(all, /under system labels/).outcome, 'differs');
      assert.match(byName(all, /under system labels/).detail, /created "INBOX\/Cutover live check/);
      assert.equal(byName(all, /messages\.insert/).outcome, 'differs');
      assert.match(byName(all, /messages\.insert/).detail, /did not apply SENT/);
      assert.equal(byName(all, /messages\.import refuses SENT/).outcome, 'differs');
      assert.match(byName(all, /messages\.import refuses SENT/).detail, /labels: .*SENT/);
      // insert gave no SENT, so there is none to remove: the emulator accepts the request, as reported.
      assert.equal(byName(all, /batchModify/).outcome, 'differs');
      assert.equal(byName(all, /drafts\.create/).outcome, 'ok');
      assert.equal(byName(all, /Retry-After/).outcome, 'skipped');
      assert.equal(byName(all, /cleanup/).outcome, 'ok');
      assertClean();
    } finally {
      emu.quirks = {};
    }
  });

  test('a draft stored differently from what was sent is reported', async () => {
    const realDraft = emu.mailbox(user);
    const addMessage = realDraft.addMessage.bind(realDraft);
    // Gmail may rewrite a draft: here the emulator adds a header to what drafts.create stores.
    realDraft.addMessage = (raw, labels, date) =>
      addMessage(
        labels.includes('DRAFT') ? Buffer.concat([Buffer.from('X-Rewritten: yes\r\n'), raw]) : raw,
        labels,
        date,
      );
    try {
      const all = await checks();
      assert.equal(byName(all, /drafts\.create/).outcome, 'differs');
      assert.match(byName(all, /drafts\.create/).detail, /verify --deep will report Drafts as altered/);
      assertClean();
    } finally {
      realDraft.addMessage = addMessage;
    }
  });
});
