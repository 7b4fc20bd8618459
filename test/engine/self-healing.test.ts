/**
 * The pieces that make a faulty pass finish by itself, without servers: the retry budget (backoff while the
 * mailbox progresses, give up after a stall, a server's wait honoured, unnamed failures capped), the
 * connection slots that shrink when a server turns connections away and grow back slowly, and how IMAP
 * answers are classified (a busy or capped server is transient; a wrong password stays permanent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapConnectError, mapImapError } from '../../src/connectors/imap/imap-errors.js';
import { MAX_UNNAMED_ATTEMPTS, RetryBudget, retryPolicy } from '../../src/engine/retry.js';
import { silentProgress } from '../../src/engine/progress.js';
import {
  ErrorCode,
  PermanentError,
  RateLimitError,
  RefusedError,
  TransientError,
  blame,
} from '../../src/errors.js';
import { ConnectionSlots } from '../../src/runner/limits.js';
import { backoffMs } from '../../src/runner/limits.js';
import type { PassCounters } from '../../src/store/mailbox-repo.js';

const counters = (): PassCounters => ({
  copied: 0,
  present: 0,
  skipped: 0,
  failed: 0,
  flagsSynced: 0,
  bytes: 0,
  throttledMs: 0,
});
const lost = () => new TransientError(ErrorCode.ConnectionLost, 'connection lost');

test('backoff doubles from the base with jitter in [half, whole] and stops at the cap', () => {
  for (let attempt = 0; attempt < 12; attempt++) {
    const full = Math.min(800, 50 * 2 ** attempt);
    for (let i = 0; i < 20; i++) {
      const w = backoffMs(attempt, 50, 800);
      assert.ok(w >= full / 2 && w <= full, `attempt ${attempt}: ${w} outside [${full / 2}, ${full}]`);
    }
  }
});

test('the policy comes from the environment, with 10 minutes without progress as the default', () => {
  assert.deepEqual(retryPolicy({}), { giveUpAfterMs: 600_000, baseMs: 1000, capMs: 60_000 });
  assert.deepEqual(
    retryPolicy({
      CUTOVER_GIVE_UP_AFTER_MS: '5000',
      CUTOVER_RETRY_BASE_MS: '10',
      CUTOVER_RETRY_CAP_MS: '20',
    }),
    { giveUpAfterMs: 5000, baseMs: 10, capMs: 20 },
  );
});

test('transient failures are retried until the mailbox has made no progress for the whole budget', async () => {
  const c = counters();
  const budget = new RetryBudget(1, 'x', silentProgress, c, { giveUpAfterMs: 60, baseMs: 1, capMs: 4 });
  for (let i = 0; i < 50; i++) assert.ok(budget.next(lost()) !== undefined, 'far more than 5 attempts');
  await new Promise((r) => setTimeout(r, 70));
  assert.equal(budget.next(lost()), undefined, 'no progress for longer than the budget: give up');

  // Progress anywhere in the mailbox (another folder's copy) renews the budget.
  const fresh = new RetryBudget(1, 'y', silentProgress, c, { giveUpAfterMs: 60, baseMs: 1, capMs: 4 });
  await new Promise((r) => setTimeout(r, 70));
  c.copied++;
  assert.ok(fresh.next(lost()) !== undefined);
});

test('permanent failures are never retried; unnamed transient ones get a few attempts only', () => {
  const budget = new RetryBudget(1, 'x', silentProgress, counters(), {
    giveUpAfterMs: 60_000,
    baseMs: 1,
    capMs: 1,
  });
  assert.equal(budget.next(new PermanentError(ErrorCode.AuthFailed, 'wrong password')), undefined);
  assert.equal(budget.next(new PermanentError(ErrorCode.QuotaExceeded, 'over quota')), undefined);
  const odd = () => new TransientError(ErrorCode.ProtocolError, 'NO something unexpected');
  for (let i = 1; i < MAX_UNNAMED_ATTEMPTS; i++) assert.ok(budget.next(odd()) !== undefined);
  assert.equal(budget.next(odd()), undefined);
});

test("a throttling server's own wait is honoured and counted; without one, the backoff decides", () => {
  const c = counters();
  const budget = new RetryBudget(1, 'x', silentProgress, c, { giveUpAfterMs: 60_000, baseMs: 8, capMs: 8 });
  assert.equal(budget.next(new RateLimitError('429', 1234)), 1234);
  const w = budget.next(new RateLimitError('[THROTTLED]', 0))!;
  assert.ok(w >= 4 && w <= 8, String(w));
  assert.equal(c.throttledMs, 1234 + w);
});

test('refused connections shrink a server’s slots to one below what was in use; a lone worker always runs', async () => {
  let now = 0;
  const slots = new ConnectionSlots({ raiseAfterMs: 1000, now: () => now });
  const server = { host: 'imap.test', port: 143, maxConnections: 10 };
  const held = [await slots.acquire(server, undefined, 2), await slots.acquire(server, undefined, 2)];
  const third = await slots.acquire(server, undefined, 2);
  slots.refused(server); // the third lane's login was turned away with 6 in use
  assert.equal(slots.allowance(server), 5);
  third();
  let granted = false;
  const waiting = slots.acquire(server, undefined, 2).then((r) => ((granted = true), r));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(granted, false, '4 in use + 2 would exceed 5');
  held[0]!();
  (await waiting)();
  held[1]!();

  slots.refused(server);
  slots.refused(server);
  assert.equal(slots.allowance(server), 1);
  const alone = await slots.acquire(server, undefined, 4); // more than allowed, but nobody else holds any
  alone();

  // Quiet spells raise it again, one connection each, never above the configured maximum.
  now += 1000;
  assert.equal(slots.allowance(server), 2);
  now += 3500;
  assert.equal(slots.allowance(server), 5);
  now += 60_000;
  assert.equal(slots.allowance(server), 10);
});

test('a per-user connection cap shrinks that user’s slots only', async () => {
  const slots = new ConnectionSlots();
  const server = { host: 'imap.test', port: 143, maxConnections: 10 };
  const a = await slots.acquire(server, undefined, 2, { alice: 2 });
  const b = await slots.acquire(server, undefined, 2, { alice: 2 });
  slots.refused({ ...server, user: 'alice' });
  assert.equal(slots.allowance({ ...server, user: 'alice' }), 3);
  assert.equal(slots.allowance({ ...server, user: 'bob' }), 10);
  assert.equal(slots.allowance(server), 10);
  a();
  b();
});

test('IMAP: busy, throttled and capped answers are transient; a refused login stays permanent', () => {
  const where = 'u on h:143';
  const unavailable = mapImapError(
    { serverResponseCode: 'UNAVAILABLE', responseText: 'backend down' },
    where,
  );
  assert.equal(unavailable.code, ErrorCode.ServerUnavailable);
  assert.ok(unavailable instanceof TransientError);
  // Nobody's message broke a busy server: never blamed on one.
  assert.equal((blame(unavailable, 7) as TransientError).suspectUid, undefined);
  assert.ok(
    mapImapError(
      { authenticationFailed: true, serverResponseCode: 'THROTTLED', responseText: 'slow' },
      where,
    ) instanceof RateLimitError,
  );
  const capText =
    '[LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=3)';
  const cap = mapConnectError(
    { authenticationFailed: true, serverResponseCode: 'LIMIT', responseText: capText },
    where,
    { host: 'h', port: 143, user: 'u' },
    true,
  );
  assert.ok(cap instanceof RefusedError);
  assert.equal(cap.code, ErrorCode.ConnectionLimit);
  assert.deepEqual(cap.server, { host: 'h', port: 143, user: 'u' });
  const wrong = mapConnectError(
    { authenticationFailed: true, responseText: '[AUTHENTICATIONFAILED] Authentication failed.' },
    where,
    { host: 'h', port: 143, user: 'u' },
    true,
  );
  assert.ok(wrong instanceof PermanentError);
  assert.equal(wrong.code, ErrorCode.AuthFailed);
});

test('IMAP: ECONNREFUSED is "nothing listens" at first contact, a transient refusal once the server answered', () => {
  const first = { host: 'never-seen.test', port: 1143, user: 'u' };
  const e1 = mapConnectError({ code: 'ECONNREFUSED' }, 'u on x', first, false);
  assert.ok(e1 instanceof PermanentError && e1.code === ErrorCode.ConnectionRefused);
  // A connection reset before the greeting proves something listens, and is itself a refusal.
  const reset = mapConnectError({ code: 'ECONNRESET' }, 'u on x', first, false);
  assert.ok(reset instanceof RefusedError);
  const e2 = mapConnectError({ code: 'ECONNREFUSED' }, 'u on x', first, false);
  assert.ok(e2 instanceof RefusedError && e2.code === ErrorCode.ConnectionRefused);
});
