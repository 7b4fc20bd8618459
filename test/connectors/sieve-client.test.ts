/**
 * ManageSieve against real Pigeonhole (Dovecot 2.3 + dovecot-managesieved, started by the harness on
 * loopback): A has every default extension and '/' as delimiter; B lacks imap4flags, takes scripts up to
 * 100 kB and uses '.'. Scripts go both ways byte-exact (CRLF, LF, no final newline, 40 KB, a name with
 * spaces and non-ASCII) with the active one kept active; B refuses a script needing imap4flags, or too
 * large, in its own words; STARTTLS, wrong passwords, master logins; rules read from A and written to B as
 * `cutover-migrated` (a rerun changes nothing, an active script of the user's is never replaced); the IMAP
 * connector finds the same filters at its sievePort.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AuthSpec, ServerSpec } from '../../src/config/types.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { CutoverError, ErrorCode, PermanentError } from '../../src/errors.js';
import type { FilterEndpoint } from '../../src/connectors/filters-contract.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';

const alice = { user: 'alice', password: 'alice-pw' };
const bob = { user: 'bob', password: 'bob-pw' };
const admin = { user: 'admin', password: 'admin-pw' };

let a: DovecotServer;
let b: DovecotServer;
const opened: FilterEndpoint[] = [];

before(async () => {
  [a, b] = await Promise.all([
    startDovecot({ users: [alice, bob], masterUser: admin, sieve: {} }),
    startDovecot({
      users: [alice, bob],
      delimiter: '.',
      sieve: { extensions: '-imap4flags', maxScriptSize: 100_000 },
    }),
  ]);
});
after(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close().catch(() => undefined)));
  await Promise.all([a?.stop(), b?.stop()]);
});

/** sieve://USER:PASS@127.0.0.1:PORT, as the command line would give it. */
function sieveUrl(s: DovecotServer, u: { user: string; password: string }, query = '') {
  return parseServerUrl(`sieve://${u.user}:${u.password}@127.0.0.1:${s.sievePort}${query}`);
}

async function open(s: DovecotServer, u = alice, query = ''): Promise<FilterEndpoint> {
  const { server, auth } = sieveUrl(s, u, query);
  const e = await connectorFor('sieve').openFilters!(server, auth);
  opened.push(e);
  return e;
}

async function rejects(p: Promise<unknown>): Promise<CutoverError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CutoverError, `expected a CutoverError, got ${String(err)}`);
    return err;
  }
  return assert.fail('expected a failure');
}

/** Copy every script from one endpoint to another, keeping the active one active (what the engine will do). */
async function copyScripts(from: FilterEndpoint, to: FilterEndpoint): Promise<void> {
  for (const s of await from.listScripts!()) {
    await to.putScript!(s.name, await from.readScript!(s.name));
    if (s.active) await to.activateScript!(s.name);
  }
}

const big = Buffer.from(
  `require "fileinto";\r\n${Array.from(
    { length: 700 },
    (_, i) =>
      `if header :contains "subject" "ticket-${String(i).padStart(4, '0')}" { fileinto "Tickets"; }\r\n`,
  ).join('')}`,
);

const scripts: Record<string, Buffer> = {
  crlf: Buffer.from('require "fileinto";\r\nif size :over 1M {\r\n  fileinto "Big";\r\n}\r\n'),
  'lf and no final newline': Buffer.from('# plain LF\nkeep;'),
  'Filter für Ärger ✓ "quoted" \\': Buffer.from('require ["fileinto"];\r\nfileinto "Ärger/Süß";\r\n'),
  forty: big,
};

