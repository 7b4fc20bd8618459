/** Proves the Dovecot harness: both layouts, master login, byte-exact listing, APPENDLIMIT, clean stop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { ImapFlow } from 'imapflow';
import { listAll, seedMessages, startDovecot, type DovecotServer } from './dovecot.js';
import { makeMessage } from './messages.js';

const users = [
  { user: 'alice', password: 'alice-pw' },
  { user: 'bob', password: 'bob-pw' },
];
const masterUser = { user: 'admin', password: 'admin-pw' };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function login(
  s: DovecotServer,
  auth: { user: string; pass: string; authzid?: string },
): Promise<ImapFlow> {
  const client = new ImapFlow({ host: s.host, port: s.imapPort, secure: false, auth, logger: false });
  client.on('error', () => undefined);
  // imapflow leaves the socket open after a failed login; an open connection slows Dovecot's shutdown.
  await client.connect().catch((err: unknown) => {
    client.close();
    throw err;
  });
  return client;
}

/** PIDs whose parent is `pid` (Linux). */
function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function pidGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z'; // a zombie has exited, only not yet been reaped
  } catch {
    return true;
  }
}

void test('maildir++: user and master logins, dotted folder names, byte-exact listAll, clean stop', async () => {
  const s = await startDovecot({ users, masterUser });
  try {
    assert.equal(s.delimiter, '/');
    const alice = await login(s, { user: 'alice', pass: 'alice-pw' });
    assert.ok(alice.authenticated);
    await alice.logout();
    await assert.rejects(login(s, { user: 'alice', pass: 'wrong' }));

    const raw = makeMessage({ subject: 'dotted', messageId: '<dotted@cutover.test>' });
    const date = new Date('2024-02-03T04:05:06Z');
    await seedMessages(s, 'alice', 'alice-pw', 'Projects/v1.2 release', [
      { raw, flags: ['\\Seen', '$Label1'], internalDate: date },
    ]);
    // listescape stores the '.' escaped on disk; the folder is still a child of Projects.
    assert.ok(existsSync(`${s.mailDir('alice')}/.Projects.v1\\2e2 release/cur`));

    // Master user, both as "alice*admin" and as SASL PLAIN with authzid, sees alice's mailbox.
    for (const auth of [
      { user: 'alice*admin', pass: 'admin-pw' },
      { user: 'admin', pass: 'admin-pw', authzid: 'alice' },
    ]) {
      const c = await login(s, auth);
      const st = await c.status('Projects/v1.2 release', { messages: true });
      assert.equal(st && st.messages, 1, JSON.stringify(auth));
      await c.logout();
    }

    const all = await listAll(s, 'alice', 'alice-pw');
    assert.deepEqual(
      all.map((f) => f.path),
      ['INBOX', 'Projects/v1.2 release'],
    );
    const [msg] = all[1]!.messages;
    assert.equal(msg!.sha256, sha256(raw));
    assert.equal(msg!.size, raw.length);
    assert.deepEqual(msg!.flags, ['$Label1', '\\Seen']);
    assert.equal(msg!.internalDate.getTime(), date.getTime());
    assert.deepEqual(await listAll(s, 'bob', 'bob-pw'), [{ path: 'INBOX', messages: [] }]);
  } finally {
    const pid = s.pid;
    const kids = childPids(pid);
    assert.ok(kids.length > 0, 'Dovecot master has service children');
    await s.stop();
    assert.ok(pidGone(pid), 'master exited');
    assert.deepEqual(
      kids.filter((k) => !pidGone(k)),
      [],
      'no Dovecot child left',
    );
    assert.equal(existsSync(s.dir), false, 'temp dir removed');
  }
});

