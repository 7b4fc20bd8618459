/**
 * Where filters are, as the operator says it: the one-off sieve:// URL (port 4190, STARTTLS when offered,
 * delimiter= and require-tls=), and a project's IMAP server with `imap: { sievePort }`; a project cannot
 * name kind: sieve itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { parseProjectFile } from '../../src/config/project-file.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { connectorFor } from '../../src/connectors/registry.js';

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};

describe('sieve:// URLs', () => {
  it("reads user, password, default port 4190, STARTTLS-when-offered and the kind's own parameters", () => {
    const { server, auth } = parseServerUrl('sieve://alice%40example.com:pw@mail.example.com');
    assert.deepEqual(server, {
      kind: 'sieve',
      host: 'mail.example.com',
      port: 4190,
      tls: 'starttls',
      allowInvalidCertificates: false,
      maxConnections: 10,
    });
    assert.deepEqual(auth, { kind: 'password', user: 'alice@example.com', password: { value: 'pw' } });
    const other = parseServerUrl('sieve://bob:pw@10.0.0.5:2000?delimiter=.&require-tls=1&insecure=1');
    assert.equal(other.server.port, 2000);
    assert.equal(other.server.allowInvalidCertificates, true);
    assert.deepEqual((other.server as { sieve?: unknown }).sieve, { delimiter: '.', requireTls: true });
    assert.deepEqual(connectorFor('sieve').items, ['filters']);
  });

  it('refuses a delimiter of more than one character, and delimiter= on another kind', () => {
    for (const url of [
      'sieve://u:p@h?delimiter=ab',
      'imap://u:p@h?delimiter=.',
      'sieve://u:p@h?require-tls=maybe',
    ]) {
      try {
        parseServerUrl(url);
        assert.fail(`accepted ${url}`);
      } catch (err) {
        assert.ok(err instanceof CutoverError);
        assert.equal(err.code, ErrorCode.UrlInvalid);
      }
    }
  });
});

describe('imap: { sievePort } in a project file', () => {
  it('is read for an IMAP server, checked, and kind: sieve is refused with where to put the port', () => {
    const text =
      'source: { host: old.example.com, imap: { sievePort: 4190 } }\ndestination: { host: new.example.com }\n';
    const { config, problems } = parseProjectFile(text, 'p.yaml', noFiles);
    assert.deepEqual(problems, []);
    assert.deepEqual(config?.source.imap, { sievePort: 4190 });
    assert.equal(config?.destination.imap, undefined);

    const bad = parseProjectFile(
      'source: { host: a, imap: { sievePort: 0, port2: 1 } }\ndestination: { host: b }\n',
      'p.yaml',
      noFiles,
    );
    assert.equal(bad.problems.length, 2, JSON.stringify(bad.problems));

    const sieve = parseProjectFile(
      'source: { kind: sieve, host: a }\ndestination: { host: b }\n',
      'p.yaml',
      noFiles,
    );
    assert.match(sieve.problems[0]!.message, /ManageSieve works only in the one-off form/);
    assert.match(sieve.problems[0]!.message, /sievePort/);
  });
});
