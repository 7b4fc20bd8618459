/**
 * TLS against a real Dovecot with a fresh self-signed certificate: implicit TLS (imaps://) and STARTTLS
 * both migrate; an untrusted certificate is refused with a message that says what to do; and a
 * certificate trusted through NODE_EXTRA_CA_CERTS is verified for real (no `insecure`), through the CLI.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { cli, migrate, snapshot, tempDataDir } from './helpers.js';
import { resolveTarget } from '../../src/cli/context.js';

let src: DovecotServer;
let dst: DovecotServer;
const users = ['implicit', 'starttls', 'trusted'].map((u) => ({ user: u, password: `pw-${u}` }));

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users, tls: true }),
    startDovecot({ layout: 'fs', users, tls: true }),
  ]);
  for (const u of users)
    await seedMessages(
      src,
      u.user,
      u.password,
      'INBOX',
      Array.from({ length: 12 }, (_, i) => ({
        raw: makeMessage({ subject: `${u.user} ${i}`, sizeBytes: 2000 + i * 5000 }),
        flags: i % 2 ? ['\\Seen'] : [],
      })),
    );
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

test('imaps:// (implicit TLS) on both sides migrates everything', async () => {
  const project = resolveTarget({
    from: `imaps://implicit:pw-implicit@127.0.0.1:${src.imapsPort}?insecure=1`,
    to: `imaps://implicit:pw-implicit@127.0.0.1:${dst.imapsPort}?insecure=1`,
  }).project;
  const { outcomes, reports } = await migrate(tempDataDir(), project);
  assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
  assert.equal(reports[0]!.totals.copied, 12);
  assert.deepEqual(
    await snapshot(dst, 'implicit', 'pw-implicit'),
    await snapshot(src, 'implicit', 'pw-implicit'),
  );
});

test('STARTTLS on the plain port migrates everything', async () => {
  const project = resolveTarget({
    from: `imap://starttls:pw-starttls@127.0.0.1:${src.imapPort}?starttls=1&insecure=1`,
    to: `imap://starttls:pw-starttls@127.0.0.1:${dst.imapPort}?starttls=1&insecure=1`,
  }).project;
  const { outcomes, reports } = await migrate(tempDataDir(), project);
  assert.equal(outcomes[0]!.status, 'done', outcomes[0]!.error);
  assert.equal(reports[0]!.totals.copied, 12);
  assert.deepEqual(
    await snapshot(dst, 'starttls', 'pw-starttls'),
    await snapshot(src, 'starttls', 'pw-starttls'),
  );
});

test('an untrusted certificate is refused with what to do; trusted via NODE_EXTRA_CA_CERTS it is verified and used', async () => {
  const from = `imaps://trusted:pw-trusted@localhost:${src.imapsPort}`;
  const to = `imaps://trusted:pw-trusted@localhost:${dst.imapsPort}`;
  const refused = await cli([
    'migrate',
    '--no-progress',
    '--from',
    from,
    '--to',
    to,
    '--data-dir',
    tempDataDir(),
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout + refused.stderr, /TLS failed[\s\S]*self.signed[\s\S]*insecure=1/i);

  // Both servers' certificates in one bundle, as an operator would add a private CA.
  const bundle = `${tempDataDir()}/ca.pem`;
  const { readFileSync, writeFileSync } = await import('node:fs');
  writeFileSync(bundle, readFileSync(src.certFile!, 'utf8') + readFileSync(dst.certFile!, 'utf8'));
  const ok = await cli(
    ['migrate', '--no-progress', '--from', from, '--to', to, '--data-dir', tempDataDir()],
    {
      NODE_EXTRA_CA_CERTS: bundle,
    },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /copied 12/);
  assert.deepEqual(
    await snapshot(dst, 'trusted', 'pw-trusted'),
    await snapshot(src, 'trusted', 'pw-trusted'),
  );
});
