/**
 * Cutover as deployed: `cutover serve --public-url https://migrate.example.test --trust-proxy 127.0.0.1`, the
 * test client playing both the TLS reverse proxy (connecting from 127.0.0.1, sending X-Forwarded-For/-Proto)
 * and clients that reach the port directly (from this machine's external address, untrusted). Other Host
 * names are refused (DNS rebinding); the session cookie is Secure when the proxy says https; logins are
 * limited per real client and per account; the portal's per-IP limit counts real clients, so one attacker's
 * bad links do not lock out the end users. Without --trust-proxy the headers change nothing, and settings
 * that are not a URL or addresses stop the start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { cli, tempDataDir } from '../integration/helpers.js';
import { projectBody } from '../server/helpers.js';
import { OPERATOR, operator, request, serve } from './serve.js';

const PUBLIC = 'migrate.example.test';
/** This machine's first external IPv4 address: a peer that is not the trusted proxy. */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

test('a public deployment behind a TLS reverse proxy, attacked from outside', async (t) => {
  const s = await serve([
    '--host',
    '0.0.0.0',
    '--public-url',
    `https://${PUBLIC}`,
    '--trust-proxy',
    '127.0.0.1',
    '--data-dir',
    tempDataDir(),
  ]);
  t.after(() => s.stop());
  const token = /setup\?token=([\w-]+)/.exec(s.out())![1]!;
  assert.match(s.out(), new RegExp(`open https://${PUBLIC.replace(/\./g, '\\.')}/setup\\?token=`));
  /** Headers the proxy adds for a client at `ip` that used https. */
  const via = (ip: string, proto = 'https') => ({
    host: PUBLIC,
    'x-forwarded-for': ip,
    'x-forwarded-proto': proto,
  });
  const login = (ip: string, password = 'wrong password!', user = OPERATOR.user) =>
    request(s.base, { method: 'POST', path: '/api/login', headers: via(ip), body: { user, password } });
  const admin = await operator(s.base, { token, headers: via('198.51.100.1') });

  await t.test('other Host names are refused, whatever the route (DNS rebinding)', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/session'],
      ['POST', '/api/login'],
      ['POST', '/api/setup'],
      ['GET', '/api/openapi.json'],
      ['GET', `/p/${'x'.repeat(43)}`],
      ['GET', '/no/such/page'],
    ] as const) {
      const body = method === 'POST' ? OPERATOR : undefined;
      const evil = await request(s.base, { method, path, headers: { ...admin, host: 'evil.example' }, body });
      assert.equal(evil.status, 421, `${method} ${path} for evil.example: ${evil.body}`);
      assert.equal(evil.json().code, 'HOST_NOT_ALLOWED');
      const rebound = await request(s.base, {
        method,
        path,
        headers: { ...admin, host: `evil.example:${s.port}` },
      });
      assert.equal(rebound.status, 421, `${method} ${path} with a port`);
    }
    const own = await request(s.base, { path: '/api/session', headers: { ...admin, host: `${PUBLIC}` } });
    assert.equal(own.status, 200, own.body);
    const ownUpper = await request(s.base, {
      path: '/api/session',
      headers: { ...admin, host: 'MIGRATE.example.test.' },
    });
    assert.equal(ownUpper.status, 200, 'host names compare without case and trailing dot');
    // This machine may use a loopback name (health checks); a peer from outside may not.
    const local = await request(s.base, {
      path: '/api/session',
      headers: { ...admin, host: `127.0.0.1:${s.port}` },
    });
    assert.equal(local.status, 200);
    if (external) {
      const fromOutside = await request(`http://${external}:${s.port}`, {
        path: '/api/session',
        headers: { ...admin, host: 'localhost' },
      });
      assert.equal(fromOutside.status, 421, 'a loopback name from an outside peer');
    }
  });

  await t.test('the session cookie is Secure when the proxy says https, and only then', async () => {
    const secure = await request(s.base, {
      method: 'POST',
      path: '/api/login',
      headers: via('198.51.100.2'),
      body: OPERATOR,
    });
    assert.equal(secure.status, 200, secure.body);
    assert.match(String(secure.headers['set-cookie']), /;\s*Secure/i);
    const plain = await request(s.base, {
      method: 'POST',
      path: '/api/login',
      headers: via('198.51.100.2', 'http'),
      body: OPERATOR,
    });
    assert.doesNotMatch(String(plain.headers['set-cookie']), /Secure/i);
    if (external) {
      // X-Forwarded-Proto from a peer that is not the trusted proxy is not believed.
      const spoofed = await request(`http://${external}:${s.port}`, {
        method: 'POST',
        path: '/api/login',
        headers: via('198.51.100.3'),
        body: OPERATOR,
      });
      assert.equal(spoofed.status, 200, spoofed.body);
      assert.doesNotMatch(String(spoofed.headers['set-cookie']), /Secure/i);
    }
  });

  await t.test(
    'a login flood from one client is cut off without locking out the operator elsewhere',
    async () => {
      const answers = [];
      for (let i = 0; i < 25; i++) answers.push((await login('203.0.113.66')).status);
      assert.deepEqual(answers.slice(0, 10), Array(10).fill(401));
      assert.deepEqual(answers.slice(10), Array(15).fill(429), answers.join(' '));
      const elsewhere = await login('198.51.100.4', OPERATOR.password);
      assert.equal(elsewhere.status, 200, elsewhere.body);
    },
  );

  await t.test(
    'X-Forwarded-For from a peer that is not the proxy does not dodge the per-address limit',
    async (st) => {
      if (!external) return st.skip('no external address on this machine');
      const statuses = [];
      for (let i = 0; i < 11; i++)
        statuses.push(
          (
            await request(`http://${external}:${s.port}`, {
              method: 'POST',
              path: '/api/login',
              headers: via(`192.0.2.${100 + i}`),
              body: { user: 'nobody', password: 'wrong password!' },
            })
          ).status,
        );
      assert.equal(statuses.at(-1), 429, statuses.join(' '));
    },
  );

  await t.test('30 bad links from one attacker do not lock out the end users', async () => {
    const project = await request(s.base, {
      method: 'POST',
      path: '/api/projects',
      headers: { ...admin, host: PUBLIC },
      body: projectBody('edge'),
    });
    assert.equal(project.status, 201, project.body);
    const mailbox = await request(s.base, {
      method: 'POST',
      path: `/api/projects/${project.json<{ id: number }>().id}/mailboxes`,
      headers: admin,
      body: { sourceUser: 'alice@old.example' },
    });
    assert.equal(mailbox.status, 201, mailbox.body);
    const link = await request(s.base, {
      method: 'POST',
      path: `/api/mailboxes/${mailbox.json<{ id: number }>().id}/credential-link`,
      headers: admin,
    });
    assert.equal(link.status, 201, link.body);
    const url = new URL(link.json<{ url: string }>().url);
    assert.equal(url.origin, `https://${PUBLIC}`, 'links are built from the public URL');

    const attacker = [];
    for (let i = 0; i < 31; i++)
      attacker.push(
        (
          await request(s.base, {
            path: `/p/${randomBytes(32).toString('base64url')}`,
            headers: via('203.0.113.77'),
          })
        ).status,
      );
    assert.deepEqual(attacker.slice(0, 30), Array(30).fill(404));
    assert.equal(attacker[30], 429, 'the attacker is limited');
    const page = await request(s.base, { path: url.pathname, headers: via('198.51.100.88') });
    assert.equal(page.status, 200, 'the end user opens the page');
    const post = await request(s.base, {
      method: 'POST',
      path: url.pathname,
      headers: { ...via('198.51.100.88'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'form=stale&source=pw',
    });
    assert.equal(post.status, 403, `the end user's post is judged, not rate-limited: ${post.status}`);
  });

  await t.test('a slow guess spread over many addresses still hits the per-account limit', async () => {
    let refusedAt = 0;
    for (let i = 1; i <= 40 && !refusedAt; i++) {
      const r = await login(`10.9.8.${i}`);
      if (r.status === 429) refusedAt = i;
      else assert.equal(r.status, 401, r.body);
    }
    // 5 failures came from the flood above (one address adds at most 5), the rest one per address.
    assert.ok(refusedAt > 10 && refusedAt <= 16, `refused after ${refusedAt} addresses`);
    const right = await login('10.9.9.1', OPERATOR.password);
    assert.equal(right.status, 429, 'locked even with the right password');
    assert.match(right.json<{ message: string }>().message, /failed logins for this account/);
  });
});

