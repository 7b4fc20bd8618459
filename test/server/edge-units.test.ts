/**
 * The edge's rules on their own: settings parsing (public URL, trusted proxies, loopback), numbers no query
 * can use, log redaction of personal tokens, the admin password rule, the CSV formula guard for
 * `;`-separated spreadsheets, OAuth redirect URIs that never come from a Host header, and the store-backed
 * rate limiter: windows, and a clean-up that stays linear past 10,000 client addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from '../../src/exports/table.js';
import { redirectUriFor } from '../../src/portal/oauth-routes.js';
import { isLoopbackHost, parsePublicUrl, parseTrustProxy } from '../../src/http/edge-options.js';
import { unusableNumber } from '../../src/server/finite-numbers.js';
import { redactLine, redactUrl } from '../../src/server/log-redact.js';
import { passwordProblem } from '../../src/services/password-rule.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { openStore } from '../../src/store/db.js';
import { RateLimitRepo } from '../../src/store/rate-limit-repo.js';
import { tempDataDir } from '../integration/helpers.js';

test('settings: a public URL is an origin, trusted proxies are addresses, loopback is this machine', () => {
  assert.equal(parsePublicUrl('https://Migrate.Example.com/'), 'https://migrate.example.com');
  assert.equal(parsePublicUrl('http://10.0.0.5:8080'), 'http://10.0.0.5:8080');
  assert.equal(parsePublicUrl('  '), undefined);
  for (const [bad, why] of [
    ['migrate.example.com', /is not a URL/],
    ['ftp://migrate.example.com', /not an http\(s\) URL/],
    ['https://migrate.example.com/cutover', /has a path/],
    ['https://u:p@migrate.example.com', /user name or password/],
  ] as const)
    assert.throws(() => parsePublicUrl(bad, '--public-url'), why);
  assert.deepEqual(parseTrustProxy(' 127.0.0.1, ::1,10.0.0.0/8 ,loopback'), [
    '127.0.0.1',
    '::1',
    '10.0.0.0/8',
    'loopback',
  ]);
  assert.deepEqual(parseTrustProxy(undefined), []);
  for (const bad of ['nginx', '10.0.0.0/33', '10.0.0.1/', '*'])
    assert.throws(() => parseTrustProxy(bad, '--trust-proxy'), /--trust-proxy: ".*" is not an IP address/);
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.0.2.1', 'example.com', '128.0.0.1'])
    assert.ok(!isLoopbackHost(h), h);
});

test('numbers no query can use are found wherever they are in a request', () => {
  assert.equal(unusableNumber({ offset: Infinity }, 'querystring'), 'querystring.offset');
  assert.equal(unusableNumber({ a: [1, { b: -Infinity }] }, 'body'), 'body.a.1.b');
  assert.equal(unusableNumber({ n: 2 ** 53 }, 'body'), 'body.n');
  assert.equal(unusableNumber({ n: NaN }, 'body'), 'body.n');
  assert.equal(unusableNumber({ n: 2 ** 53 - 1, s: '1e309', x: null }, 'body'), undefined);
  let deep: unknown = Infinity;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.match(unusableNumber(deep, 'body') ?? '', /^body(\.0)+$/, 'a deeply nested body does not overflow');
});

test('personal tokens are redacted from request URLs and from any log line', () => {
  const tok = 'AbC_dEf-123456789012345678901234567890abcd';
  for (const [url, shown] of <Array<[string, string]>>[
    [`/p/${tok}`, '/p/[link]'],
    [`/p/${tok}/`, '/p/[link]/'],
    [`/p/${tok}/extra/x`, '/p/[link]/extra/x'],
    [`/p/${tok}?utm=1`, '/p/[link]'],
    [`//p/${tok}`, '//p/[link]'],
    [`/p%2F${tok}`, '/p/[link]'],
    [`/p/${tok}/oauth/source`, '/p/[link]/oauth/source'],
    ['/p/oauth/callback?code=C&state=S', '/p/oauth/callback'],
    ['/setup?token=T', '/setup?token=[redacted]'],
    ['/api/alerts?offset=5', '/api/alerts?offset=5'],
  ])
    assert.equal(redactUrl(url), shown, url);
  const line = `{"msg":"No route GET /p/${tok}/ (https://m.example/p/oauth/callback?code=C1&state=S1)"}`;
  assert.equal(
    redactLine(line),
    '{"msg":"No route GET /p/[link]/ (https://m.example/p/oauth/callback?code=[redacted]&state=[redacted])"}',
  );
});

test('the admin password: long enough without its spaces, not one piece repeated, not a handful of characters', () => {
  for (const bad of [
    '',
    '            ',
    '   short   ',
    'aaaaaaaaaaaa',
    'abcabcabcabc',
    'passwordpassword',
    '111122223333',
  ])
    assert.ok(passwordProblem(bad), JSON.stringify(bad));
  for (const good of ['correct horse battery', 'Tr0ub4dor&3x!', '  spaced out is fine  '])
    assert.equal(passwordProblem(good), undefined, good);
});

test('CSV cells a ;-separated spreadsheet would split are quoted, and each piece is guarded', () => {
  assert.equal(csvCell('x;=1+1'), `"x;'=1+1"`);
  assert.equal(csvCell('a;b'), '"a;b"');
  assert.equal(csvCell('=1;@x'), `"'=1;'@x"`);
  assert.equal(csvCell('-5'), "'-5");
  assert.equal(csvCell('plain'), 'plain');
});

test('OAuth redirect URIs come from the public URL or the loopback address listened on, never a Host', () => {
  const at = (address: string, family = 'IPv4') => ({ address: () => ({ address, family, port: 8080 }) });
  assert.equal(redirectUriFor('https://m.example', at('0.0.0.0')), 'https://m.example/p/oauth/callback');
  assert.equal(redirectUriFor(undefined, at('127.0.0.1')), 'http://127.0.0.1:8080/p/oauth/callback');
  assert.equal(redirectUriFor(undefined, at('::1', 'IPv6')), 'http://[::1]:8080/p/oauth/callback');
  assert.equal(
    redirectUriFor(undefined, at('0.0.0.0')),
    undefined,
    'beyond loopback: none without a public URL',
  );
  assert.equal(redirectUriFor(undefined, { address: () => null }), undefined);
});

test('rate limits: fixed windows in the store; clean-up stays linear past 10,000 client addresses', async (t) => {
  const store = await openStore(tempDataDir());
  t.after(() => store.close());
  let now = Date.UTC(2026, 11, 7);
  const repo = new RateLimitRepo(store.db);
  const limiter = new RateLimiter(repo, 'portal-ip', { max: 3, windowMs: 60_000 }, () => now);
  assert.equal(await limiter.hit('a'), undefined);
  assert.equal(await limiter.hit('a'), undefined);
  assert.equal(await limiter.blocked('a'), undefined);
  assert.equal(await limiter.hit('a'), undefined);
  assert.equal(await limiter.blocked('a'), 60);
  now += 15_000;
  assert.equal(await limiter.hit('a'), 45, 'the fourth in the window waits for its end');
  assert.equal(await limiter.hit('b'), undefined, 'another key is counted apart');
  now += 45_000;
  assert.equal(await limiter.blocked('a'), undefined, 'a new window');
  assert.equal(await limiter.count('a'), 1);

  const ip = (i: number) => `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const hits = async (from: number, to: number) => {
    const t0 = performance.now();
    for (let i = from; i < to; i++) await limiter.hit(ip(i));
    return performance.now() - t0;
  };
  // Counting: the 2,000 hits after 18,000 live addresses cost about what the first 2,000 did (the
  // in-memory limiter rescanned every address for each new one past 10,000).
  const first = await hits(0, 2000);
  await hits(2000, 18_000);
  const last = await hits(18_000, 20_000);
  assert.ok(
    last < first * 3 + 100,
    `2,000 hits: ${first.toFixed(0)} ms at first, ${last.toFixed(0)} ms at 20,000`,
  );
  // Clean-up: one range delete, its cost per row no higher for 20,000 expired rows than for 5,000.
  now += 60_000;
  const t0 = performance.now();
  assert.equal(await repo.purge(now), 20_002, "every address's window, and a's and b's");
  const purge20 = performance.now() - t0;
  await hits(0, 5000);
  now += 60_000;
  const t1 = performance.now();
  assert.equal(await repo.purge(now), 5000);
  const purge5 = performance.now() - t1;
  assert.ok(
    purge20 / 20_000 < (purge5 / 5000) * 3 + 0.01,
    `${purge5.toFixed(0)} ms for 5,000, ${purge20.toFixed(0)} ms for 20,000`,
  );
});
