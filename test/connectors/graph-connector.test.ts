/**
 * The Graph connector against the LOCAL EMULATOR of Microsoft Graph (test code; the real service cannot be
 * reached from here): its limits, errors, logins, discovery, provisioning, delta-derived folder state and
 * body streaming. The emulator's own rules are proven in graph-emulator.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthSpec } from '../../src/config/types.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { KeyMap } from '../../src/connectors/graph/graph-ids.js';
import { PartialWrites } from '../../src/connectors/graph/graph-resume.js';
import { checkGraphMailboxes } from '../../src/connectors/graph/graph-provision.js';
import type { DiscoveredMailbox } from '../../src/connectors/contract.js';
import { CutoverError, ErrorCode, PermanentError, RateLimitError } from '../../src/errors.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { makeMessage } from '../harness/messages.js';
import { expectedFingerprint, withAttachment } from '../contract/destination-contract.js';
import { fingerprint } from '../../src/engine/fingerprint.js';

let emu: GraphEmulator;
const A = 'anna@contoso.test';
const connector = new GraphConnector();

before(async () => {
  emu = await startGraphEmulator({ latencyMs: 40 });
  emu.store.addUser(A);
  emu.store.addUser('info@contoso.test', { mailbox: 'shared' });
  emu.store.addUser('guest@contoso.test', { mailbox: 'none' });
});
after(() => emu?.stop());

describe('the Graph connector', () => {
  const server = () => emulatorServer(emu);

  test('parallel writers on one mailbox share the 4-request gate: no request is refused', async () => {
    const rejected = emu.stats.rejectedForConcurrency;
    const dsts = await Promise.all(
      [1, 2, 3].map(() => connector.openDestination(server(), appLogin(emu, A))),
    );
    await Promise.all(
      dsts.map((dst, i) =>
        dst.append(
          ['Gate'],
          Array.from({ length: 4 }, (_, j) => {
            const raw = makeMessage({ subject: `gate ${i}.${j}` });
            return { size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date() };
          }),
        ),
      ),
    );
    assert.equal(emu.stats.rejectedForConcurrency, rejected);
    assert.ok(emu.stats.maxConcurrent <= 4);
    assert.equal((await dsts[0]!.folderState(['Gate']))!.messages, 12);
  });

  test('429 and 503 with Retry-After become RateLimitError with the wait; the connector never sleeps', async () => {
    const src = await connector.openSource(server(), appLogin(emu, A));
    emu.throttleNext(1, 7, 429);
    await assert.rejects(
      src.listFolders(),
      (e: unknown) => e instanceof RateLimitError && e.retryAfterMs === 7000,
    );
    emu.throttleNext(1, 2, 503);
    await assert.rejects(
      src.listFolders(),
      (e: unknown) => e instanceof RateLimitError && e.retryAfterMs === 2000,
    );
    assert.ok((await src.listFolders()).length >= 6);
  });

  test('a wrong client secret, a password login and a delegated token for another mailbox are refused clearly', async () => {
    const bad: AuthSpec = { kind: 'master', user: A, masterUser: emu.clientId, password: { value: 'wrong' } };
    await assert.rejects(
      connector.openSource(server(), bad),
      (e: unknown) =>
        e instanceof PermanentError && e.code === ErrorCode.AuthFailed && /client secret/.test(e.hint ?? ''),
    );
    // A password login is read as a delegated refresh token: a real password is refused by Entra ID.
    await assert.rejects(
      connector.openSource(server(), { kind: 'password', user: A, password: { value: 'x' } }),
      (e: unknown) =>
        e instanceof PermanentError && e.code === ErrorCode.AuthFailed && /refresh token/.test(e.message),
    );
    await assert.rejects(
      connector.openSource(
        { ...server(), admin: undefined },
        { kind: 'password', user: A, password: { value: 'x' } },
      ),
      /does not take passwords/,
    );
    const token = emu.delegatedToken(A);
    const own = await connector.openSource(server(), {
      kind: 'xoauth2',
      user: A,
      accessToken: { value: token },
    });
    assert.ok((await own.listFolders()).some((f) => f.specialUse === 'inbox'));
    await assert.rejects(
      connector.openSource(server(), {
        kind: 'xoauth2',
        user: 'info@contoso.test',
        accessToken: { value: token },
      }),
      (e: unknown) => e instanceof CutoverError && e.code === ErrorCode.AuthFailed,
    );
  });

  test('discovery lists user and shared mailboxes, not users without one; provisioning says what is wrong', async () => {
    const found: DiscoveredMailbox[] = [];
    for await (const page of connector.listMailboxes(server(), appLogin(emu, '(admin)'))) found.push(...page);
    assert.deepEqual(found.map((m) => [m.user, m.kind]).sort(), [
      [A, 'user'],
      ['info@contoso.test', 'shared'],
    ]);
    const checked = await checkGraphMailboxes(
      server(),
      ['info@contoso.test', 'guest@contoso.test', 'ghost@contoso.test'].map((u) => ({
        user: u,
        auth: appLogin(emu, u),
      })),
    );
    assert.deepEqual(
      checked.map((c) => c.ready),
      [true, false, false],
    );
    assert.match(checked[1]!.problem!, /no Exchange Online mailbox.*\n.*licence/s);
    assert.match(checked[2]!.problem!, /no such user/);
  });

  test('folder state is stable, and moves on a new message, a flag change and a deletion', async () => {
    const [m1, m2] = emu.seed(
      A,
      ['State'],
      [{ raw: makeMessage({ subject: 's1' }) }, { raw: makeMessage({ subject: 's2' }) }],
    );
    const src = await connector.openSource(server(), appLogin(emu, A));
    const s0 = await src.folderState(['State']);
    assert.deepEqual(await src.folderState(['State']), s0);
    const user = emu.store.user(A)!;
    m1!.isRead = true;
    emu.store.touch(user, m1!);
    const s1 = await src.folderState(['State']);
    assert.notEqual(s1.highestModseq, s0.highestModseq);
    assert.equal(s1.messages, 2);
    emu.store.remove(user, m2!.id);
    const s2 = await src.folderState(['State']);
    assert.equal(s2.messages, 1);
    assert.equal(s2.uidValidity, s0.uidValidity, 'the same folder keeps its generation');
    const reader = await src.openFolder(['State']);
    const metas = [];
    for await (const p of reader.listMessages({ uids: await reader.listUids() })) metas.push(...p);
    assert.deepEqual(metas[0]!.flags, ['\\Seen']);
    assert.deepEqual(reader.state, s2);
  });

  test('a body abandoned half way gives its request slot back', { timeout: 30_000 }, async () => {
    emu.seed(
      A,
      ['Abandon'],
      Array.from({ length: 6 }, (_, i) => ({
        raw: makeMessage({ subject: `a${i}`, sizeBytes: 512 * 1024 }),
      })),
    );
    const src = await connector.openSource(server(), appLogin(emu, A));
    const reader = await src.openFolder(['Abandon']);
    let n = 0;
    for await (const b of reader.streamBodies(await reader.listUids())) {
      if (b.unreadable !== undefined || Buffer.isBuffer(b.body)) continue;
      b.body.destroy(); // the consumer gives up on this body
      n++;
    }
    assert.equal(n, 6);
    // Six abandoned downloads on a 4-slot mailbox: a leaked slot would make this wait for ever.
    assert.ok((await src.listFolders()).length > 6);
  });

  test('bodies without Content-Length are spooled and handed over with their exact size', async () => {
    const raws = [
      makeMessage({ subject: 'small' }),
      makeMessage({ subject: 'big', sizeBytes: 9 * 1024 * 1024 }),
    ];
    emu.seed(
      A,
      ['Chunked'],
      raws.map((raw) => ({ raw })),
    );
    emu.chunked = true;
    try {
      const src = await connector.openSource(server(), appLogin(emu, A));
      const reader = await src.openFolder(['Chunked']);
      const got: Buffer[] = [];
      for await (const b of reader.streamBodies(await reader.listUids())) {
        assert.equal(b.unreadable, undefined);
        if (b.unreadable !== undefined) continue;
        const parts: Buffer[] = [];
        if (Buffer.isBuffer(b.body)) parts.push(b.body);
        else for await (const c of b.body) parts.push(c as Buffer);
        const body = Buffer.concat(parts);
        assert.equal(body.length, b.size);
        got.push(body);
      }
      assert.deepEqual(
        got.map((g) => g.length).sort((x, y) => x - y),
        raws.map((r) => r.length).sort((x, y) => x - y),
      );
      assert.ok(
        got.some((g) => g.equals(raws[1]!)),
        'the large one arrives byte for byte',
      );
    } finally {
      emu.chunked = false;
    }
  });

  test('a write throttled half way is resumed where it stopped: no second copy, no range sent twice', async () => {
    const dst = await connector.openDestination(server(), appLogin(emu, A));
    await dst.ensureFolder(['Partial']);
    const raw = withAttachment(5 * 1024 * 1024, new Date(Date.UTC(2020, 1, 2)));
    const item = () => ({
      size: raw.length,
      body: raw,
      flags: ['\\Seen'],
      internalDate: new Date(Date.UTC(2020, 1, 2)),
    });
    const creates = emu.stats.creates;
    const chunks = emu.stats.uploadChunks;
    // create, createUploadSession and the first 3.2 MB range go through; the second range is refused.
    emu.throttleNext(1, 3, 429, 3);
    await assert.rejects(
      dst.append(['Partial'], [item()]),
      (e: unknown) => e instanceof RateLimitError && e.retryAfterMs === 3000,
    );
    assert.equal(emu.stats.uploadChunks - chunks, 1, 'one range landed before the 429');
    assert.equal((await dst.folderState(['Partial']))!.messages, 1, 'the incomplete copy is there');
    const listed = [];
    for await (const page of dst.listMessages(['Partial'])) listed.push(...page);
    assert.deepEqual(listed, [], 'an incomplete copy never matches a source message');
    assert.equal(
      (await dst.folderState(['Partial']))!.messages,
      1,
      'and is kept while the throttled write is going to resume it',
    );
    await dst.append(['Partial'], [item()]);
    assert.equal(emu.stats.creates - creates, 1, 'the message was created once');
    assert.equal(emu.stats.uploadChunks - chunks, 2, 'the upload went on at the offset the session expected');
    const after = [];
    for await (const page of dst.listMessages(['Partial'])) after.push(...page);
    assert.equal(after.length, 1);
    assert.equal(fingerprint(after[0]!), expectedFingerprint(raw));
    const made = [...emu.store.user(A)!.messages.values()].find(
      (m) => m.folderId === emu.store.folderByPath(emu.store.user(A)!, ['Partial'], false)!.id,
    )!;
    assert.equal(made.attachments[0]!.content.length, Math.floor((5 * 1024 * 1024 * 3) / 4), 'arrived whole');
  });

  test('an incomplete copy nobody will resume (another process, expired) is deleted when read back', () => {
    let now = 1_000_000;
    const partials = new PartialWrites(() => now);
    partials.keep('k', { messageId: 'AAMk-1', attached: 0 });
    assert.equal(partials.holds('AAMk-1'), true);
    now += 61 * 60_000;
    assert.equal(partials.holds('AAMk-1'), false);
    assert.equal(partials.get('k'), undefined);
  });

  test('a change the delta round did not report is caught by the item count, never skipped', async () => {
    const [m] = emu.seed(A, ['Missed'], [{ raw: makeMessage({ subject: 'seen by delta' }) }]);
    const src = await connector.openSource(server(), appLogin(emu, A));
    const s0 = await src.folderState(['Missed']);
    assert.equal(s0.messages, 1);
    // A message that arrives without a change record: the next delta round will not mention it.
    const user = emu.store.user(A)!;
    const [ghost] = emu.seed(A, ['Elsewhere'], [{ raw: makeMessage({ subject: 'missed by delta' }) }]);
    user.messages.set(ghost!.id, { ...ghost!, folderId: m!.folderId });
    const s1 = await src.folderState(['Missed']);
    assert.equal(s1.messages, 2);
    assert.notDeepEqual(s1, s0);
    const reader = await src.openFolder(['Missed']);
    assert.equal((await reader.listUids()).length, 2);
  });

  test('two ids with one key are refused, never merged', () => {
    const keys = new KeyMap('test', () => 42);
    keys.add('AAMk-one');
    assert.equal(keys.add('AAMk-one'), 42, 'the same id twice is fine');
    assert.throws(() => keys.add('AAMk-two'), /same key/);
  });
});
