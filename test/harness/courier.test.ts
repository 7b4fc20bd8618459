/**
 * Proves the Courier harness (private mount namespace, nothing global) and pins, against the real server,
 * every Courier-IMAP behaviour the migration engine must handle (Debian 12's courier-imap 5.0.13 with
 * Debian's imapd settings): the exact capabilities and NAMESPACE, the folder names it takes and refuses
 * and with which words, what it does to odd messages, and the commands it lacks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { startCourier, type CourierServer } from './courier.js';
import { imapLogin, listImapMessages, seedImapMessages, type ImapTestServer } from './imap-servers.js';
import { makeMessage } from './messages.js';
import { RawImap, firstLiteral } from './raw-imap.js';
import { groupMembers } from './server-process.js';

// One user per test that leaves odd folders behind, so listings elsewhere stay predictable.
const users = ['alice', 'bob', 'names', 'atoms', 'emoji'].map((u) => ({ user: u, password: `${u}-pw` }));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const HEAD = 'From: a@example.test\r\nSubject: s\r\nDate: Mon, 01 Jan 2024 00:00:00 +0000';
// Courier's answer to every command or syntax it does not know.
const ERROR = 'Error in IMAP command received by server.';

let s: CourierServer;
let server: ImapTestServer;
before(async () => {
  s = await startCourier({ users });
  server = { ...s, kind: 'courier' };
  // Courier answers a wrong password after a compiled-in 5 s pause: start it now, check it last.
  wrongPassword = (async () => {
    const c = await RawImap.connect(s.imapPort);
    const started = Date.now();
    const r = await c.command('LOGIN alice wrong');
    const ms = Date.now() - started;
    await c.close();
    return { tagged: r.tagged, ms };
  })();
  wrongPassword.catch(() => undefined); // awaited by the last test
});
after(() => s.stop());
let wrongPassword: Promise<{ tagged: string; ms: number }>;

const raw = (user = 'alice') => RawImap.login(s.imapPort, user, `${user}-pw`);
const mountsOf = (pid: number | 'self') => readFileSync(`/proc/${pid}/mountinfo`, 'utf8');

void test('capabilities, NAMESPACE, login; its mounts exist only inside its own namespace', async () => {
  const c = await RawImap.connect(s.imapPort);
  const caps =
    'IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE ACL ACL2=UNION ENABLE UTF8=ACCEPT';
  assert.equal(
    c.greeting,
    `* OK [CAPABILITY ${caps}] Courier-IMAP ready. Copyright 1998-2019 Double Precision, Inc.  See COPYING for distribution information.`,
  );
  // No AUTH=PLAIN without TLS (Debian puts it in IMAP_CAPABILITY_TLS): clients use LOGIN.
  assert.equal((await c.command('LOGIN alice alice-pw')).tagged, 't1 OK LOGIN Ok.');
  assert.equal((await c.command('CAPABILITY')).untagged[0]!.toString(), `* CAPABILITY ${caps}\r\n`);
  const ns = await c.command('NAMESPACE');
  assert.equal(
    ns.untagged[0]!.toString(),
    '* NAMESPACE (("INBOX." ".")) NIL (("#shared." ".")("shared." "."))\r\n',
  );
  await c.close();

  const f = await imapLogin(server, 'bob', 'bob-pw');
  assert.deepEqual(f.namespace, { prefix: 'INBOX.', delimiter: '.' });
  assert.deepEqual([...f.enabled], ['UTF8=ACCEPT']); // imapflow enables it: folder names travel as UTF-8
  await f.logout();

  // /etc/courier and /run/courier are bind mounts seen by couriertcpd, not by this process.
  assert.match(mountsOf(s.pid), / \/etc\/courier /);
  assert.match(mountsOf(s.pid), / \/run\/courier /);
  assert.doesNotMatch(mountsOf('self'), /cutover-courier| \/etc\/courier | \/run\/courier /);
});

void test('nested, spaced, emoji and punctuation folders: seeded and read back byte-exact', async () => {
  const date = new Date('2024-02-03T04:05:06Z');
  const a = makeMessage({ subject: 'nested' });
  await seedImapMessages(
    server,
    'bob',
    'bob-pw',
    ['Projects', '2024'],
    [{ raw: a, flags: ['\\Seen', '$Label1'], internalDate: date }],
  );
  for (const name of [' Leading Space', 'Trailing Space ', 'Fun 😀', '50% "off" {now} <a|b> !;\\'])
    await seedImapMessages(server, 'bob', 'bob-pw', [name], [{ raw: a }]);
  const all = await listImapMessages(server, 'bob', 'bob-pw');
  assert.deepEqual(
    all.map((f) => [f.path, f.messages.length]),
    [
      [[' Leading Space'], 1],
      [['50% "off" {now} <a|b> !;\\'], 1],
      [['Fun 😀'], 1],
      [['INBOX'], 0],
      [['Projects'], 0],
      [['Projects', '2024'], 1],
      [['Trailing Space '], 1],
    ],
  );
  for (const f of all) for (const m of f.messages) assert.equal(m.sha256, sha256(a));
  const p = all.find((f) => f.path.join('/') === 'Projects/2024')!.messages[0]!;
  assert.deepEqual(p.flags, ['$Label1', '\\Seen']);
  assert.equal(p.internalDate.getTime(), date.getTime());
});

void test('folder names: takes % " \\ { } ! ; < > | * ~ # ^ and spaces, refuses / and bad modified UTF-7', async () => {
  const c = await raw('names');
  for (const ch of ['%', '"', '\\', '{', '}', '!', ';', '<', '>', '|', '*', '~', '#', '^']) {
    const r = await c.command('CREATE ', { literal: Buffer.from(`INBOX.x${ch}y`) });
    assert.equal(r.status, 'OK', `${ch}: ${r.tagged}`);
  }
  const words = async (cmd: string) => {
    const r = await c.command(cmd);
    return `${r.status} ${r.text}`;
  };
  assert.equal(await words('CREATE "INBOX. Leading Space"'), 'OK "INBOX. Leading Space" created.');
  assert.equal(await words('CREATE "INBOX.Trailing Space "'), 'OK "INBOX.Trailing Space " created.');
  assert.equal(await words('CREATE "INBOX.a/b"'), 'NO Invalid mailbox name.');
  assert.equal(await words('CREATE "INBOX.x&y"'), `NO ${ERROR}`); // '&' must be written "&-"
  assert.equal(await words('CREATE "INBOX.caf&AOk-"'), 'OK "INBOX.caf&AOk-" created.'); // é: fine
  assert.equal(await words('CREATE "INBOX.x%y"'), 'NO Cannot create this folder.'); // exists already
  assert.equal(await words('CREATE INBOX'), 'NO INBOX already exists!');
  assert.equal(await words('CREATE Outside'), 'NO Invalid mailbox name.');
  assert.equal(await words('CREATE "INBOX.A..B"'), 'NO Invalid mailbox name.');
  // A tab is stored and listed as modified UTF-7.
  assert.equal(await words('CREATE "INBOX.tab\there"'), 'OK "INBOX.tab&AAk-here" created.');
  // A trailing separator is "created", but no folder appears.
  assert.equal(await words('CREATE "INBOX.Z."'), 'OK "INBOX.Z." created.');
  assert.deepEqual((await c.command('LIST "" "INBOX.Z*"')).untagged, []);
  // CREATE A.B leaves A \Noselect (Maildir++ has no directory for it) until A is created itself.
  await c.command('CREATE INBOX.Parent.Child');
  const parent = await c.command('LIST "" INBOX.Parent');
  assert.equal(parent.untagged[0]!.toString(), '* LIST (\\Noselect \\HasChildren) "." "INBOX.Parent"\r\n');
  assert.equal(await words('SELECT INBOX.Parent'), 'NO Mailbox does not exist, or must be subscribed to.');
  assert.equal(await words('CREATE INBOX.Parent'), 'OK "INBOX.Parent" created.');
  assert.match(await words('SELECT INBOX.Parent'), /^OK \[READ-WRITE\]/);
  await c.close();
});

void test('a name with } ~ [ or ] sent as an atom (imapflow does for } and ~) is a syntax error or "does not exist"', async () => {
  const c = await raw('atoms');
  for (const n of ['a}b', 'a~b', 'a]b', 'a[b']) {
    assert.equal((await c.command(`CREATE INBOX.${n}`)).text, ERROR, n);
    assert.equal((await c.command(`CREATE "INBOX.${n}"`)).status, 'OK', n);
    assert.equal(
      (await c.command(`STATUS INBOX.${n} (MESSAGES)`)).text,
      'Mailbox does not exist, or must be subscribed to.',
    );
    assert.equal((await c.command(`STATUS "INBOX.${n}" (MESSAGES)`)).status, 'OK', n);
  }
  await c.close();
  // So through imapflow such a folder can be neither created nor opened nor appended to ('[' and ']'
  // it quotes). Cyrus refuses '}' outright and takes '~'; Dovecot takes both.
  const f = await imapLogin(server, 'atoms', 'atoms-pw');
  await assert.rejects(f.mailboxCreate('INBOX.q~r'), { responseText: ERROR });
  await assert.rejects(f.mailboxOpen('INBOX.a}b'), {
    responseText: 'Mailbox does not exist, or must be subscribed to.',
  });
  await assert.rejects(f.append('INBOX.a~b', makeMessage({})), {
    responseText: 'Must create mailbox before append',
  });
  await f.mailboxCreate('INBOX.q]r');
  assert.ok(await f.append('INBOX.q]r', makeMessage({})));
  await f.logout();
});

void test('emoji folders work only with UTF8=ACCEPT: modified UTF-7 is refused, a LIST without it drops the client', async () => {
  const c = await raw('emoji');
  // The emoji as modified UTF-7 (a surrogate pair) is refused; raw UTF-8 without ENABLE is mangled.
  assert.equal((await c.command('CREATE "INBOX.&2D3eAA-"')).text, ERROR);
  const mangled = await c.command('CREATE ', { literal: Buffer.from('INBOX.x😀y') });
  assert.equal(mangled.text, '"INBOX.x&,,D,n,+Y,4A-y" created.');
  await c.close();

  // imapflow (UTF8=ACCEPT enabled) creates and lists it fine...
  const f = await imapLogin(server, 'emoji', 'emoji-pw');
  await f.mailboxCreate('INBOX.Fun 😀');
  assert.ok((await f.list()).some((b) => b.path === 'INBOX.Fun 😀'));
  await f.logout();
  // ...but from then on a client without UTF8=ACCEPT is disconnected by LIST "*".
  const old = await raw('emoji');
  await assert.rejects(old.command('LIST "" "*"'), /connection closed by the server/);
  await old.close();
  assert.match(
    readFileSync(`${s.dir}/courier.log`, 'utf8'),
    /ERR: imap_filename_to_foldername\(INBOX\.Fun 😀\) failed/,
  );
});

void test('messages: keeps empty, headerless and NUL-bearing ones, rewrites bare LF and drops bare CR', async () => {
  const c = await raw('alice');
  await c.command('CREATE INBOX.Odd');
  const append = (literal: Buffer) => c.command('APPEND INBOX.Odd ', { literal });
  const sent = [
    Buffer.alloc(0),
    Buffer.from('just a body\r\n'),
    Buffer.from('From: a@example.test\nSubject: lf\n\nbody\n'),
    Buffer.from(`${HEAD}\r\n\r\na\rb\r\n`, 'latin1'),
    Buffer.from(`${HEAD}\r\n\r\na\0b\r\n`, 'latin1'),
  ];
  for (const m of sent) assert.equal((await append(m)).status, 'OK');
  // Raw 8-bit header bytes: stored unchanged, with an ALERT for the client.
  const eight = Buffer.from(`${HEAD}\r\nX-Test: caf\xc3\xa9 \xe9\r\n\r\nbody\r\n`, 'latin1');
  const r8 = await append(eight);
  assert.equal(r8.status, 'OK');
  assert.deepEqual(r8.untagged.map(String), [
    '* OK [ALERT] Your IMAP client does not appear to correctly implement Unicode messages, see https://tools.ietf.org/html/rfc6855.html\r\n',
  ]);
  await c.command('EXAMINE INBOX.Odd');
  const bodies: Buffer[] = [];
  for (let uid = 1; uid <= 6; uid++) {
    const r = await c.command(`UID FETCH ${uid} (BODY.PEEK[])`);
    bodies.push(firstLiteral(r.untagged[0]!)!);
  }
  assert.deepEqual(bodies, [
    Buffer.from('\r\n'), // an empty APPEND becomes one CRLF
    sent[1],
    Buffer.from('From: a@example.test\r\nSubject: lf\r\n\r\nbody\r\n'),
    Buffer.from(`${HEAD}\r\n\r\nab\r\n`, 'latin1'),
    sent[4], // NUL served as is, in a plain literal
    eight,
  ]);
  // No BINARY: literal8 and BINARY[] are unknown syntax.
  assert.equal((await c.command('UID FETCH 5 (BINARY.PEEK[])')).text, ERROR);
  assert.equal((await c.command('APPEND INBOX ', { literal: sent[4]!, form: 'binary' })).text, ERROR);
  // An APPEND to the folder this session has EXAMINEd is refused (select it read-write, or another).
  assert.equal((await append(sent[1]!)).text, 'Current box is selected READ-ONLY.');
  await c.close();

  // imapflow sends NUL in a plain literal here (no BINARY) and gets it back byte-exact.
  const withNul = Buffer.concat([makeMessage({ subject: 'nul' }), Buffer.from('x\0y\r\n')]);
  await seedImapMessages(server, 'alice', 'alice-pw', ['Nul'], [{ raw: withNul }]);
  const nul = (await listImapMessages(server, 'alice', 'alice-pw')).find((f) => f.path[0] === 'Nul')!;
  assert.equal(nul.messages[0]!.sha256, sha256(withNul));
});

void test('no MULTIAPPEND (half done!), LITERAL+, UNSELECT, MOVE, ID, CONDSTORE, CREATE USE; CLOSE expunges; 150 keywords', async () => {
  const c = await raw('alice');
  await c.command('CREATE INBOX.Cmd');
  const m = makeMessage({});
  // A MULTIAPPEND is refused only after the first message was stored: a retry would duplicate it.
  assert.equal((await c.command('APPEND INBOX.Cmd ', { literal: m }, ' ', { literal: m })).text, ERROR);
  assert.match((await c.command('STATUS INBOX.Cmd (MESSAGES)')).untagged[0]!.toString(), /MESSAGES 1\)/);
  for (let i = 0; i < 3; i++) await c.command('APPEND INBOX.Cmd ', { literal: m });
  await c.command('SELECT INBOX.Cmd');
  assert.equal((await c.command('UID MOVE 1 INBOX')).text, ERROR);
  assert.equal((await c.command('ID NIL')).text, ERROR);
  assert.equal((await c.command('CREATE INBOX.Sent (USE (\\Sent))')).text, ERROR);
  const enable = await c.command('ENABLE CONDSTORE');
  assert.deepEqual([enable.text, enable.untagged.map(String)], ['Options enabled', ['* ENABLED\r\n']]);
  const keywords = Array.from({ length: 150 }, (_, i) => `kw${i}`).join(' ');
  assert.equal((await c.command(`STORE 1 +FLAGS.SILENT (${keywords})`)).status, 'OK');
  await c.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
  assert.equal((await c.command('UNSELECT')).text, ERROR); // still selected afterwards
  assert.equal((await c.command('CLOSE')).text, 'mailbox closed.');
  assert.match((await c.command('STATUS INBOX.Cmd (MESSAGES)')).untagged[0]!.toString(), /MESSAGES 3\)/);
  await c.close();

  // LITERAL+ is not understood: the refusal comes at once and the literal's bytes are read as commands.
  const p = await raw('alice');
  assert.equal((await p.command('APPEND INBOX.Cmd ', { literal: m, form: 'plus' })).text, ERROR);
  await p.close();
});

void test('kill() leaves no process behind; stop() still removes the directory', async () => {
  const k = await startCourier({ users: [{ user: 'carol', password: 'carol-pw' }] });
  const c = await RawImap.login(k.imapPort, 'carol', 'carol-pw'); // an imapd session exists now
  // couriertcpd, authdaemond and its workers, the session.
  assert.ok(groupMembers(k.pid).length >= 4, `${groupMembers(k.pid).length} processes`);
  k.kill();
  for (let i = 0; i < 100 && groupMembers(k.pid).length; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(groupMembers(k.pid), []);
  await c.close().catch(() => undefined);
  await k.stop();
  assert.equal(existsSync(k.dir), false);
});

void test('a wrong password is refused "NO Login failed." after a 5 s pause', async () => {
  const { tagged, ms } = await wrongPassword;
  assert.equal(tagged, 't1 NO Login failed.');
  assert.ok(ms >= 4500, `answered after ${ms} ms`);
});
