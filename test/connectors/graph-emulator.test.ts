/**
 * The LOCAL EMULATOR of Microsoft Graph (test code) enforces what Graph enforces, so a connector that
 * ignored a limit would fail: a fifth concurrent request per mailbox, drafts from MIME, the unsent bit fixed
 * at the first save, 4 MB requests, ordered upload ranges without a bearer token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppTokenSource } from '../../src/connectors/graph/graph-auth.js';
import { graphTarget } from '../../src/connectors/graph/graph-config.js';
import { readAll, send } from '../../src/connectors/graph/graph-transport.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { makeMessage } from '../harness/messages.js';

let emu: GraphEmulator;
const A = 'anna@contoso.test';

before(async () => {
  emu = await startGraphEmulator({ latencyMs: 40 });
  emu.store.addUser(A);
});
after(() => emu?.stop());

/** A raw request with an app token, bypassing the connector's gate. */
async function raw(method: string, path: string, body?: string, type = 'application/json') {
  const token = await new AppTokenSource(
    graphTarget(emulatorServer(emu), appLogin(emu, A)),
    emu.clientId,
    emu.clientSecret,
  ).token();
  const res = await send(
    `${emu.baseUrl}${path}`,
    {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': type } : {}) },
      body,
      insecure: true,
    },
    'test',
  );
  const text = (await readAll(res)).toString('utf8');
  return {
    status: res.statusCode!,
    json: (text ? JSON.parse(text) : {}) as Answer,
    headers: res.headers,
  };
}
/** The parts of Graph's answers these tests look at. */
interface Answer {
  id?: string;
  isDraft?: boolean;
  isRead?: boolean;
  uploadUrl?: string;
  error?: { code: string };
}
const inbox = `/users/${A}/mailFolders/inbox/messages`;

describe('the emulator enforces what Graph enforces', () => {
  test('a fifth concurrent request to one mailbox is refused with 429 ApplicationThrottled', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => raw('GET', `/users/${A}/mailFolders/inbox`)),
    );
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length >= 1, `statuses: ${answers.map((a) => a.status).join(',')}`);
    assert.equal(refused[0]!.json.error?.code, 'ApplicationThrottled');
    assert.ok(refused[0]!.headers['retry-after']);
  });

  test('MIME creates are drafts; JSON creates are drafts unless PR_MESSAGE_FLAGS clears MSGFLAG_UNSENT', async () => {
    const mime = await raw('POST', inbox, makeMessage({ subject: 'mime' }).toString('base64'), 'text/plain');
    assert.equal(mime.status, 201);
    assert.equal(mime.json.isDraft, true);
    const plain = await raw('POST', inbox, JSON.stringify({ subject: 'json' }));
    assert.equal(plain.json.isDraft, true);
    const flagged = await raw(
      'POST',
      inbox,
      JSON.stringify({
        subject: 'json',
        singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '1' }],
      }),
    );
    assert.equal(flagged.json.isDraft, false);
    assert.equal(flagged.json.isRead, true);
    const later = await raw(
      'PATCH',
      `/users/${A}/messages/${plain.json.id}`,
      JSON.stringify({ singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '1' }] }),
    );
    assert.equal(later.json.isDraft, true, 'the unsent bit cannot change after the first save');
  });

  test('requests over 4 MB get 413; upload sessions take ordered ranges without a bearer token', async () => {
    const big = await raw(
      'POST',
      inbox,
      JSON.stringify({
        subject: 'x',
        body: { contentType: 'text', content: 'a'.repeat(4 * 1024 * 1024 + 1) },
      }),
    );
    assert.equal(big.status, 413);
    // Upload sessions: ranges in order, and no bearer token on the pre-authorised upload URL.
    const msg = await raw('POST', inbox, JSON.stringify({ subject: 'upload' }));
    const session = await raw(
      'POST',
      `/users/${A}/messages/${msg.json.id}/attachments/createUploadSession`,
      JSON.stringify({ AttachmentItem: { attachmentType: 'file', name: 'a.bin', size: 10 } }),
    );
    assert.equal(session.status, 201);
    const put = (headers: Record<string, string>) =>
      send(
        session.json.uploadUrl!,
        { method: 'PUT', headers, body: Buffer.alloc(5), insecure: true },
        'test',
      );
    assert.equal((await put({ 'content-range': 'bytes 5-9/10' })).statusCode, 416);
    assert.equal((await put({ 'content-range': 'bytes 0-4/10', authorization: 'Bearer x' })).statusCode, 401);
    assert.equal((await put({ 'content-range': 'bytes 0-4/10' })).statusCode, 200);
    assert.equal((await put({ 'content-range': 'bytes 5-9/10' })).statusCode, 201);
  });

  test('internetMessageHeaders: x- names only, at most 5, at creation only; read back in the MIME', async () => {
    const create = (headers: Array<{ name: string; value: string }>) =>
      raw('POST', inbox, JSON.stringify({ subject: 'h', internetMessageHeaders: headers }));
    const named = await create([{ name: 'Received', value: 'from x' }]);
    assert.equal(named.status, 400);
    assert.equal(named.json.error?.code, 'InvalidInternetMessageHeader');
    const six = await create(Array.from({ length: 6 }, (_, i) => ({ name: `x-h${i}`, value: 'v' })));
    assert.equal(six.status, 400);
    assert.equal(six.json.error?.code, 'InvalidInternetMessageHeaderCollection');
    const five = await create(Array.from({ length: 5 }, (_, i) => ({ name: `X-H${i}`, value: `v${i}` })));
    assert.equal(five.status, 201);
    const later = await raw(
      'PATCH',
      `/users/${A}/messages/${five.json.id}`,
      JSON.stringify({ internetMessageHeaders: [{ name: 'x-late', value: '1' }] }),
    );
    assert.equal(later.status, 400, 'custom headers only when the message is created');
    const props = await raw(
      'POST',
      inbox,
      JSON.stringify({
        subject: 'reply',
        singleValueExtendedProperties: [
          { id: 'String 0x1042', value: '<p@x.test>' },
          { id: 'String 0x1039', value: '<r@x.test> <p@x.test>' },
        ],
      }),
    );
    const mime = await raw('GET', `/users/${A}/messages/${props.json.id}?$select=internetMessageHeaders`);
    const got = (mime.json as { internetMessageHeaders?: Array<{ name: string; value: string }> })
      .internetMessageHeaders!;
    assert.ok(got.some((h) => h.name === 'in-reply-to' && h.value === '<p@x.test>'));
    assert.ok(got.some((h) => h.name === 'references' && h.value === '<r@x.test> <p@x.test>'));
  });
});
