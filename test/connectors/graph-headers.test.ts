/**
 * Header fields and threading on the Graph JSON write path, against the LOCAL EMULATOR of Microsoft Graph
 * (test code; the real service cannot be reached from here). The emulator takes internetMessageHeaders only
 * at creation, only with x- names and at most 5, and renders In-Reply-To / References / List-Help… from the
 * MAPI properties Exchange keeps them in (PidTagInReplyToId 0x1042, PidTagInternetReferences 0x1039,
 * 0x1043–0x1045). Main's writer set none of them: the conversation broke and nothing said what was lost.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { planHeaders } from '../../src/connectors/graph/graph-headers.js';
import { fieldsOf } from '../../src/connectors/graph/mime-parse.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { headerFields } from '../emulators/graph/emulator-mime.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';

let emu: GraphEmulator;
const A = 'hugo@contoso.test';
const connector = new GraphConnector();

before(async () => {
  emu = await startGraphEmulator();
  emu.store.addUser(A);
});
after(() => emu?.stop());

/** A reply in a mailing-list thread, with more header fields than Graph's JSON form can keep. */
function reply(): Buffer {
  const lines = [
    'Received: from mx1.example.test by mx2.example.test; Tue, 04 Mar 2025 09:05:00 +0000',
    'Received: from client.example.test by mx1.example.test; Tue, 04 Mar 2025 09:04:59 +0000',
    'From: Alice <alice@example.test>',
    'To: list@example.test',
    'Subject: Re: the plan',
    'Date: Tue, 04 Mar 2025 09:04:58 +0000',
    'Message-ID: <reply-2@example.test>',
    'In-Reply-To: <root-1@example.test>',
    'References: <root-0@example.test>\r\n <root-1@example.test>',
    'List-Id: Planning <plan.example.test>',
    'List-Unsubscribe: <mailto:leave@example.test>',
    'Auto-Submitted: auto-replied',
    'Importance: high',
    ...Array.from({ length: 7 }, (_, i) => `X-Extra-${i + 1}: value ${i + 1}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Agreed.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

describe('Graph JSON write path: header fields and threading', () => {
  test('In-Reply-To and References travel as MAPI properties, x- headers within the limit, the rest is named', async () => {
    const raw = reply();
    const dst = await connector.openDestination(emulatorServer(emu), appLogin(emu, A));
    const [result] = await dst.append(
      ['Threads'],
      [{ size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date('2025-03-04T09:05:00Z') }],
    );
    const user = emu.store.user(A)!;
    const made = [...user.messages.values()].find((m) => m.internetMessageId === '<reply-2@example.test>');
    assert.ok(made, 'the message was created');
    const h = new Map(headerFields(emu.store.mimeOf(made)).map((f) => [f.name, f.value]));
    assert.equal(h.get('in-reply-to'), '<root-1@example.test>', 'the reply still points at its parent');
    assert.equal(h.get('references'), '<root-0@example.test> <root-1@example.test>');
    assert.equal(h.get('list-unsubscribe'), '<mailto:leave@example.test>');
    assert.equal(h.get('importance'), 'high');
    for (let i = 1; i <= 5; i++) assert.equal(h.get(`x-extra-${i}`), `value ${i}`);
    assert.equal(h.has('x-extra-6'), false, 'at most 5 x- headers (the service refuses a sixth)');
    // What could not be kept is said on the copy, never lost silently.
    const note = result?.altered ?? '';
    for (const name of ['Received ×2', 'List-Id', 'Auto-Submitted', 'X-Extra-6', 'X-Extra-7'])
      assert.ok(note.includes(name), `the note names ${name}: ${note}`);
    assert.doesNotMatch(note, /In-Reply-To|References|X-Extra-1\b/);
  });

  test('a message with only the fields Graph keeps carries no note', async () => {
    const raw = Buffer.from(
      'From: a@example.test\r\nTo: b@example.test\r\nSubject: plain\r\nDate: Tue, 04 Mar 2025 09:00:00 +0000\r\n' +
        'Message-ID: <plain-1@example.test>\r\nIn-Reply-To: <p@example.test>\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: text/plain\r\n\r\nhi\r\n',
    );
    const dst = await connector.openDestination(emulatorServer(emu), appLogin(emu, A));
    const [result] = await dst.append(
      ['Threads'],
      [{ size: raw.length, body: raw, flags: [], internalDate: new Date('2025-03-04T09:00:00Z') }],
    );
    assert.equal(result?.altered, undefined);
  });

  test('the planner keeps x- headers under the 256 KB header limit and never writes Exchange transport headers', () => {
    const big = 'v'.repeat(200 * 1024);
    const plan = planHeaders(
      fieldsOf(
        Buffer.from(
          `X-One: ${big}\r\nX-Two: ${big}\r\nX-MS-Exchange-Organization-SCL: 1\r\nX-Three: small\r\n\r\n`,
        ),
      ),
    );
    const kept = (plan.message.internetMessageHeaders as Array<{ name: string }>).map((x) => x.name);
    assert.deepEqual(kept, ['X-One', 'X-Three']);
    assert.deepEqual(plan.dropped.sort(), ['X-Ms-Exchange-Organization-Scl', 'X-Two']);
  });
});
