/**
 * Gmail's label rules, against the Gmail EMULATOR (test/emulators/gmail; Google cannot be reached from
 * here): what the emulator refuses as Gmail documents it (reserved names, also as parents; SENT and DRAFT
 * in modify, batchModify and import), and what the Gmail destination does about it — folders renamed and
 * reported, flag sync that never names SENT or DRAFT, Sent and Drafts written the documented ways with a
 * fallback that keeps the message and says so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import type { MailDestination, MessageMeta } from '../../src/connectors/contract.js';
import { makeMessage } from '../harness/messages.js';
import { GMAIL_SCOPE, GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';

const user = 'rules@example.test';
let emu: GmailEmulator;
let dst: MailDestination;

/** A raw Gmail API call as the user (what the emulator answers, unfiltered by the connector). */
async function call(method: string, path: string, json?: unknown): Promise<{ status: number; text: string }> {
  const token = emu.auth.issue(user, [GMAIL_SCOPE]);
  const res = await fetch(`${emu.url}/gmail/v1/users/me${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: res.status, text: await res.text() };
}

async function listAll(path: string[]): Promise<MessageMeta[]> {
  const out: MessageMeta[] = [];
  for await (const page of dst.listMessages(path)) out.push(...page);
  return out;
}

const labelIdsOf = (id: string) => [...emu.mailbox(user).messages.get(id)!.labelIds];
const gmailIdOf = async (subject: string) =>
  [...emu.mailbox(user).messages.values()].find((m) => m.raw.includes(`Subject: ${subject}`))?.id;

before(async () => {
  emu = await GmailEmulator.start({ users: [user], unitsPerSecond: 2500, localisedNames: ['Enviado'] });
  dst = await new GmailConnector().openDestination(gmailServer(emu), serviceAccountLogin(emu, user));
});
after(async () => {
  await dst.close();
  await emu.stop();
});

describe('Gmail emulator refuses what Gmail refuses', () => {
  test('labels.create: a system name, or a name nested under one, in any case, is "Invalid label name"', async () => {
    for (const name of ['INBOX', 'Inbox', 'SENT', 'Drafts', 'Spam', 'Starred', 'Muted', 'Enviado'].concat([
      'INBOX/x',
      'inbox/x',
      'SENT/x',
      'Sent/x',
      'DRAFT/x',
      'Drafts/x',
      'TRASH/x',
      'trash/x',
      'SPAM/x',
      'Spam/2019',
    ])) {
      const r = await call('POST', '/labels', { name });
      assert.equal(r.status, 400, `${name}: ${r.text}`);
      assert.match(r.text, /Invalid label name/, name);
    }
    const ok = await call('POST', '/labels', { name: 'Clients/Inbox' });
    assert.equal(ok.status, 200, 'a reserved name below a user label is a name like any other');
  });

  test('modify and batchModify adding or removing SENT or DRAFT is "Invalid label: SENT"', async () => {
    const id = emu.seed(user, makeMessage({ subject: 'modify me' }), ['INBOX']);
    for (const [add, remove] of [
      [['SENT'], []],
      [[], ['SENT']],
      [['DRAFT'], []],
      [[], ['DRAFT']],
    ] as const) {
      const one = await call('POST', `/messages/${id}/modify`, { addLabelIds: add, removeLabelIds: remove });
      const many = await call('POST', '/messages/batchModify', {
        ids: [id],
        addLabelIds: add,
        removeLabelIds: remove,
      });
      for (const r of [one, many]) {
        assert.equal(r.status, 400, r.text);
        assert.match(r.text, new RegExp(`Invalid label: ${[...add, ...remove][0]}`));
      }
    }
    assert.equal((await call('POST', `/messages/${id}/modify`, { addLabelIds: ['STARRED'] })).status, 200);
    assert.deepEqual(labelIdsOf(id).sort(), ['INBOX', 'STARRED']);
  });

  test('import and insert refuse SENT and DRAFT in labelIds; insert applies SENT itself for the own address', async () => {
    const raw = (from: string) => makeMessage({ subject: `arrival ${from}`, from }).toString('base64url');
    for (const path of ['/messages/import', '/messages'])
      for (const label of ['SENT', 'DRAFT']) {
        const r = await call('POST', path, { raw: raw('a@b.test'), labelIds: [label] });
        assert.equal(r.status, 400, `${path} ${label}: ${r.text}`);
        assert.match(r.text, new RegExp(`Invalid label: ${label}`));
      }
    const own = JSON.parse((await call('POST', '/messages', { raw: raw(user), labelIds: [] })).text) as {
      labelIds: string[];
    };
    assert.deepEqual(own.labelIds, ['SENT']);
    const other = JSON.parse((await call('POST', '/messages', { raw: raw('x@y.test') })).text) as {
      labelIds: string[];
    };
    assert.deepEqual(other.labelIds, []);
  });
});

describe('Gmail destination and the label rules', () => {
  test('folders under system labels, reserved and localised names are created elsewhere, with the reason', async () => {
    const cases: Array<[string[], string[]]> = [
      [['INBOX', 'Receipts'], ['Receipts']],
      [
        ['Sent', '2019'],
        ['Sent_', '2019'],
      ],
      [
        ['Trash', 'Keep'],
        ['Trash_', 'Keep'],
      ],
      [['Muted'], ['Muted_']],
      [
        ['Enviado', 'Old'],
        ['Enviado_', 'Old'],
      ], // refused only by this account (its language)
    ];
    for (const [asked, where] of cases) {
      const made = await dst.ensureFolder(asked);
      assert.deepEqual(made.path, where, asked.join('/'));
      assert.ok(made.renamed && made.renamed.length > 10, `${asked.join('/')}: says why`);
      assert.deepEqual((await dst.ensureFolder(asked)).path, where, 'the next pass arrives there too');
    }
  });

  test('flag sync in Sent, INBOX and a label never names SENT or DRAFT, and the message stays where it is', async () => {
    const raw = makeMessage({ subject: 'flag sync sent', from: user });
    const [r] = await dst.append(
      ['Sent'],
      [{ size: raw.length, body: raw, flags: [], internalDate: new Date() }],
    );
    assert.equal(r?.altered, undefined, 'own address: inserted, SENT applied by Gmail');
    const id = (await gmailIdOf('flag sync sent'))!;
    assert.ok(labelIdsOf(id).includes('SENT'));
    await dst.setFlags(['Sent'], [r!.uid!], ['\\Seen', '\\Flagged']);
    await dst.setFlags(['Sent'], [r!.uid!], []);
    assert.ok(labelIdsOf(id).includes('SENT'), 'still sent');
    // A message that Gmail also shows as sent (a keyword $Sent from a Gmail source) in an ordinary folder.
    await dst.ensureFolder(['Projects']);
    const raw2 = makeMessage({ subject: 'flag sync label' });
    const [r2] = await dst.append(
      ['Projects'],
      [{ size: raw2.length, body: raw2, flags: ['\\Seen', '$Sent'], internalDate: new Date() }],
    );
    assert.match(r2?.altered ?? '', /\$Sent.*not kept/);
    await dst.setFlags(['Projects'], [r2!.uid!], ['$Sent']);
    await dst.setFlags(['INBOX'], [], []);
    assert.equal((await listAll(['Projects'])).length, 1);
  });

  test('Sent from another address and Drafts: kept, found in the folder on read-back, with a note', async () => {
    const sent = makeMessage({ subject: 'sent by alias', from: 'Old Me <me@old-domain.test>' });
    const [s] = await dst.append(
      ['Sent'],
      [{ size: sent.length, body: Readable.from([sent]), flags: ['\\Seen'], internalDate: new Date() }],
    );
    assert.match(s?.altered ?? '', /me@old-domain\.test.*'Sent \(imported\)'/);
    const sentId = (await gmailIdOf('sent by alias'))!;
    assert.ok(!labelIdsOf(sentId).includes('SENT'));
    assert.ok(
      (await listAll(['Sent'])).some((m) => m.uid === s!.uid),
      'read-back of Sent finds it',
    );

    const draft = makeMessage({ subject: 'a draft' });
    const [d] = await dst.append(
      ['Drafts'],
      [
        {
          size: draft.length,
          body: draft,
          flags: ['\\Seen', '\\Draft', '\\Flagged'],
          internalDate: new Date(2015, 1, 1),
        },
      ],
    );
    assert.match(d?.altered ?? '', /drafts\.create.*\\Flagged are not kept/);
    const draftId = (await gmailIdOf('a draft'))!;
    assert.deepEqual(labelIdsOf(draftId), ['DRAFT']);
    const listed = (await listAll(['Drafts'])).find((m) => m.uid === d!.uid);
    assert.deepEqual(listed?.flags.sort(), dst.keptFlags!(['Drafts'], ['\\Seen', '\\Flagged']).sort());
  });

  test('when Gmail does not apply SENT on insert, the message is kept under the fallback label and the note says so', async () => {
    emu.quirks.insertWithoutSent = true;
    try {
      const raw = makeMessage({ subject: 'insert without sent', from: user });
      const [r] = await dst.append(
        ['Sent'],
        [{ size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date() }],
      );
      assert.match(r?.altered ?? '', /did not mark the inserted message as sent/);
      assert.ok((await listAll(['Sent'])).some((m) => m.uid === r!.uid));
    } finally {
      emu.quirks.insertWithoutSent = false;
    }
  });
});
