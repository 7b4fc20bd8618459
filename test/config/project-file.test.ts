import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { loadProjectFile, parseProjectFile } from '../../src/config/project-file.js';

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};

const MINIMAL = 'source: { host: old.example.com }\ndestination: { host: new.example.com, tls: starttls }\n';

describe('parseProjectFile', () => {
  it('refuses a kind of the one-off form only (mbox, file), saying to use that form', () => {
    for (const kind of ['mbox', 'file']) {
      const text = `source: { kind: ${kind}, host: x }\ndestination: { host: new.example.com }\n`;
      const { problems } = parseProjectFile(text, '/etc/acme.yaml', noFiles);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(
        problems[0]!.message,
        new RegExp(`source.kind ${kind}: .* works only in the one-off form`),
      );
      assert.match(problems[0]!.hint, /one-off form/);
    }
  });
  it('applies defaults to a minimal file', () => {
    const { config, problems } = parseProjectFile(MINIMAL, '/etc/acme.yaml', noFiles);
    assert.deepEqual(problems, []);
    assert.equal(config?.name, 'acme');
    assert.deepEqual(config?.source, {
      kind: 'imap',
      host: 'old.example.com',
      port: 993,
      tls: 'tls',
      allowInvalidCertificates: false,
      maxConnections: 10,
    });
    assert.equal(config?.destination.port, 143);
    assert.deepEqual(config?.defaults, {
      itemTypes: ['mail'],
      folders: { map: [], regex: [], include: [], exclude: [] },
    });
    assert.deepEqual(config?.concurrency, { mailboxes: 4, foldersPerMailbox: 2 });
    assert.deepEqual(config?.limits, {});
    assert.deepEqual(config?.mailboxes, []);
  });

  it('reads the full example with secret refs, folder rules, limits and inline mailboxes', () => {
    const yaml = `name: Acme to new server
source:
  host: old.example.com
  port: 10993
  allowInvalidCertificates: yes
  maxConnections: 6
  admin: { user: admin, password: { env: SRC_ADMIN_PASSWORD }, mode: master }
  testMailbox: alice@example.com
destination:
  host: new.example.com
  tls: none
  admin: { user: root, password: { file: secrets/dest.pw }, mode: password }
defaults:
  items: [mail, contacts]
  since: 2015-01-01
  before: 2026-01-01
  maxMessageSize: 50MB
  folders:
    map: { "INBOX/Old": "Archive/Old" }
    regex: [ { pattern: "^Projects/(.*)$", replacement: "Work/$1" } ]
    exclude: ["^Spam$", "^Trash/"]
mailboxes:
  - alice@example.com
  - source: bob@old.example
    destination: bob@new.example
    star: yes
    password: "0123"
    destinationPassword: { env: BOB_DEST }
    maxMessageSize: 10MB
concurrency: { mailboxes: 8, foldersPerMailbox: 3 }
limits: { messagesPerSecond: 200, bytesPerSecond: 50MB }
dataDir: .cutover
`;
    const { config, problems } = parseProjectFile(yaml, 'project.yaml', noFiles);
    assert.deepEqual(problems, []);
    assert.ok(config);
    assert.equal(config.name, 'Acme to new server');
    assert.equal(config.source.port, 10993);
    assert.equal(config.source.allowInvalidCertificates, true);
    assert.equal(config.source.maxConnections, 6);
    assert.deepEqual(config.source.admin, {
      user: 'admin',
      password: { env: 'SRC_ADMIN_PASSWORD' },
      mode: 'master',
    });
    assert.equal(config.source.testMailbox, 'alice@example.com');
    assert.deepEqual(config.destination.admin, {
      user: 'root',
      password: { file: 'secrets/dest.pw' },
      mode: 'password',
    });
    assert.equal(config.destination.port, 143);
    assert.deepEqual(config.defaults.itemTypes, ['mail', 'contacts']);
    assert.equal(config.defaults.since?.toISOString(), '2015-01-01T00:00:00.000Z');
    assert.equal(config.defaults.before?.toISOString(), '2026-01-01T00:00:00.000Z');
    assert.equal(config.defaults.maxMessageBytes, 50 * 1024 * 1024);
    assert.deepEqual(config.defaults.folders, {
      map: [{ from: 'INBOX/Old', to: 'Archive/Old' }],
      regex: [{ pattern: '^Projects/(.*)$', replacement: 'Work/$1' }],
      include: [],
      exclude: ['^Spam$', '^Trash/'],
    });
    assert.equal(config.mailboxes.length, 2);
    const [alice, bob] = config.mailboxes;
    assert.deepEqual(
      [alice?.sourceUser, alice?.destUser, alice?.starred, alice?.origin],
      ['alice@example.com', 'alice@example.com', false, 'project.yaml:23'],
    );
    assert.equal(alice?.options.maxMessageBytes, 50 * 1024 * 1024);
    assert.equal(bob?.origin, 'project.yaml:24');
    assert.equal(bob?.starred, true);
    assert.equal(bob?.options.maxMessageBytes, 10 * 1024 * 1024);
    assert.deepEqual(bob?.sourceAuth, {
      kind: 'password',
      user: 'bob@old.example',
      password: { value: '0123' },
    });
    assert.deepEqual(bob?.destAuth, {
      kind: 'password',
      user: 'bob@new.example',
      password: { env: 'BOB_DEST' },
    });
    assert.deepEqual(config.concurrency, { mailboxes: 8, foldersPerMailbox: 3 });
    assert.deepEqual(config.limits, { messagesPerSecond: 200, bytesPerSecond: 50 * 1024 * 1024 });
    assert.equal(config.dataDir, '.cutover');
  });

  it('reports typos as unknown keys with their line, the likely key and the allowed ones', () => {
    const yaml = 'source:\n  host: a\n  prot: 993\ndestination:\n  host: b\nconcurency: { mailboxes: 2 }\n';
    const { config, problems } = parseProjectFile(yaml, 'p.yaml', noFiles);
    assert.equal(config, undefined);
    assert.deepEqual(
      problems.map((p) => [p.where, p.message]),
      [
        ['p.yaml:3', "unknown key 'prot' in source"],
        ['p.yaml:6', "unknown key 'concurency'"],
      ],
    );
    assert.match(problems[0]?.hint ?? '', /Did you mean 'port'\? Allowed keys: kind, host, port, tls/);
    assert.match(problems[1]?.hint ?? '', /Did you mean 'concurrency'\?/);
  });

  it('reports a bad port, tls mode, regex, date and size at their lines', () => {
    const yaml = `source:
  host: a
  port: 99999
destination:
  host: b
  tls: ssl
defaults:
  since: 2024-02-30
  maxMessageSize: 50 MBs
  folders:
    exclude: ["^Spam$", "(unclosed"]
`;
    const { config, problems } = parseProjectFile(yaml, 'p.yaml', noFiles);
    assert.equal(config, undefined);
    assert.deepEqual(
      problems.map((p) => p.where),
      ['p.yaml:3', 'p.yaml:6', 'p.yaml:8', 'p.yaml:9', 'p.yaml:11'],
    );
    assert.match(
      problems[0]?.message ?? '',
      /source\.port must be a whole number from 1 to 65535, not 99999/,
    );
    assert.match(problems[1]?.message ?? '', /tls must be tls, starttls or none, not 'ssl'/);
    assert.match(problems[2]?.message ?? '', /defaults\.since: '2024-02-30' is not a real date/);
    assert.match(problems[3]?.message ?? '', /defaults\.maxMessageSize: '50 MBs' is not a size/);
    assert.match(problems[4]?.message ?? '', /'\(unclosed' does not compile: .*Unterminated group/);
  });

  it('reports missing servers, bad secrets and duplicate inline mailboxes', () => {
    const yaml = `source:
  host: a
  admin: { user: admin, password: { env: "not a name" } }
mailboxes:
  - alice
  - { source: bob, password: 1234 }
  - Alice
`;
    const { config, problems } = parseProjectFile(yaml, 'p.yaml', noFiles);
    assert.equal(config, undefined);
    const byLine = Object.fromEntries(problems.map((p) => [p.where, p.message]));
    assert.match(byLine['p.yaml:1'] ?? '', /no destination server/);
    assert.match(
      byLine['p.yaml:3'] ?? '',
      /source\.admin\.password\.env: 'not a name' is not an environment variable name/,
    );
    assert.match(byLine['p.yaml:6'] ?? '', /mailboxes\[1\]\.password is read as a number/);
    assert.match(byLine['p.yaml:7'] ?? '', /'Alice' is listed twice \(first at p\.yaml:5\)/);
  });

  it('reads a referenced CSV and returns its bad rows as non-fatal problems', () => {
    const files: Record<string, string> = {
      'lists/mailboxes.csv': 'source,star\nalice,yes\nbob,perhaps\ncarol,\n',
    };
    const yaml = `${MINIMAL}defaults: { items: [mail, calendars] }\nmailboxes: lists/mailboxes.csv\n`;
    const { config, problems } = parseProjectFile(yaml, 'p.yaml', (p) => files[p] ?? noFiles(p));
    assert.deepEqual(
      config?.mailboxes.map((m) => [m.sourceUser, m.starred, m.origin, m.options.itemTypes]),
      [
        ['alice', true, 'lists/mailboxes.csv:2', ['mail', 'calendars']],
        ['carol', false, 'lists/mailboxes.csv:4', ['mail', 'calendars']],
      ],
    );
    assert.deepEqual(
      problems.map((p) => p.where),
      ['lists/mailboxes.csv:3'],
    );
  });

  it('makes an unreadable CSV and YAML syntax errors fatal, with lines', () => {
    const missing = parseProjectFile(`${MINIMAL}mailboxes: nope.csv\n`, 'p.yaml', noFiles);
    assert.equal(missing.config, undefined);
    assert.equal(missing.problems[0]?.where, 'p.yaml:3');
    assert.match(missing.problems[0]?.message ?? '', /cannot read the mailboxes file 'nope\.csv' \(ENOENT\)/);
    const syntax = parseProjectFile('source:\n  host: a\n  port: [993\n', 'p.yaml', noFiles);
    assert.equal(syntax.config, undefined);
    assert.match(syntax.problems[0]?.message ?? '', /^YAML syntax/);
  });
});

