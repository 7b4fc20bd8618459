/**
 * The Gmail connector's own rules, against the Gmail EMULATOR (test/emulators/gmail: a local implementation
 * of the documented Gmail, Directory and OAuth APIs; Google cannot be reached from here): the streamed raw
 * parser, label precedence, logins, quota pacing, throttling answers, upload size limits and their
 * enforcement, a body cut short, user discovery.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import { GmailApi } from '../../src/connectors/gmail/gmail-api.js';
import { BodyCache } from '../../src/connectors/gmail/gmail-body-cache.js';
import { gmailTarget } from '../../src/connectors/gmail/gmail-config.js';
import { mapGmailError, retryAfterMs } from '../../src/connectors/gmail/gmail-errors.js';
import {
  chooseFolderLabel,
  decodeKeyword,
  flagsFromLabels,
  labelKeyword,
} from '../../src/connectors/gmail/gmail-labels.js';
import { readRawAnswer } from '../../src/connectors/gmail/gmail-raw.js';
import type { DiscoveredMailbox, MessageMeta } from '../../src/connectors/contract.js';
import { CutoverError, ErrorCode, RateLimitError } from '../../src/errors.js';
import { makeMessage } from '../harness/messages.js';
import { GMAIL_SCOPE, GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { accessTokenLogin, gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';

const isCode = (code: string) => (e: unknown) => e instanceof CutoverError && e.code === code;

describe('Gmail raw answers', () => {
  test('the raw field is decoded across any chunking; "raw" inside a string value is not taken for it', async () => {
    const body = makeMessage({ subject: 'raw parser', sizeBytes: 3001 });
    const json = JSON.stringify({
      id: 'abc',
      snippet: 'she wrote \\"raw\\": \\"x\\" and {"raw":"no"}',
      labelIds: ['INBOX', 'raw'],
      raw: body.toString('base64url'),
      internalDate: '1700000000000',
    });
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < json.length; i += size) chunks.push(Buffer.from(json.slice(i, i + size)));
      const parts: Buffer[] = [];
      const meta = await readRawAnswer(Readable.from(chunks), (p) => void parts.push(p));
      assert.ok(Buffer.concat(parts).equals(body), `chunk size ${size}`);
      assert.equal(meta.rawBytes, body.length);
      assert.equal(meta.internalDate, '1700000000000');
      assert.deepEqual(meta.labelIds, ['INBOX', 'raw']);
    }
  });
});

describe('Gmail body cache', () => {
  test('keeps bodies within its budgets (memory, then files) and drops what does not fit', async () => {
    const cache = new BodyCache({ memoryItem: 10, memory: 25, files: 100, fileCount: 4 });
    const put = async (uid: number, bytes: number) => {
      const k = cache.start(uid);
      if (!k) return;
      for (let i = 0; i < bytes; i += 7) await k.write(Buffer.alloc(Math.min(7, bytes - i), uid));
      await k.finish();
    };
    await put(1, 8); // memory
    await put(2, 60); // file
    await put(3, 50); // over the file budget: dropped
    await put(4, 9); // memory
    const one = cache.take(1);
    assert.ok(one && Buffer.isBuffer(one.body) && one.size === 8);
    const two = cache.take(2);
    assert.ok(two && !Buffer.isBuffer(two.body) && two.size === 60);
    const parts: Buffer[] = [];
    for await (const c of two.body) parts.push(c as Buffer);
    assert.ok(Buffer.concat(parts).equals(Buffer.alloc(60, 2)));
    assert.equal(cache.take(3), undefined);
    assert.equal(cache.take(4)?.size, 9);
    cache.clear();
  });
});

describe('Gmail labels', () => {
  const names: Record<string, string> = { Label_1: 'Zeta', Label_2: 'Alpha/Beta' };
  const pick = (ids: string[]) =>
    chooseFolderLabel(
      ids,
      (id) => id.startsWith('Label_'),
      (id) => names[id] ?? id,
    );
  test('each message is filed under one label by the documented precedence', () => {
    assert.equal(pick(['INBOX', 'Label_1', 'Label_2', 'SENT']), 'INBOX');
    assert.equal(pick(['TRASH', 'INBOX']), 'TRASH');
    assert.equal(pick(['SPAM', 'Label_1']), 'SPAM');
    assert.equal(
      pick(['Label_1', 'Label_2', 'SENT', 'UNREAD']),
      'Label_2',
      'user labels by name, before SENT',
    );
    assert.equal(pick(['SENT', 'IMPORTANT']), 'SENT');
    assert.equal(pick(['UNREAD', 'STARRED', 'CATEGORY_PERSONAL']), undefined, 'no folder label: Archive');
  });
  test('labels as IMAP keywords are atoms', () => {
    const odd = ['Clients (old) %', 'Büro', 'R&D "x" \\ ]', '日本/東京', 'Projects/Alpha'];
    for (const name of odd) {
      const kw = labelKeyword({ id: 'Label_9', name });
      assert.match(kw, /^[!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]+$/, `an atom: ${kw}`);
      assert.equal(decodeKeyword(kw), name, 'reversible');
    }
    assert.equal(labelKeyword({ id: 'Label_8', name: 'Büro' }), 'B&APw-ro');
    const long = { id: 'Label_6', name: `Projects/${'x'.repeat(60)}`, type: 'user' };
    const short = { id: 'Label_5', name: 'Short', type: 'user' };
    const byId = (id: string) => [long, short].find((l) => l.id === id);
    assert.deepEqual(
      flagsFromLabels(['INBOX', 'Label_5', 'Label_6'], 'INBOX', byId),
      ['\\Seen', 'Short'],
      'a keyword Dovecot would refuse (over 50 characters) is not recorded',
    );
    assert.equal(labelKeyword({ id: 'Label_7', name: 'Projects/Alpha' }), 'Projects/Alpha');
    assert.equal(labelKeyword({ id: 'SENT', name: 'SENT' }), '$Sent');
    assert.equal(labelKeyword({ id: 'IMPORTANT', name: 'IMPORTANT' }), '$Important');
  });
  test('throttling answers map to RateLimitError with the wait the server gave', () => {
    const e429 = mapGmailError(
      429,
      JSON.stringify({ error: { message: 'slow', errors: [{ reason: 'rateLimitExceeded' }] } }),
      '3',
      'x',
    );
    assert.ok(e429 instanceof RateLimitError && e429.retryAfterMs === 3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(
      retryAfterMs(undefined, 'User-rate limit exceeded.  Retry after 2026-01-01T00:00:05.000Z', now),
      5000,
    );
    const e403 = mapGmailError(
      403,
      JSON.stringify({ error: { message: 'x', errors: [{ reason: 'userRateLimitExceeded' }] } }),
      undefined,
      'x',
    );
    assert.ok(e403 instanceof RateLimitError);
    assert.equal(
      mapGmailError(
        403,
        JSON.stringify({ error: { message: 'no', errors: [{ reason: 'forbidden' }] } }),
        undefined,
        'x',
      ).code,
      ErrorCode.AuthFailed,
    );
  });
});

describe('Gmail connector against the emulator', () => {
  let emu: GmailEmulator;
  const user = 'carol@example.test';
  const others = ['dave@example.test', 'erin@example.test', 'frank@example.test', 'gina@example.test'];
  const connector = new GmailConnector();
  before(async () => {
    emu = await GmailEmulator.start({
      users: [user, ...others],
      admin: user,
      unitsPerSecond: 100,
      directoryPage: 2,
    });
  });
  after(() => emu?.stop());

  test('logins: service account (JWT verified), per-user access token, refresh token; a foreign key is refused', async () => {
    const server = gmailServer(emu);
    for (const auth of [serviceAccountLogin(emu, user), accessTokenLogin(emu, user)]) {
      const report = await connector.testLogin(server, auth);
      assert.match(report.greeting ?? '', /carol@example.test/);
    }
    const oauth = gmailServer(emu, {
      oauthClient: { id: emu.auth.client.id, secret: { value: emu.auth.client.secret } },
    });
    const refresh = { kind: 'password' as const, user, password: { value: emu.auth.refreshTokenFor(user) } };
    assert.match((await connector.testLogin(oauth, refresh)).greeting ?? '', /carol/);
    await assert.rejects(connector.testLogin(gmailServer(emu), refresh), isCode(ErrorCode.ConfigInvalid));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gmail-key-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = path.join(dir, 'key.json');
    fs.writeFileSync(
      foreign,
      JSON.stringify({
        client_email: emu.auth.clientEmail,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      }),
    );
    await assert.rejects(
      connector.testLogin(server, {
        kind: 'master',
        user: 'mallory@example.test',
        masterUser: user,
        password: { file: foreign },
      }),
      isCode(ErrorCode.AuthFailed),
    );
    emu.auth.delegationGranted = false;
    await assert.rejects(
      connector.testLogin(server, serviceAccountLogin(emu, others[0]!)),
      isCode(ErrorCode.AuthFailed),
    );
    emu.auth.delegationGranted = true;
    await assert.rejects(
      connector.testLogin(server, { kind: 'xoauth2', user, accessToken: { value: 'ya29.revoked' } }),
      isCode(ErrorCode.AuthFailed),
    );
    fs.rmSync(dir, { recursive: true });
  });

  test('quota: the same burst is refused by the emulator unpaced, and passes when paced under the quota', async () => {
    for (let i = 0; i < 40; i++) emu.seed(others[1]!, makeMessage({ subject: `q ${i}` }), ['INBOX']);
    const burst = async (unitsPerSecond: number) => {
      const src = await connector.openSource(
        gmailServer(emu, { quotaUnitsPerSecond: unitsPerSecond }),
        serviceAccountLogin(emu, others[1]!),
      );
      const reader = await src.openFolder(['INBOX']);
      const out: MessageMeta[] = [];
      for await (const page of reader.listMessages({ uids: await reader.listUids() })) out.push(...page);
      return out;
    };
    // 40 messages.get = 200 units plus listings, against 100 units a second: Google would refuse the burst.
    await assert.rejects(burst(10_000), (e: unknown) => e instanceof RateLimitError);
    await new Promise((r) => setTimeout(r, 1100)); // the emulator's bucket refills
    const rejected = emu.stats.quotaRejected;
    assert.equal((await burst(60)).length, 40); // well under, so scheduling delays on a busy machine cannot bunch requests over
    assert.equal(emu.stats.quotaRejected, rejected, 'paced: no request over the quota');
  });

  test('upload limits: the emulator refuses oversize metadata-only and multipart imports; the connector goes resumable', async () => {
    const token = emu.auth.issue(others[2]!, [GMAIL_SCOPE]);
    const big = makeMessage({ subject: 'big', sizeBytes: 36 * 1024 * 1024 });
    const meta = await fetch(`${emu.url}/gmail/v1/users/me/messages/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ raw: big.subarray(0, 6 * 1024 * 1024).toString('base64url') }),
    });
    assert.equal(meta.status, 413);
    await new Promise((r) => setTimeout(r, 500));
    const media = await fetch(`${emu.url}/upload/gmail/v1/users/me/messages/import?uploadType=media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
      body: new Uint8Array(big),
    });
    assert.equal(media.status, 413);
    const dst = await connector.openDestination(gmailServer(emu), serviceAccountLogin(emu, others[2]!));
    const [r] = await dst.append(
      ['INBOX'],
      [
        {
          size: big.length,
          body: Readable.from([big.subarray(0, 1e6), big.subarray(1e6)]),
          flags: ['\\Seen'],
          internalDate: new Date(),
        },
      ],
    );
    const stored = [...emu.mailbox(others[2]!).messages.values()];
    assert.equal(stored.length, 1);
    assert.ok(stored[0]!.raw.equals(big));
    assert.ok(r?.uid !== undefined);
  });

  test('a body that ends short is never stored', async () => {
    const dst = await connector.openDestination(gmailServer(emu), serviceAccountLogin(emu, others[3]!));
    for (const size of [2000, 6 * 1024 * 1024]) {
      const raw = makeMessage({ subject: 'short', sizeBytes: size });
      await assert.rejects(
        dst.append(
          ['INBOX'],
          [{ size: raw.length + 10, body: Readable.from([raw]), flags: [], internalDate: new Date() }],
        ),
        (e: unknown) => e instanceof CutoverError,
      );
    }
    assert.equal(emu.mailbox(others[3]!).messages.size, 0);
  });

  test('a whole-folder listing (the scan) uses estimates and downloads no body; keyed listings are exact', async () => {
    const raw = makeMessage({ subject: 'survey', sizeBytes: 4000, date: new Date(Date.UTC(2020, 0, 2)) });
    emu.seed(others[3]!, raw, ['Survey']);
    const src = await connector.openSource(gmailServer(emu), serviceAccountLogin(emu, others[3]!));
    const reader = await src.openFolder(['Survey']);
    const survey: MessageMeta[] = [];
    for await (const page of reader.listMessages({})) survey.push(...page);
    assert.equal(survey.length, 1);
    assert.equal(survey[0]!.size, raw.length + 137, "the emulator's sizeEstimate, not a download");
    assert.match(survey[0]!.messageId ?? '', /@cutover.test$/);
    assert.match(survey[0]!.dateHeader ?? '', /2020/);
    const exact: MessageMeta[] = [];
    for await (const page of reader.listMessages({ uids: await reader.listUids() })) exact.push(...page);
    assert.equal(exact[0]!.size, raw.length);
    assert.equal(exact[0]!.messageId, survey[0]!.messageId);
    assert.equal(exact[0]!.dateHeader, survey[0]!.dateHeader);
  });

  test('a message listed for copying is downloaded once (small in memory, large via a temp file)', async () => {
    const u = others[0]!; // no messages yet
    const small = [1, 2, 3].map((i) => makeMessage({ subject: `small ${i}` }));
    const big = makeMessage({ subject: 'big', sizeBytes: 2 * 1024 * 1024 });
    for (const raw of [...small, big]) emu.seed(u, raw, ['INBOX']);
    const src = await connector.openSource(gmailServer(emu), serviceAccountLogin(emu, u));
    const reader = await src.openFolder(['INBOX']);
    const uids = await reader.listUids();
    for await (const _ of reader.listMessages({ uids })) void _;
    const gets = emu.stats.requests['messages.get'] ?? 0;
    const bodies: Buffer[] = [];
    for await (const b of reader.streamBodies(uids)) {
      assert.equal(b.unreadable, undefined);
      if (b.unreadable !== undefined) continue;
      const parts: Buffer[] = [];
      for await (const c of Buffer.isBuffer(b.body) ? [b.body] : b.body) parts.push(c as Buffer);
      assert.equal(Buffer.concat(parts).length, b.size);
      bodies.push(Buffer.concat(parts));
    }
    assert.equal((emu.stats.requests['messages.get'] ?? 0) - gets, 0, 'no body read twice');
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.deepEqual(bodies.map(hash).sort(), [...small, big].map(hash).sort(), 'the same bytes');
    await reader.close();
  });

  test('folders differing only in case are one Gmail label (Gmail compares label names without case)', async () => {
    const dst = await connector.openDestination(gmailServer(emu), serviceAccountLogin(emu, others[1]!));
    await dst.ensureFolder(['Work', 'Q1']);
    await dst.ensureFolder(['work', 'q1']);
    const names = [...emu.mailbox(others[1]!).labels.values()]
      .filter((l) => l.type === 'user')
      .map((l) => l.name);
    assert.deepEqual(names.sort(), ['Work', 'Work/Q1']);
    assert.deepEqual(await dst.folderState(['work', 'q1']), await dst.folderState(['Work', 'Q1']));
  });

  test('delta: changedSince reports just the messages whose labels changed; all of them once history is gone', async () => {
    const u = others[1]!;
    const src1 = await connector.openSource(gmailServer(emu), serviceAccountLogin(emu, u));
    const state = await src1.folderState(['INBOX']);
    assert.ok(state.highestModseq, 'the historyId stands in for HIGHESTMODSEQ');
    const mb = emu.mailbox(u);
    const inbox = [...mb.messages.values()].filter((m) => m.labelIds.has('INBOX'));
    mb.modify(inbox[0]!.id, ['STARRED'], []);
    const src2 = await connector.openSource(gmailServer(emu), serviceAccountLogin(emu, u));
    assert.notEqual((await src2.folderState(['INBOX'])).highestModseq, state.highestModseq);
    const reader = await src2.openFolder(['INBOX']);
    const changed = async () => {
      const out: MessageMeta[] = [];
      for await (const page of reader.listMessages({ changedSince: state.highestModseq })) out.push(...page);
      return out;
    };
    const one = await changed();
    assert.equal(one.length, 1);
    assert.ok(one[0]!.flags.includes('\\Flagged'));
    mb.expireHistory();
    assert.equal(
      (await changed()).length,
      inbox.length,
      'history.list 404: every message, a full flag re-sync',
    );
  });

  test('discovery: every Workspace user through Directory API pages, as the admin only', async () => {
    const found: DiscoveredMailbox[] = [];
    for await (const page of connector.listMailboxes(gmailServer(emu), serviceAccountLogin(emu, user)))
      found.push(...page);
    assert.deepEqual(found.map((f) => f.user).sort(), [user, ...others].sort());
    const notAdmin = connector.listMailboxes(gmailServer(emu), serviceAccountLogin(emu, others[0]!));
    await assert.rejects(async () => {
      for await (const _ of notAdmin) void _;
    }, isCode(ErrorCode.AuthFailed));
  });

  test('the API base and token endpoint come from the settings, the key file is read whole', () => {
    const t = gmailTarget(gmailServer(emu), serviceAccountLogin(emu, user));
    assert.equal(t.credential.kind, 'service-account');
    assert.equal(t.apiUrl, emu.url);
    assert.ok(new GmailApi(t).where.includes(user));
  });
});