test('without --trust-proxy, X-Forwarded-For and -Proto are ignored', async (t) => {
  const s = await serve(['--data-dir', tempDataDir()]);
  t.after(() => s.stop());
  await operator(s.base);
  const secure = await request(s.base, {
    method: 'POST',
    path: '/api/login',
    headers: { 'x-forwarded-proto': 'https' },
    body: OPERATOR,
  });
  assert.doesNotMatch(String(secure.headers['set-cookie']), /Secure/i);
  const statuses = [];
  for (let i = 0; i < 11; i++)
    statuses.push(
      (
        await request(s.base, {
          method: 'POST',
          path: '/api/login',
          headers: { 'x-forwarded-for': `192.0.2.${i}` },
          body: { user: 'nobody', password: 'wrong password!' },
        })
      ).status,
    );
  // All from one address whatever the header says: the two logins above and 8 of these fill its 10.
  assert.deepEqual(statuses, [...Array<number>(8).fill(401), 429, 429, 429]);
});

test('a public URL or proxy list that is not one fails the start, saying which and what to write', async () => {
  const dataDir = tempDataDir();
  for (const [args, env, said] of [
    [['--public-url', 'https://migrate.example.test/cutover'], {}, /--public-url .* has a path/],
    [['--public-url', 'migrate.example.test'], {}, /--public-url "migrate\.example\.test" is not a URL/],
    [['--trust-proxy', 'nginx'], {}, /--trust-proxy: "nginx" is not an IP address/],
    [[], { CUTOVER_TRUST_PROXY: '10.0.0.0/40' }, /CUTOVER_TRUST_PROXY: "10\.0\.0\.0\/40"/],
  ] as const) {
    const r = await cli(['serve', '--port', '0', '--data-dir', dataDir, ...args], env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, said);
    assert.doesNotMatch(r.stdout, /web UI on/);
  }
});