describe('ManageSieve client and endpoint (Pigeonhole)', () => {
  test('scripts go A → B → A byte-exact, the active one stays active; a 40 KB script and a Unicode name', async () => {
    assert.ok(big.length > 40_000);
    const srcA = await open(a);
    assert.equal(srcA.capabilities.scripts, true);
    assert.ok(srcA.capabilities.sieveExtensions?.includes('imap4flags'));
    for (const [name, content] of Object.entries(scripts)) await srcA.putScript!(name, content);
    await srcA.activateScript!('Filter für Ärger ✓ "quoted" \\');
    const listed = await srcA.listScripts!();
    assert.deepEqual(
      listed.map((s) => [s.name, s.active]).sort(),
      Object.keys(scripts)
        .map((n) => [n, n.startsWith('Filter')])
        .sort(),
    );
    for (const [name, content] of Object.entries(scripts))
      assert.deepEqual(await srcA.readScript!(name), content);

    const dstB = await open(b, alice, '?delimiter=.');
    assert.equal(dstB.capabilities.sieveExtensions?.includes('imap4flags'), false);
    await copyScripts(srcA, dstB);
    for (const [name, content] of Object.entries(scripts))
      assert.deepEqual(await dstB.readScript!(name), content);
    assert.equal((await dstB.listScripts!()).find((s) => s.active)?.name, 'Filter für Ärger ✓ "quoted" \\');

    // And back, into another mailbox of A.
    const backA = await open(a, bob);
    await copyScripts(dstB, backA);
    for (const [name, content] of Object.entries(scripts))
      assert.deepEqual(await backA.readScript!(name), content);
    await backA.activateScript!(null);
    assert.equal(
      (await backA.listScripts!()).some((s) => s.active),
      false,
    );
  });

  test('a script needing an extension the destination lacks is refused in its words, never dropped', async () => {
    const dstB = await open(b);
    const flags = Buffer.from('require "imap4flags";\r\naddflag "\\\\Flagged";\r\n');
    const err = await rejects(dstB.putScript!('flags', flags));
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, ErrorCode.MessageRejected);
    assert.match(err.message, /the destination refused script 'flags': .*imap4flags/s);
    assert.match(err.hint ?? '', /extension/);
    assert.equal(
      (await dstB.listScripts!()).some((s) => s.name === 'flags'),
      false,
    );
    // The same rule through writeRules: untranslated up front, since B says it lacks imap4flags.
    const results = await dstB.writeRules({
      rules: [
        {
          name: 'star',
          enabled: true,
          conditions: [],
          exceptions: [],
          actions: [{ kind: 'flag' }],
          stop: false,
          original: '',
        },
      ],
      untranslated: [],
    });
    assert.deepEqual(
      results.map((r) => [r.name, r.outcome]),
      [['star', 'untranslated']],
    );
    assert.match(results[0]!.detail!, /imap4flags/);
  });

  test('a wrong password says so with a hint; a master login acts for the mailbox', async () => {
    const { server, auth } = sieveUrl(a, { user: 'alice', password: 'wrong' });
    const err = await rejects(connectorFor('sieve').openFilters!(server, auth));
    assert.equal(err.code, ErrorCode.AuthFailed);
    assert.match(err.message, /alice on sieve 127\.0\.0\.1:\d+: login refused — wrong user name or password/);
    assert.match(err.hint ?? '', /Check the login and password/);

    const master: AuthSpec = {
      kind: 'master',
      user: 'alice',
      masterUser: 'admin',
      password: { value: 'admin-pw' },
    };
    const e = await connectorFor('sieve').openFilters!(server, master);
    opened.push(e);
    assert.ok((await e.listScripts!()).some((s) => s.name === 'forty'));
  });

  test('rules: read from the active script, written as cutover-migrated, a rerun writes nothing', async () => {
    const srcA = await open(a);
    const roundcube = [
      'require ["fileinto","copy","vacation"];',
      '# rule:[Lists]',
      'if header :contains "list-id" "dev.example.org"',
      '{',
      '\tfileinto "Lists/Dev Ünïcode";',
      '\tstop;',
      '}',
      '# rule:[Keep boss]',
      'if address :is "from" "boss@example.com"',
      '{',
      '\tredirect :copy "me@example.org";',
      '}',
      'vacation :days 3 :subject "Away" "Back on Monday.";',
      '',
    ].join('\r\n');
    await srcA.putScript!('roundcube', Buffer.from(roundcube));
    await srcA.activateScript!('roundcube');
    const set = await srcA.readRules();
    assert.deepEqual(
      set.rules.map((r) => r.name),
      ['Lists', 'Keep boss'],
    );
    assert.deepEqual(set.rules[0]!.actions, [{ kind: 'move', folder: ['Lists', 'Dev Ünïcode'] }]);
    assert.equal(set.vacation?.body, 'Back on Monday.');
    // The inactive scripts are named, not read as rules.
    assert.ok(set.untranslated.some((u) => u.name === 'forty' && u.reason === 'not active at the source'));

    const dst = await open(b, bob, '?delimiter=.');
    const first = await dst.writeRules(set);
    assert.deepEqual(
      first.map((r) => [r.name, r.outcome]),
      [
        ['Lists', 'written'],
        ['Keep boss', 'written'],
        ['vacation reply', 'written'],
      ],
    );
    assert.deepEqual(await dst.listScripts!(), [{ name: 'cutover-migrated', active: true }]);
    const stored = (await dst.readScript!('cutover-migrated')).toString('utf8');
    assert.match(stored, /fileinto "Lists\.Dev Ünïcode";/);
    assert.equal(dst.folderName!(['Lists', 'Dev Ünïcode']), 'Lists.Dev Ünïcode');
    const again = await dst.writeRules(set);
    assert.deepEqual(
      again.map((r) => r.outcome),
      ['unchanged', 'unchanged', 'unchanged'],
    );

    // Alice on B has an active script of her own (copied above): the generated one is stored, not activated.
    const aliceB = await open(b, alice, '?delimiter=.');
    const results = await aliceB.writeRules(set);
    assert.ok(results.every((r) => r.outcome === 'written'));
    assert.match(results[0]!.detail!, /not active: the mailbox's active script is 'Filter für Ärger/);
    assert.equal((await aliceB.listScripts!()).find((s) => s.active)?.name, 'Filter für Ärger ✓ "quoted" \\');
  });

  test('the IMAP connector opens the same filters at imap.sievePort, naming folders as IMAP does', async () => {
    const server: ServerSpec = {
      kind: 'imap',
      host: '127.0.0.1',
      port: b.imapPort,
      tls: 'none',
      allowInvalidCertificates: false,
      maxConnections: 4,
    };
    const auth: AuthSpec = { kind: 'password', user: 'bob', password: { value: 'bob-pw' } };
    const imap = connectorFor('imap');
    assert.deepEqual(imap.items, ['mail', 'filters']);
    const missing = await rejects(imap.openFilters!(server, auth));
    assert.equal(missing.code, ErrorCode.NotConfigured);
    assert.match(missing.hint ?? '', /sievePort: 4190/);

    const e = await imap.openFilters!({ ...server, imap: { sievePort: b.sievePort } }, auth);
    opened.push(e);
    assert.equal(e.folderName!(['Lists', 'Dev']), 'Lists.Dev');
    assert.deepEqual(await e.listScripts!(), [{ name: 'cutover-migrated', active: true }]);
    const renamed = e.rewriteFolders!(await e.readScript!('cutover-migrated'), (p) =>
      p[0] === 'Lists' ? `Archive.${p.slice(1).join('.')}` : undefined,
    );
    assert.equal(renamed.renamed, 1);
    assert.match(renamed.content.toString('utf8'), /fileinto "Archive\.Dev Ünïcode";/);
  });

  test('STARTTLS when offered (capabilities read again over TLS); require-tls=1 refuses a server without it', async () => {
    const c = await startDovecot({ users: [alice], tls: true, sieve: {} });
    try {
      const { server, auth } = sieveUrl(c, alice, '?insecure=1');
      const report = await connectorFor('sieve').testLogin(server, auth);
      assert.ok(report.capabilities.includes('(TLS)'), report.capabilities.join(' '));
      // Dovecot lists STARTTLS only before TLS is up: these are the capabilities re-issued over TLS.
      assert.ok(!report.capabilities.includes('STARTTLS'));
      const untrusted = sieveUrl(c, alice);
      const err = await rejects(connectorFor('sieve').testLogin(untrusted.server, untrusted.auth));
      assert.equal(err.code, ErrorCode.TlsFailed);
    } finally {
      await c.stop();
    }
    const plain = sieveUrl(a, alice, '?require-tls=1');
    const err = await rejects(connectorFor('sieve').testLogin(plain.server, plain.auth));
    assert.equal(err.code, ErrorCode.TlsFailed);
    assert.match(err.message, /does not offer STARTTLS, and TLS was asked for/);
  });

  test('the sieve kind tests a login with its capabilities and refuses to move mail', async () => {
    const { server, auth } = sieveUrl(a, alice);
    const sieve = connectorFor('sieve');
    const report = await sieve.testLogin(server, auth);
    assert.ok(report.capabilities.some((c) => c.startsWith('SIEVE=') && c.includes('fileinto')));
    assert.ok(report.capabilities.includes('VERSION=1.0'));
    assert.equal(report.folders, Object.keys(scripts).length + 1);
    const err = await rejects(sieve.openSource(server, auth));
    assert.match(err.message, /ManageSieve moves filters only/);
    assert.match(err.hint ?? '', /--items filters/);
    // Nothing listening: refused, with the usual port in the hint.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const closed = parseServerUrl(`sieve://alice:pw@127.0.0.1:${port}`);
    const refused = await rejects(sieve.testLogin(closed.server, closed.auth));
    assert.equal(refused.code, ErrorCode.ConnectionRefused);
    assert.match(refused.hint ?? '', /4190/);
  });
});
