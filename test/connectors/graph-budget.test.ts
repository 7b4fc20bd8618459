/**
 * Graph's budgets per app and mailbox — 10,000 requests per 10 minutes, 150 MB uploaded per 5 minutes —
 * against the LOCAL EMULATOR of Microsoft Graph (test code; the real service cannot be reached from here).
 * The emulator enforces both with Retry-After values of minutes; here its windows are shrunk to seconds so
 * the tests run quickly, and the connector's budget is given the same windows. The connector must pace
 * itself (a RateLimitError before sending) so that the emulator never has to say 429; main's connector
 * counted only concurrency and ran into the 429s. The estimate must use the budgets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppendItem } from '../../src/connectors/contract.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { budgetFor } from '../../src/connectors/graph/graph-budget.js';
import { AppTokenSource } from '../../src/connectors/graph/graph-auth.js';
import { graphTarget } from '../../src/connectors/graph/graph-config.js';
import { readAll, send } from '../../src/connectors/graph/graph-transport.js';
import { RateLimitError } from '../../src/errors.js';
import { estimate, DEFAULT_RATES } from '../../src/services/estimate.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { makeMessage } from '../harness/messages.js';
import { withAttachment } from '../contract/destination-contract.js';

const WINDOW_MS = 2000;
const SMALL = { requests: 40, requestWindowMs: WINDOW_MS, uploadBytes: 8_000_000, uploadWindowMs: WINDOW_MS };
let emu: GraphEmulator;
const connector = new GraphConnector();

before(async () => {
  emu = await startGraphEmulator({ latencyMs: 1, budgets: SMALL });
  for (const u of ['req@contoso.test', 'up@contoso.test', 'raw@contoso.test']) emu.store.addUser(u);
});
after(() => emu?.stop());

/** Append each item, waiting out the connector's own pacing the way the scheduler does; the pauses. */
async function appendPaced(user: string, items: Array<() => AppendItem>): Promise<number[]> {
  const server = emulatorServer(emu);
  budgetFor(graphTarget(server, appLogin(emu, user)).mailboxKey, SMALL);
  const dst = await connector.openDestination(server, appLogin(emu, user));
  const pauses: number[] = [];
  for (const make of items)
    for (;;) {
      try {
        await dst.append(['Paced'], [make()]);
        break;
      } catch (err) {
        if (!(err instanceof RateLimitError)) throw err;
        assert.ok(err.retryAfterMs > 0 && err.retryAfterMs <= WINDOW_MS + 1000, `wait ${err.retryAfterMs}`);
        pauses.push(err.retryAfterMs);
        await sleep(err.retryAfterMs);
      }
    }
  return pauses;
}

describe("Graph's request and upload budgets", () => {
  test('the emulator refuses a request over either budget with a Retry-After of minutes', async () => {
    const tight = await startGraphEmulator({
      budgets: { requests: 3, requestWindowMs: 10 * 60_000, uploadBytes: 3000, uploadWindowMs: 5 * 60_000 },
    });
    try {
      tight.store.addUser('raw@contoso.test');
      tight.store.addUser('up@contoso.test');
      const token = await new AppTokenSource(
        graphTarget(emulatorServer(tight), appLogin(tight, 'raw@contoso.test')),
        tight.clientId,
        tight.clientSecret,
      ).token();
      const call = async (user: string, method = 'GET', body?: string) => {
        const res = await send(
          `${tight.baseUrl}/users/${user}/mailFolders/inbox${method === 'POST' ? '/messages' : ''}`,
          {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            body,
            insecure: true,
          },
          'test',
        );
        await readAll(res);
        return { status: res.statusCode, retryAfter: Number(res.headers['retry-after']) };
      };
      for (let i = 0; i < 3; i++) assert.equal((await call('raw@contoso.test')).status, 200);
      const over = await call('raw@contoso.test');
      assert.equal(over.status, 429);
      assert.ok(over.retryAfter >= 590 && over.retryAfter <= 600, `Retry-After ${over.retryAfter} s`);
      const big = await call('up@contoso.test', 'POST', JSON.stringify({ subject: 'x'.repeat(2000) }));
      assert.equal(big.status, 201);
      const next = await call('up@contoso.test', 'POST', JSON.stringify({ subject: 'y'.repeat(1000) }));
      assert.equal(next.status, 429, 'the upload budget is spent');
      assert.ok(next.retryAfter >= 290 && next.retryAfter <= 300, `Retry-After ${next.retryAfter} s`);
    } finally {
      await tight.stop();
    }
  });

  test('the connector paces to the request budget before Graph has to say 429', async () => {
    const refused = emu.budgets.refused;
    const items = Array.from({ length: 60 }, (_, i) => () => {
      const raw = makeMessage({ subject: `paced ${i}` });
      return { size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date() };
    });
    const pauses = await appendPaced('req@contoso.test', items);
    assert.ok(pauses.length >= 1, 'the budget was spent and the connector paused');
    assert.equal(emu.budgets.refused, refused, 'the emulator never had to refuse a request');
    const folder = emu.store.folderByPath(emu.store.user('req@contoso.test')!, ['Paced'], false)!;
    assert.equal(emu.store.messagesIn(emu.store.user('req@contoso.test')!, folder.id).length, 60);
  });

  test('the connector paces to the upload budget: bytes, not only requests', async () => {
    const refused = emu.budgets.refused;
    const items = Array.from({ length: 5 }, () => () => {
      const raw = withAttachment(2_400_000, new Date());
      return { size: raw.length, body: raw, flags: [], internalDate: new Date() };
    });
    const pauses = await appendPaced('up@contoso.test', items);
    assert.ok(pauses.length >= 1, 'paced for bytes (5 × ~2.4 MB in 2 s windows of 8 MB)');
    assert.equal(emu.budgets.refused, refused, 'the emulator never had to refuse an upload');
  });

  test('the estimate of a mailbox into Microsoft 365 uses the budgets', () => {
    const dest = emulatorServer(emu);
    const work = [{ mailbox: 'big', messages: 10_000, bytes: 10 * 1024 ** 3 }];
    const project = { concurrency: { mailboxes: 1, foldersPerMailbox: 1 }, limits: {} };
    const fast = { messagesPerSecond: 200, bytesPerSecond: 50e6, basis: 'measured' };
    const free = estimate(work, project, { windows: [], timezone: 'UTC' }, fast);
    const m365 = estimate(work, { ...project, destination: dest }, { windows: [], timezone: 'UTC' }, fast);
    // 150 MB per 5 minutes, 95 % of it, base64 in JSON: about 356 KB/s — 10 GB take over 8 hours.
    assert.ok(free.hours! < 1);
    assert.ok(m365.hours! > 8 && m365.hours! < 9, `${m365.hours} h`);
    assert.match(m365.rates.basis, /150 MB uploaded per 5 minutes/);
    assert.equal(
      estimate(work, project, { windows: [], timezone: 'UTC' }, DEFAULT_RATES).rates,
      DEFAULT_RATES,
    );
  });
});
