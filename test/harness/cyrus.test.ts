/**
 * Proves the Cyrus harness and pins, against the real server, every Cyrus behaviour the migration engine
 * must handle (Debian 12's cyrus-imapd 3.6.1 with Debian's imapd.conf): the exact capabilities and
 * NAMESPACE, the folder names and messages it refuses and with which words, munge8bit, the 100-keyword
 * limit, CLOSE vs UNSELECT, MULTIAPPEND and literal8.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { startCyrus, type CyrusServer } from './cyrus.js';
import { imapLogin, listImapMessages, seedImapMessages, type ImapTestServer } from './imap-servers.js';
import { makeMessage } from './messages.js';
import { RawImap, firstLiteral } from './raw-imap.js';
import { groupMembers } from './server-process.js';

const users = [
  { user: 'alice', password: 'alice-pw' },
  { user: 'bob', password: 'bob-pw' },
];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const HEAD = 'From: a@example.test\r\nSubject: s\r\nDate: Mon, 01 Jan 2024 00:00:00 +0000';

let s: CyrusServer;
let server: ImapTestServer;
before(async () => {
  s = await startCyrus({ users });
  server = { ...s, kind: 'cyrus' };
});
after(() => s.stop());

const raw = (user = 'alice') => RawImap.login(s.imapPort, user, `${user}-pw`);

void test('greets with its capabilities, logs users in, refuses a wrong password', async () => {
  const c = await RawImap.connect(s.imapPort);
  assert.match(
    c.greeting,
    /^\* OK \[CAPABILITY IMAP4rev1 LITERAL\+ ID ENABLE AUTH=PLAIN AUTH=LOGIN SASL-IR\] cutover-cyrus-[0-9a-f]{8} Cyrus IMAP 3\.6\.1-Debian-3\.6\.1-4\+deb12u\d+ server ready$/,
  );
  assert.equal((await c.command('LOGIN alice wrong')).tagged, 't1 NO Login failed: authentication failure');
  assert.equal((await c.command('LOGIN alice alice-pw')).status, 'OK');
  const caps = (await c.command('CAPABILITY')).untagged[0]!.toString();
  assert.equal(
    caps,
    '* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE ACL ANNOTATE-EXPERIMENT-1 BINARY CATENATE CHILDREN CONDSTORE ' +
      'CREATE-SPECIAL-USE ESEARCH ESORT LIST-EXTENDED LIST-MYRIGHTS LIST-STATUS MAILBOX-REFERRALS METADATA MOVE ' +
      'MULTIAPPEND NAMESPACE OBJECTID PREVIEW QRESYNC QUOTA RIGHTS=kxten SAVEDATE SEARCH=FUZZY SORT SORT=DISPLAY ' +
      'SPECIAL-USE STATUS=SIZE THREAD=ORDEREDSUBJECT THREAD=REFERENCES UIDPLUS UNSELECT URLAUTH URLAUTH=BINARY ' +
      'WITHIN DIGEST=SHA1 LIST-METADATA NO_ATOMIC_RENAME SCAN SORT=MODSEQ SORT=UID THREAD=REFS X-CREATEDMODSEQ ' +
      'X-REPLICATION X-SIEVE-MAILBOX XLIST XMOVE LOGINDISABLED COMPRESS=DEFLATE X-QUOTA=STORAGE X-QUOTA=MESSAGE ' +
      'X-QUOTA=X-ANNOTATION-STORAGE X-QUOTA=X-NUM-FOLDERS IDLE APPENDLIMIT=4294967295\r\n',
  );
  // Personal "INBOX." with '.', other users under "user.", shared folders at the root.
  const ns = await c.command('NAMESPACE');
  assert.equal(ns.untagged[0]!.toString(), '* NAMESPACE (("INBOX." ".")) (("user." ".")) (("" "."))\r\n');
  await c.close();

  // imapflow reads the same, and INBOX exists on first login (autocreate_quota: 0).
  const f = await imapLogin(server, 'bob', 'bob-pw');
  assert.deepEqual(f.namespace, { prefix: 'INBOX.', delimiter: '.' });
  assert.deepEqual(
    (await f.list()).map((b) => b.path),
    ['INBOX'],
  );
  await f.logout();
});

void test('nested, spaced and emoji folders: seeded and read back byte-exact', async () => {
  const date = new Date('2024-02-03T04:05:06Z');
  const a = makeMessage({ subject: 'nested' });
  const b = makeMessage({ subject: 'spaced', sizeBytes: 200_000 });
  await seedImapMessages(
    server,
    'alice',
    'alice-pw',
    ['Projects', '2024', 'Q1'],
    [{ raw: a, flags: ['\\Seen', '$Label1'], internalDate: date }],
  );
  for (const name of [' Leading Space', 'Trailing Space ', 'Fun 😀'])
    await seedImapMessages(server, 'alice', 'alice-pw', [name], [{ raw: b }]);
  const all = await listImapMessages(server, 'alice', 'alice-pw');
  assert.deepEqual(
    all.map((f) => [f.path, f.messages.length]),
    [
      [[' Leading Space'], 1],
      [['Fun 😀'], 1],
      [['INBOX'], 0],
      [['Projects'], 0],
      [['Projects', '2024'], 0],
      [['Projects', '2024', 'Q1'], 1],
      [['Trailing Space '], 1],
    ],
  );
  const q1 = all.find((f) => f.path.join('/') === 'Projects/2024/Q1')!.messages[0]!;
  assert.equal(q1.sha256, sha256(a));
  assert.deepEqual(q1.flags, ['$Label1', '\\Seen']);
  assert.equal(q1.internalDate.getTime(), date.getTime());
  assert.equal(all[0]!.messages[0]!.sha256, sha256(b));

  // Without UTF8=ACCEPT (Cyrus has none) the emoji travels as modified UTF-7, surrogates and all.
  const c = await raw();
  const list = await c.command('LIST "" "INBOX.Fun*"');
  assert.equal(list.untagged[0]!.toString(), '* LIST (\\HasNoChildren) "." "INBOX.Fun &2D3eAA-"\r\n');
  await c.close();
});

void test('refuses % " \\ { } ! ; < > | & / TAB and raw 8-bit in folder names: "NO Invalid mailbox name"', async () => {
  const c = await raw();
  for (const ch of ['%', '"', '\\', '{', '}', '!', ';', '<', '>', '|', '&', '/', '\t']) {
    const r = await c.command('CREATE ', { literal: Buffer.from(`INBOX.x${ch}y`) });
    assert.equal(r.tagged.replace(/^\S+ /, ''), 'NO Invalid mailbox name', JSON.stringify(ch));
  }
  // UTF-8 bytes in a name without UTF8=ACCEPT (a client that does not encode to modified UTF-7).
  const utf8 = await c.command('CREATE ', { literal: Buffer.from('INBOX.x😀y') });
  assert.equal(utf8.text, 'Invalid mailbox name');
  for (const ch of ['*', '~', '#', '^']) {
    const r = await c.command('CREATE ', { literal: Buffer.from(`INBOX.ok${ch}`) });
    assert.equal(r.status, 'OK', `${ch}: ${r.tagged}`);
  }
  assert.equal((await c.command('CREATE Outside')).text, 'Permission denied'); // outside INBOX.
  assert.equal((await c.command('CREATE INBOX.ok*')).text, 'Mailbox already exists');
  await c.close();

  // What the engine sees through imapflow.
  const f = await imapLogin(server, 'alice', 'alice-pw');
  await assert.rejects(
    f.mailboxCreate('INBOX.50% off'),
    (e: { responseStatus?: string; responseText?: string }) => {
      assert.equal(e.responseStatus, 'NO');
      assert.equal(e.responseText, 'Invalid mailbox name');
      return true;
    },
  );
  await f.logout();
});

void test('refuses empty messages, no header section, bare LF and NUL in a plain literal; literal8 NUL is kept', async () => {
  const c = await raw('bob');
  const append = (literal: Buffer, form?: 'binary') => c.command('APPEND INBOX ', { literal, form });
  assert.equal((await append(Buffer.alloc(0))).text, 'Zero-length message literal');
  const noHeader = await append(Buffer.from('just a body\r\n'));
  assert.equal(noHeader.text, 'Message contains invalid header');
  // Cyrus stops reading at the bad header and then takes the command's final CRLF for a command.
  assert.deepEqual(noHeader.untagged.map(String), ['* BAD Invalid tag\r\n']);
  assert.equal(
    (await append(Buffer.from('From: a@example.test\nSubject: lf\n\nbody\n'))).text,
    'Message contains bare newlines',
  );
  const nul = Buffer.from(`${HEAD}\r\n\r\na\0b\r\n`, 'latin1');
  assert.equal((await append(nul)).text, 'Message contains NUL characters');
  // An empty header section is a header section; a bare CR in the body is kept.
  assert.equal((await append(Buffer.from('\r\nbody only\r\n'))).status, 'OK');
  const bareCr = Buffer.from(`${HEAD}\r\n\r\na\rb\r\n`, 'latin1');
  assert.equal((await append(bareCr)).status, 'OK');
  // RFC 3516 literal8: NUL accepted, and served back as literal8 in both BODY[] and BINARY[].
  assert.match((await append(nul, 'binary')).tagged, /^\S+ OK \[APPENDUID \d+ 3\] Completed$/);
  await c.command('EXAMINE INBOX');
  const body = await c.command('UID FETCH 3 (BODY.PEEK[])');
  assert.match(body.untagged[0]!.toString('latin1'), /BODY\[\] ~\{80\}\r\n/);
  assert.deepEqual(firstLiteral(body.untagged[0]!), nul);
  const binary = await c.command('UID FETCH 3 (BINARY.PEEK[])');
  assert.match(binary.untagged[0]!.toString('latin1'), /BINARY\[\] ~\{80\}\r\n/);
  assert.deepEqual(firstLiteral(binary.untagged[0]!), nul);
  const cr = await c.command('UID FETCH 2 (BODY.PEEK[])');
  assert.deepEqual(firstLiteral(cr.untagged[0]!), bareCr);
  await c.close();

  // imapflow sends a NUL-bearing message as literal8 by itself (BINARY) and reads it back intact.
  const f = await imapLogin(server, 'bob', 'bob-pw');
  const withNul = Buffer.concat([makeMessage({ subject: 'nul' }), Buffer.from('x\0y\r\n')]);
  const res = await f.append('INBOX', withNul);
  assert.ok(res && res.uid === 4);
  await assert.rejects(f.append('INBOX', Buffer.alloc(0)), { responseText: 'Zero-length message literal' });
  const lock = await f.getMailboxLock('INBOX');
  try {
    const m = await f.fetchOne('4', { source: true }, { uid: true });
    assert.ok(m && m.source && m.source.equals(withNul));
  } finally {
    lock.release();
  }
  await f.logout();
});

void test('munge8bit: yes (Debian default) turns each raw 8-bit header byte into X, keeps body bytes', async () => {
  const msg = Buffer.from(`${HEAD}\r\nX-Test: caf\xc3\xa9 \xe9\r\n\r\ncaf\xc3\xa9\r\n`, 'latin1');
  await seedImapMessages(server, 'alice', 'alice-pw', ['Munge'], [{ raw: msg }]);
  const [m] = (await listImapMessages(server, 'alice', 'alice-pw')).find(
    (f) => f.path[0] === 'Munge',
  )!.messages;
  const expected = Buffer.from(`${HEAD}\r\nX-Test: cafXX X\r\n\r\ncaf\xc3\xa9\r\n`, 'latin1');
  assert.equal(m!.size, msg.length);
  assert.equal(m!.sha256, sha256(expected));
});

void test('100 keywords per folder: the 101st is refused "NO Too many user flags in mailbox"', async () => {
  await seedImapMessages(server, 'alice', 'alice-pw', ['Keywords'], [{ raw: makeMessage({}) }]);
  await seedImapMessages(server, 'alice', 'alice-pw', ['Other'], [{ raw: makeMessage({}) }]);
  const c = await raw();
  await c.command('SELECT INBOX.Keywords');
  const hundred = Array.from({ length: 100 }, (_, i) => `kw${i}`).join(' ');
  assert.equal((await c.command(`STORE 1 +FLAGS.SILENT (${hundred})`)).status, 'OK');
  const refused = await c.command('STORE 1 +FLAGS.SILENT (kw100)');
  assert.equal(`${refused.status} ${refused.text}`, 'NO Too many user flags in mailbox');
  // APPEND with a new keyword is refused the same way; a known one is fine.
  const add = (kw: string) => c.command(`APPEND INBOX.Keywords (${kw}) `, { literal: makeMessage({}) });
  assert.equal((await add('brandnew')).text, 'Too many user flags in mailbox');
  assert.equal((await add('kw42')).status, 'OK');
  // The limit is per folder.
  await c.command('SELECT INBOX.Other');
  assert.equal((await c.command('STORE 1 +FLAGS.SILENT (kw100)')).status, 'OK');
  await c.close();

  // imapflow reports the refusal as `false`, not as an error (docs/pitfalls.md): the engine must check it.
  const f = await imapLogin(server, 'alice', 'alice-pw');
  await f.mailboxOpen('INBOX.Keywords');
  assert.equal(await f.messageFlagsAdd('1', ['another']), false);
  await f.logout();
});

void test('CLOSE expunges \\Deleted, UNSELECT does not; MULTIAPPEND, LITERAL+, SPECIAL-USE and MOVE work', async () => {
  const c = await raw('bob');
  await c.command('CREATE INBOX.Del');
  const two = await c.command('APPEND INBOX.Del ', { literal: makeMessage({}) }, ' ', {
    literal: makeMessage({}),
  });
  assert.match(two.tagged, /OK \[APPENDUID \d+ 1:2\] Completed$/);
  assert.equal(
    (await c.command('APPEND INBOX.Del ', { literal: makeMessage({}), form: 'plus' })).status,
    'OK',
  );
  await c.command('SELECT INBOX.Del');
  await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
  assert.equal((await c.command('UNSELECT')).status, 'OK');
  assert.match((await c.command('STATUS INBOX.Del (MESSAGES)')).untagged[0]!.toString(), /MESSAGES 3\)/);
  await c.command('SELECT INBOX.Del');
  assert.equal((await c.command('CLOSE')).status, 'OK');
  assert.match((await c.command('STATUS INBOX.Del (MESSAGES)')).untagged[0]!.toString(), /MESSAGES 2\)/);
  // CREATE A.B makes A a real, selectable mailbox (Courier and Dovecot leave it \Noselect).
  await c.command('CREATE INBOX.Parent.Child');
  assert.equal((await c.command('SELECT INBOX.Parent')).status, 'OK');
  assert.equal((await c.command('CREATE INBOX.Parent')).text, 'Mailbox already exists');
  // SPECIAL-USE with CREATE-SPECIAL-USE: the use is kept and listed.
  assert.equal((await c.command('CREATE INBOX.Sent (USE (\\Sent))')).status, 'OK');
  const sent = await c.command('LIST "" INBOX.Sent');
  assert.equal(sent.untagged[0]!.toString(), '* LIST (\\HasNoChildren \\Sent) "." INBOX.Sent\r\n');
  await c.command('SELECT INBOX.Del');
  const moved = await c.command('MOVE 1 INBOX.Parent');
  assert.equal(moved.status, 'OK');
  assert.match(moved.untagged[0]!.toString(), /^\* OK \[COPYUID \d+ 2 1\] Completed\r\n$/);
  await c.close();
});

void test('kill() leaves no process behind; stop() still removes the directory', async () => {
  const k = await startCyrus({ users: [{ user: 'carol', password: 'carol-pw' }] });
  const c = await RawImap.login(k.imapPort, 'carol', 'carol-pw'); // an imapd child exists now
  assert.ok(groupMembers(k.pid).length >= 2);
  k.kill();
  for (let i = 0; i < 100 && groupMembers(k.pid).length; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(groupMembers(k.pid), []);
  await c.close().catch(() => undefined);
  await k.stop();
  assert.equal(existsSync(k.dir), false);
});