describe('loadProjectFile', () => {
  it('reads the CSV and password files relative to the project file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-project-'));
    writeFileSync(join(dir, 'mailboxes.csv'), 'source,source_password_file\nalice,alice.pw\nbob,,extra\n');
    writeFileSync(
      join(dir, 'project.yaml'),
      `${MINIMAL.replace('old.example.com }', 'old.example.com, admin: { user: a, password: { file: admin.pw } } }')}mailboxes: mailboxes.csv\ndataDir: .cutover\n`,
    );
    const { config, problems } = loadProjectFile(join(dir, 'project.yaml'));
    assert.deepEqual(config.source.admin?.password, { file: join(dir, 'admin.pw') });
    assert.deepEqual(config.mailboxes[0]?.sourceAuth, {
      kind: 'password',
      user: 'alice',
      password: { file: join(dir, 'alice.pw') },
    });
    assert.equal(config.dataDir, join(dir, '.cutover'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.where, 'mailboxes.csv:3');
  });

  it('throws a ConfigInvalid error listing every problem of an invalid project file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-project-'));
    const path = join(dir, 'project.yaml');
    writeFileSync(path, 'source: { host: a, port: 0 }\ndestination: { hots: b }\n');
    try {
      loadProjectFile(path);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof CutoverError);
      assert.equal(err.code, ErrorCode.ConfigInvalid);
      assert.match(err.message, /has 3 problems:/);
      assert.ok(
        err.message.includes(`${path}:1: source.port must be a whole number from 1 to 65535, not 0\n  → `),
      );
      assert.ok(
        err.message.includes(`${path}:2: unknown key 'hots' in destination\n  → Did you mean 'host'?`),
      );
      assert.ok(err.message.includes(`${path}:2: destination has no host`));
    }
  });
});
