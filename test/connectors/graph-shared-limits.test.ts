/**
 * The Microsoft 365 connector's use of the application's hooks (ConnectorContext.sharedLimits and
 * keptSecrets, src/connectors/graph/graph-shared-limits.ts, graph-token-cache.ts), against the LOCAL
 * EMULATOR of Microsoft Graph and Entra ID (test code: the real services cannot be reached from here),
 * with in-memory fakes of the hooks standing for other worker processes. Given the hook, every request
 * takes the mailbox's shared permits (4 at most) and is counted in its shared request and upload windows; a
 * window that is spent stops the request before it is sent; permits another worker holds leave fewer for
 * this one; the token cache goes to the kept-secrets hook, and a second "worker" reuses it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SharedLimits, SharedWindowTake } from '../../src/connectors/contract.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { appOf, tokenSourceFor } from '../../src/connectors/graph/graph-auth.js';
import { GraphClient } from '../../src/connectors/graph/graph-client.js';
import { graphTarget, userPath } from '../../src/connectors/graph/graph-config.js';
import { RateLimitError } from '../../src/errors.js';
import { Semaphore } from '../../src/runner/limits.js';
import { makeMessage } from '../harness/messages.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';

/** A fake of the shared hook: permits from one semaphore per key, windows answered by `answer`. */
class FakeShared implements SharedLimits {
  readonly permits: Array<{ key: string; max: number; count: number }> = [];
  readonly takes: SharedWindowTake[][] = [];
  readonly gates = new Map<string, Semaphore>();
  answer: (takes: SharedWindowTake[]) => number[] = (t) => t.map(() => 0);

  gate(key: string, max: number): Semaphore {
    let g = this.gates.get(key);
    if (!g) this.gates.set(key, (g = new Semaphore(max)));
    return g;
  }
  async concurrency(key: string, max: number, count: number, signal?: AbortSignal) {
    this.permits.push({ key, max, count });
    return this.gate(key, max).acquire(signal, count);
  }
  async windows(_lock: string, takes: SharedWindowTake[]) {
    this.takes.push(takes);
    return this.answer(takes);
  }
}

let emu: GraphEmulator;
before(async () => {
  emu = await startGraphEmulator({ latencyMs: 40 });
  for (const u of ['a@contoso.test', 'b@contoso.test', 'c@contoso.test', 'd@contoso.test'])
    emu.store.addUser(u);
});
after(() => emu?.stop());

function client(user: string, shared: SharedLimits): GraphClient {
  const server = emulatorServer(emu);
  const target = graphTarget(server, appLogin(emu, user));
  return new GraphClient(target, tokenSourceFor(target, appLogin(emu, user), appOf(server)), shared);
}

test('every request takes the mailbox’s shared permits and is counted in its shared windows', async () => {
  const shared = new FakeShared();
  const server = emulatorServer(emu);
  const dst = await new GraphConnector({ sharedLimits: shared }).openDestination(
    server,
    appLogin(emu, 'a@contoso.test'),
  );
  const raw = makeMessage({ subject: 'shared' });
  await dst.append(['Shared'], [{ size: raw.length, body: raw, flags: [], internalDate: new Date() }]);
  await dst.close();

  const key = `graph:${graphTarget(server, appLogin(emu, 'a@contoso.test')).mailboxKey}`;
  assert.ok(shared.permits.length >= 2);
  assert.ok(shared.permits.every((p) => p.key === key && p.max === 4 && p.count >= 1));
  assert.equal(shared.takes.length, shared.permits.length, 'one window take per request sent');
  const [requests, upload] = shared.takes[0]!;
  assert.equal(requests!.key, `${key}:requests`);
  assert.equal(requests!.limit, 9500, "95% of Graph's 10,000 requests");
  assert.equal(upload!.key, `${key}:upload`);
  assert.equal(upload!.limit, 142_500_000, "95% of Graph's 150 MB");
  assert.ok(
    shared.takes.some(([, u]) => u!.amount >= raw.length),
    'the create counted its body as uploaded',
  );
});

test('a spent shared window stops the request before it is sent, with the wait', async () => {
  const shared = new FakeShared();
  shared.answer = (t) => t.map((_, i) => (i === 0 ? 1200 : 0));
  const c = client('b@contoso.test', shared);
  const sent = emu.stats.requests;
  await assert.rejects(c.json('GET', `${userPath(c.target)}/mailFolders`), (err: unknown) => {
    assert.ok(err instanceof RateLimitError);
    assert.equal(err.retryAfterMs, 1200);
    assert.match(err.message, /request budget/);
    return true;
  });
  assert.equal(emu.stats.requests, sent, 'nothing reached Graph');
});

test('permits another worker holds leave this one fewer concurrent requests', async () => {
  const shared = new FakeShared();
  const c = client('c@contoso.test', shared);
  // "Another worker" holds 3 of the mailbox's 4 permits.
  const other = await shared.gate(`graph:${c.target.mailboxKey}`, 4).acquire(undefined, 3);
  const before = emu.stats.maxConcurrent;
  emu.stats.maxConcurrent = 0;
  await Promise.all(Array.from({ length: 6 }, () => c.json('GET', `${userPath(c.target)}/mailFolders`)));
  assert.equal(emu.stats.maxConcurrent, 1, 'one request at a time: the other worker holds the rest');
  emu.stats.maxConcurrent = Math.max(before, 1);
  other();
});

test('the token cache goes to the kept-secrets hook, and another worker reuses it', async () => {
  const store = new Map<string, string>();
  const kept = () => ({
    get: async (name: string) => store.get(name),
    put: async (name: string, value: string) => void store.set(name, value),
  });
  const server = emulatorServer(emu);
  const t0 = emu.stats.tokenRequests;
  const first = await new GraphConnector({ keptSecrets: kept() }).openSource(
    server,
    appLogin(emu, 'd@contoso.test'),
  );
  await first.listFolders();
  await first.close();
  assert.equal(emu.stats.tokenRequests - t0, 1);
  assert.deepEqual(
    [...store.keys()].map((k) => /^graph-tokens-[0-9a-f]{24}$/.test(k)),
    [true],
    'one cache entry, named as the file would be',
  );

  // Another worker: its own hook object (so its own MSAL application), the same store.
  const second = await new GraphConnector({ keptSecrets: kept() }).openSource(
    server,
    appLogin(emu, 'd@contoso.test'),
  );
  await second.listFolders();
  await second.close();
  assert.equal(emu.stats.tokenRequests - t0, 1, 'no second token request: the cache came from the store');
});
