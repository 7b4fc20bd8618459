/**
 * The uniform face over Dovecot, Cyrus and Courier: each starts fast and several times at once, reports
 * the namespace imapflow reads from it, and seeds and lists the same relative folders with the same bytes,
 * so the integration tests can compare a migration's two ends across dialects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  IMAP_SERVER_KINDS,
  imapLogin,
  listImapMessages,
  seedImapMessages,
  serverPath,
  startImapServer,
  type ImapTestServer,
} from './imap-servers.js';
import { makeMessage } from './messages.js';
import { groupMembers, listensOn, readGreeting } from './server-process.js';

const users = [
  { user: 'ann', password: 'ann-pw' },
  { user: 'ben', password: 'ben-pw' },
];
const date = new Date('2023-05-06T07:08:09Z');
const messages = {
  inbox: makeMessage({ subject: 'hello', messageId: '<inbox@cutover.test>', date }),
  nested: makeMessage({ subject: 'nested', messageId: '<nested@cutover.test>', date, sizeBytes: 50_000 }),
};

async function seed(s: ImapTestServer): Promise<void> {
  await seedImapMessages(
    s,
    'ann',
    'ann-pw',
    ['INBOX'],
    [{ raw: messages.inbox, flags: ['\\Seen'], internalDate: date }],
  );
  await seedImapMessages(
    s,
    'ann',
    'ann-pw',
    ['Archive', '2023', 'Q2 report'],
    [{ raw: messages.nested, flags: ['\\Flagged', '$Work'], internalDate: date }],
  );
}

const listings = new Map<string, unknown>();

for (const kind of IMAP_SERVER_KINDS) {
  void test(`${kind}: two at once, namespace as imapflow reads it, seed and list, clean stop`, async () => {
    await startImapServer(kind, { users }).then((s) => s.stop()); // installs on a fresh machine
    const started = Date.now();
    const [a, b] = await Promise.all([startImapServer(kind, { users }), startImapServer(kind, { users })]);
    const took = Date.now() - started;
    try {
      assert.ok(took < 5000, `two ${kind} servers took ${took} ms to start`);
      assert.notEqual(a.imapPort, b.imapPort);
      assert.notEqual(a.dir, b.dir);
      // Each master holds its own listening socket and not the other's (how a start spots a stolen port).
      assert.ok(listensOn(a.pid, a.imapPort) && listensOn(b.pid, b.imapPort));
      assert.ok(!listensOn(a.pid, b.imapPort));
      assert.equal(a.kind, kind);

      const c = await imapLogin(a, 'ben', 'ben-pw');
      assert.deepEqual(c.namespace, { prefix: a.namespacePrefix, delimiter: a.delimiter });
      await c.logout();
      assert.equal(serverPath(a, ['Archive', '2023']), `${a.namespacePrefix}Archive${a.delimiter}2023`);
      assert.equal(serverPath(a, ['INBOX']), 'INBOX');
      assert.throws(() => serverPath(a, [`x${a.delimiter}y`]), /cannot exist/);

      await seed(a);
      const listed = await listImapMessages(a, 'ann', 'ann-pw');
      assert.deepEqual(
        listed.map((f) => [f.path, f.messages.length]),
        [
          [['Archive'], 0],
          [['Archive', '2023'], 0],
          [['Archive', '2023', 'Q2 report'], 1],
          [['INBOX'], 1],
        ],
      );
      // The other instance is separate: nothing seeded there.
      assert.deepEqual(await listImapMessages(b, 'ann', 'ann-pw'), [{ path: ['INBOX'], messages: [] }]);
      listings.set(
        kind,
        listed.map((f) => ({ path: f.path, messages: f.messages.map(({ uid: _uid, ...m }) => m) })),
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const s of [a, b]) {
      assert.equal(existsSync(s.dir), false);
      assert.equal(await readGreeting(s.imapPort), undefined, `${kind} still answers on ${s.imapPort}`);
    }
  });
}

void test('the same seed lists identically on all three: bytes, flags, dates, relative paths', () => {
  assert.equal(listings.size, IMAP_SERVER_KINDS.length, 'every server test ran');
  const [first, ...rest] = [...listings.values()];
  for (const other of rest) assert.deepEqual(other, first);
});

void test('a test process killed outright (no exit handler) leaves nothing once the next server starts', async () => {
  const harness = fileURLToPath(new URL('./imap-servers.ts', import.meta.url));
  for (const kind of ['cyrus', 'courier'] as const) {
    const code = `import { startImapServer } from ${JSON.stringify(harness)};
      const s = await startImapServer('${kind}', { users: [{ user: 'x', password: 'y' }] });
      console.log(JSON.stringify({ pid: s.pid, dir: s.dir }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('exit', (c) => reject(new Error(`child exited (${c}) before starting ${kind}`)));
    });
    const orphan = JSON.parse(line) as { pid: number; dir: string };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(groupMembers(orphan.pid).length > 0, `${kind} outlived its test process`);
    const next = await startImapServer(kind, { users });
    await next.stop();
    assert.deepEqual(groupMembers(orphan.pid), [], `${kind} left running`);
    assert.equal(existsSync(orphan.dir), false);
  }
});
