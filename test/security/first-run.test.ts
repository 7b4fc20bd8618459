/**
 * First run, attacked from the network: `cutover serve --host 0.0.0.0` on an empty data directory prints a
 * one-time setup link (and logs it once), refuses POST /api/setup without that token or with another, refuses
 * a weak password even with it, and warns that no public URL limits the hosts it answers. So does a loopback
 * server behind a reverse proxy; a plain loopback server still creates the admin on the first visit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDataDir } from '../integration/helpers.js';
import { OPERATOR, operator, request, serve } from './serve.js';

test('beyond loopback: setup needs the printed token, once; the link is logged once and never again', async (t) => {
  const s = await serve(['--host', '0.0.0.0', '--data-dir', tempDataDir()]);
  t.after(() => s.stop());
  const printed = /first run: open (\S+\/setup\?token=([\w-]{20,})) /.exec(s.out());
  assert.ok(printed, `no setup link printed:\n${s.out()}`);
  const token = printed[2]!;
  assert.match(s.err(), /warning: listening on 0\.0\.0\.0 without a public URL/);

  const noToken = await request(s.base, { method: 'POST', path: '/api/setup', body: OPERATOR });
  assert.equal(noToken.status, 403, noToken.body);
  assert.equal(noToken.json().code, 'SETUP_TOKEN_REQUIRED');
  const wrong = await request(s.base, {
    method: 'POST',
    path: '/api/setup',
    body: { ...OPERATOR, token: token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
  });
  assert.equal(wrong.status, 403, wrong.body);
  for (const password of ['            ', 'aaaaaaaaaaaaaaaa', 'abcabcabcabcabc']) {
    const weak = await request(s.base, {
      method: 'POST',
      path: '/api/setup',
      body: { user: 'admin', password, token },
    });
    assert.equal(weak.status, 400, `${JSON.stringify(password)}: ${weak.body}`);
    assert.equal(weak.json().code, 'PASSWORD_WEAK');
  }
  // The UI's first-run page is what the link opens (the browser test follows it in Chromium).
  const page = await request(s.base, { path: `/setup?token=${token}` });
  assert.equal(page.status, 200);
  assert.match(page.body, /<div id="root">/);

  const headers = await operator(s.base, { token });
  assert.equal((await request(s.base, { path: '/api/session', headers })).status, 200);
  const again = await request(s.base, { method: 'POST', path: '/api/setup', body: { ...OPERATOR, token } });
  assert.equal(again.status, 409, 'the token does not open a second setup');
  // Printed on the console line and in one log entry; the request for the link shows it redacted.
  assert.equal(s.out().split(token).length - 1, 2, s.out());
  assert.match(s.out(), /"url":"\/setup\?token=\[redacted\]"/);
});

test('on loopback behind a proxy (--trust-proxy or --public-url) the first run needs the token too', async (t) => {
  for (const args of [
    ['--trust-proxy', '127.0.0.1'],
    ['--public-url', 'https://migrate.example.test'],
  ]) {
    const s = await serve([...args, '--data-dir', tempDataDir()]);
    t.after(() => s.stop());
    assert.match(s.out(), /first run: open \S+\/setup\?token=/, args.join(' '));
    assert.doesNotMatch(s.err(), /without a public URL/);
    const setup = await request(s.base, { method: 'POST', path: '/api/setup', body: OPERATOR });
    assert.equal(setup.status, 403, `${args.join(' ')}: ${setup.body}`);
  }
});

test('on loopback the first visit still creates the admin without a token, and no link is printed', async (t) => {
  const s = await serve(['--data-dir', tempDataDir()]);
  t.after(() => s.stop());
  assert.doesNotMatch(s.out(), /setup\?token=/);
  assert.doesNotMatch(s.err(), /without a public URL/);
  const setup = await request(s.base, { method: 'POST', path: '/api/setup', body: OPERATOR });
  assert.equal(setup.status, 201, setup.body);
});
