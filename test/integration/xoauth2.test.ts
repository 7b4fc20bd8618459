/**
 * XOAUTH2 against a real Dovecot: its oauth2 passdb checks each bearer token with an RFC 7662
 * introspection endpoint that this test runs on loopback. Every connection Cutover opens (metadata,
 * body fetch, APPEND) authenticates with the token; a refused token fails fast with a message that
 * says what to do, instead of hanging on the server's error challenge.
 */
import http from 'node:http';
import type net from 'node:net';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { migrate, snapshot, tempDataDir } from './helpers.js';
import { resolveTarget } from '../../src/cli/context.js';
import { RawFetcher } from '../../src/connectors/imap/raw-fetcher.js';

let src: DovecotServer;
let dst: DovecotServer;
let introspection: http.Server;
const introspected: string[] = [];
/** Token → the user it was issued to. */
const tokens = new Map([
  ['src-token-alice', 'alice'],
  ['dst-token-alice', 'alice'],
]);

before(async () => {
  introspection = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      introspected.push(token);
      const user = tokens.get(token);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(user ? { active: true, username: user } : { active: false }));
    });
  });
  await new Promise<void>((r) => introspection.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(introspection.address() as net.AddressInfo).port}/introspect`;
  const users = [{ user: 'alice', password: 'pw-alice' }];
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users, oauth2IntrospectionUrl: url }),
    startDovecot({ layout: 'fs', users, oauth2IntrospectionUrl: url }),
  ]);
  await seedMessages(
    src,
    'alice',
    'pw-alice',
    'INBOX',
    Array.from({ length: 15 }, (_, i) => ({
      raw: makeMessage({ subject: `oauth ${i}`, sizeBytes: 1500 + i * 900 }),
      flags: [],
    })),
  );
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
  introspection?.close();
});

const oauthUrl = (s: DovecotServer, token: string) =>
  `imap://alice:${token}@127.0.0.1:${s.imapPort}?auth=xoauth2`;

test('XOAUTH2 on both sides: every connection logs in with the token and the mailbox is copied', async () => {
  introspected.length = 0;
  const project = resolveTarget({
    from: oauthUrl(src, 'src-token-alice'),
    to: oauthUrl(dst, 'dst-token-alice'),
  }).project;
  const { outcomes, reports } = await migrate(tempDataDir(), project);
  assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
  assert.equal(reports[0]!.totals.copied, 15);
  assert.deepEqual(await snapshot(dst, 'alice', 'pw-alice'), await snapshot(src, 'alice', 'pw-alice'));
  // Metadata and body connections on the source, metadata and APPEND connections on the destination.
  assert.ok(introspected.filter((t) => t === 'src-token-alice').length >= 2);
  assert.ok(introspected.filter((t) => t === 'dst-token-alice').length >= 2);
});

test('a refused token fails at once with what to do', async () => {
  const project = resolveTarget({
    from: oauthUrl(src, 'expired-token'),
    to: oauthUrl(dst, 'dst-token-alice'),
  }).project;
  const t0 = Date.now();
  const { outcomes } = await migrate(tempDataDir(), project);
  assert.equal(outcomes[0]!.status, 'failed');
  assert.match(outcomes[0]!.error ?? '', /OAuth access token was refused[\s\S]*fresh token/);
  assert.ok(Date.now() - t0 < 15_000, 'no hang on the error challenge');
});

test('the raw connections (body fetch, APPEND) answer the error challenge too', async () => {
  const spec = resolveTarget({ from: oauthUrl(src, 'x'), to: oauthUrl(dst, 'x') }).project.source;
  const t0 = Date.now();
  await assert.rejects(
    RawFetcher.connect(spec, { user: 'alice', accessToken: 'revoked-token' }, 'alice on source'),
    (err: Error) => /OAuth access token was refused.*"status":"401"/.test(err.message),
  );
  assert.ok(Date.now() - t0 < 10_000);
});
