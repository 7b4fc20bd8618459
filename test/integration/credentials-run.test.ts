/**
 * Stored end-user credentials against a real Dovecot pair: a wrong password is refused by a real login and
 * not stored, a right one is stored sealed and verified, and a run then logs in with it (authFor precedence).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { snapshot, tempDataDir } from './helpers.js';
import { openStore } from '../../src/store/db.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { CredentialService, credentialContext } from '../../src/services/credential-service.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { credentialStage } from '../../src/services/credential-stage.js';
import { runMigration } from '../../src/services/migration-service.js';
import { silentProgress } from '../../src/engine/progress.js';
import { passwordlessProject, registerMailboxes } from '../portal/fixtures.js';

const USERS = [
  { user: 'alice', password: 'alice-Old-pw-1' },
  { user: 'bob', password: 'bob-Old-pw-2' },
];
let src: DovecotServer;
let dst: DovecotServer;

before(async () => {
  [src, dst] = await Promise.all([startDovecot({ users: USERS }), startDovecot({ users: USERS })]);
  await seedMessages(
    src,
    'alice',
    USERS[0]!.password,
    'INBOX',
    [1, 2, 3].map((i) => ({ raw: makeMessage({ subject: `m${i}` }) })),
  );
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

test('a password is stored only after a real login accepts it, and the run uses it', async () => {
  const dataDir = tempDataDir();
  const project = passwordlessProject(src, dst, ['alice', 'bob']);
  const store = await openStore(dataDir);
  try {
    const ids = await registerMailboxes(store, project);
    const service = new CredentialService({
      credentials: new CredentialRepo(store.db),
      mailboxes: new MailboxRepo(store.db),
      box: openSecretBox(dataDir, {}),
      projectFor: async () => project,
    });
    const alice = (await service.context(ids.get('alice')!))!;
    assert.deepEqual(alice.required, ['source', 'destination']);

    const wrong = await service.submit(alice, { source: 'not-the-password' }, 'portal');
    assert.deepEqual(
      wrong.map((o) => [o.side, o.status]),
      [['source', 'wrong']],
    );
    assert.deepEqual(await new CredentialRepo(store.db).states(), [], 'a refused password is not stored');

    const right = await service.submit(
      alice,
      { source: USERS[0]!.password, destination: USERS[0]!.password },
      'portal',
    );
    assert.deepEqual(
      right.map((o) => [o.side, o.status]),
      [
        ['source', 'stored'],
        ['destination', 'stored'],
      ],
    );
    const states = await new CredentialRepo(store.db).states();
    assert.equal(states.length, 2);
    assert.ok(states.every((s) => s.verifiedAt && s.enteredBy === 'portal'));
    assert.deepEqual(await credentialStage(store.db, { required: alice.required }), {
      total: 2,
      present: 1,
      verified: 1,
    });

    const outcomes = await runMigration(store, project, { progress: silentProgress });
    const byLabel = new Map(outcomes.map((o) => [o.label, o]));
    assert.equal(byLabel.get('alice')!.status, 'done');
    assert.equal(byLabel.get('alice')!.counters!.copied, 3);
    assert.equal(byLabel.get('bob')!.status, 'failed', 'bob handed over nothing');
    assert.match(byLabel.get('bob')!.error!, /No source credentials for mailbox "bob"/);
  } finally {
    await store.close();
  }
  assert.deepEqual(
    (await snapshot(dst, 'alice', USERS[0]!.password, { withFlags: false })).INBOX,
    (await snapshot(src, 'alice', USERS[0]!.password, { withFlags: false })).INBOX,
  );
  // The database file holds the password only sealed.
  const raw = fs.readFileSync(path.join(dataDir, 'cutover.sqlite'));
  const wal = fs.existsSync(path.join(dataDir, 'cutover.sqlite-wal'))
    ? fs.readFileSync(path.join(dataDir, 'cutover.sqlite-wal'))
    : Buffer.alloc(0);
  for (const file of [raw, wal])
    assert.equal(file.indexOf(USERS[0]!.password), -1, 'no plaintext password in the store');
});

test('a stored password that stopped working: the run fails, the side is unverified and the user is alerted; a new one clears it', async () => {
  const dataDir = tempDataDir();
  const project = passwordlessProject(src, dst, ['bob']);
  project.destination.admin = { user: 'bob', password: { value: USERS[1]!.password }, mode: 'password' };
  const store = await openStore(dataDir);
  try {
    const ids = await registerMailboxes(store, project);
    const bob = ids.get('bob')!;
    const box = openSecretBox(dataDir, {});
    // Handed over and verified earlier; changed on the old server since.
    await new CredentialRepo(store.db).put({
      mailboxId: bob,
      side: 'source',
      sealed: box.seal('bob-password-before-the-change', credentialContext(bob, 'source')),
      enteredBy: 'portal',
      verifiedAt: new Date().toISOString(),
    });
    const [outcome] = await runMigration(store, project, { progress: silentProgress });
    assert.equal(outcome!.status, 'failed');
    assert.match(outcome!.error!, /login refused/);
    const [state] = await new CredentialRepo(store.db).states(bob);
    assert.equal(state!.verifiedAt, null, 'no longer counted as verified');
    const [alert] = (await new AlertRepo(store.db).list('active')).filter((a) => a.mailboxId === bob);
    assert.equal(alert!.type, 'auth-failed');
    assert.match(alert!.text, /The password of your current mailbox \(bob\) no longer works/);
    assert.deepEqual(await credentialStage(store.db), { total: 1, present: 1, verified: 0 });

    const service = new CredentialService({
      credentials: new CredentialRepo(store.db),
      mailboxes: new MailboxRepo(store.db),
      box,
      projectFor: async () => project,
      alerts: new AlertRepo(store.db),
    });
    await service.submit((await service.context(bob))!, { source: USERS[1]!.password }, 'portal');
    assert.deepEqual(
      (await new AlertRepo(store.db).list('active')).filter((a) => a.mailboxId === bob),
      [],
    );
    const [again] = await runMigration(store, project, { progress: silentProgress });
    assert.equal(again!.status, 'done');
  } finally {
    await store.close();
  }
});