void test('fs layout: A/B folder, 1 MB message, POP3 greeting', async () => {
  const s = await startDovecot({ layout: 'fs', users });
  try {
    assert.equal(s.delimiter, '/');
    const raw = makeMessage({ sizeBytes: 1_000_000, messageId: null });
    assert.equal(raw.length, 1_000_000);
    await seedMessages(s, 'bob', 'bob-pw', 'A/B', [{ raw }]);
    assert.ok(existsSync(`${s.mailDir('bob')}/A/B/cur`));
    const all = await listAll(s, 'bob', 'bob-pw');
    const ab = all.find((f) => f.path === 'A/B');
    assert.equal(ab?.messages[0]?.sha256, sha256(raw));

    const greeting = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(s.pop3Port, s.host);
      sock.once('data', (d: Buffer) => (sock.destroy(), resolve(d.toString())));
      sock.on('error', reject);
    });
    assert.match(greeting, /^\+OK/);
  } finally {
    await s.stop();
  }
});

void test("'.' delimiter on maildir++ (stock Debian) keeps '/' inside a name", async () => {
  const s = await startDovecot({ users, delimiter: '.' });
  try {
    await seedMessages(s, 'alice', 'alice-pw', 'Archive.2023/24', [{ raw: makeMessage({}) }]);
    const all = await listAll(s, 'alice', 'alice-pw');
    assert.deepEqual(
      all.map((f) => [f.path, f.messages.length]),
      [
        ['Archive.2023/24', 1],
        ['INBOX', 0],
      ],
    );
  } finally {
    await s.stop();
  }
});

void test('maxMailSize advertises APPENDLIMIT and the server rejects bigger APPENDs; quotaBytes adds QUOTA', async () => {
  const s = await startDovecot({ users, maxMailSize: 100_000, quotaBytes: 10_000_000 });
  try {
    const c = await login(s, { user: 'alice', pass: 'alice-pw' });
    assert.equal(c.capabilities.get('APPENDLIMIT'), 100_000);
    assert.ok(c.capabilities.has('QUOTA'));
    assert.ok(await c.append('INBOX', makeMessage({ sizeBytes: 100_000 })));
    // Hide the capability so imapflow sends the APPEND instead of refusing it client-side.
    c.capabilities.delete('APPENDLIMIT');
    await assert.rejects(
      c.append('INBOX', makeMessage({ sizeBytes: 100_001 })),
      (e: { serverResponseCode?: string }) => e.serverResponseCode === 'LIMIT',
    );
    const q = await c.getQuota('INBOX');
    // IMAP QUOTA counts KiB, so the reported limit is quotaBytes rounded up to a whole KiB.
    assert.ok(q && q.storage?.limit === Math.ceil(10_000_000 / 1024) * 1024, JSON.stringify(q));
    await c.logout();
  } finally {
    await s.stop();
  }
});

void test('kill() leaves no process behind', async () => {
  const s = await startDovecot({ users });
  const kids = childPids(s.pid);
  s.kill();
  for (let i = 0; i < 40 && ![s.pid, ...kids].every(pidGone); i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    [s.pid, ...kids].filter((p) => !pidGone(p)),
    [],
  );
  await s.stop(); // still removes the directory
  assert.equal(existsSync(s.dir), false);
});

void test('makeMessage pads to an exact size with CRLF-only lines, 30 MB quickly', () => {
  const started = Date.now();
  const big = makeMessage({ sizeBytes: 30 * 1024 * 1024 });
  assert.equal(big.length, 30 * 1024 * 1024);
  assert.ok(Date.now() - started < 2000);
  for (let extra = 0; extra < 160; extra++) {
    const size = makeMessage({ messageId: '<m@cutover.test>' }).length + extra;
    const text = makeMessage({ messageId: '<m@cutover.test>', sizeBytes: size }).toString('latin1');
    assert.equal(text.length, size);
    assert.doesNotMatch(text, /\r(?!\n)|(?<!\r)\n/, `bare CR or LF at ${size}`);
  }
  assert.doesNotMatch(makeMessage({ messageId: null }).toString(), /^Message-ID:/im);
});
