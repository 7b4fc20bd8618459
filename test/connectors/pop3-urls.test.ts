/** pop3:// and pop3s:// on the command line and kind: pop3 in a project file; POP3 is refused as a destination. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { parseProjectFile } from '../../src/config/project-file.js';
import { resolveTarget } from '../../src/cli/context.js';
import { connectorFor } from '../../src/connectors/registry.js';

const noFiles = (p: string): string => {
  throw Object.assign(new Error(`no ${p}`), { code: 'ENOENT' });
};

describe('POP3 server URLs', () => {
  test('pop3:// is port 110 in plain text, pop3s:// port 995 with TLS, stls=1 / starttls=1 upgrade', () => {
    assert.deepEqual(parseServerUrl('pop3://bob:pw@mail.example.com').server, {
      kind: 'pop3',
      host: 'mail.example.com',
      port: 110,
      tls: 'none',
      allowInvalidCertificates: false,
      maxConnections: 10,
    });
    const s = parseServerUrl('pop3s://bob%40x.org:p%40ss@h:1995?insecure=1');
    assert.equal(s.server.port, 1995);
    assert.equal(s.server.tls, 'tls');
    assert.equal(s.server.allowInvalidCertificates, true);
    assert.deepEqual(s.auth, { kind: 'password', user: 'bob@x.org', password: { value: 'p@ss' } });
    assert.equal(parseServerUrl('pop3://b:p@h?stls=1').server.tls, 'starttls');
    assert.equal(parseServerUrl('pop3://b:p@h?starttls=1').server.tls, 'starttls');
    assert.equal(parseServerUrl('pop3s://b@h?password-env=X').auth.kind, 'password');
    assert.equal(parseServerUrl('pop3s://b:tok@h?auth=xoauth2').auth.kind, 'xoauth2');
    assert.equal(parseServerUrl('imap://b:p@h?stls=1').server.tls, 'starttls');
  });

  test('refuses stls with pop3s://, and both spellings at once', () => {
    for (const url of ['pop3s://b:p@h?stls=1', 'pop3://b:p@h?stls=1&starttls=1']) {
      assert.throws(
        () => parseServerUrl(url),
        (e: unknown) => e instanceof CutoverError && e.code === ErrorCode.UrlInvalid,
      );
    }
  });

  test('a POP3 destination is refused as configuration, before anything connects', () => {
    assert.throws(
      () => resolveTarget({ from: 'imap://a:b@h', to: 'pop3://a:secret@h' }),
      (e: unknown) =>
        e instanceof CutoverError &&
        e.code === ErrorCode.ConfigInvalid &&
        /POP3 can only be a source/.test(e.message) &&
        !/secret/.test(e.message),
    );
    assert.equal(resolveTarget({ from: 'pop3s://a:b@h', to: 'imap://a:b@h' }).project.source.kind, 'pop3');
  });

  test('the connector refuses to open a destination', async () => {
    const { server, auth } = parseServerUrl('pop3://a:b@127.0.0.1:1');
    await assert.rejects(
      connectorFor('pop3').openDestination(server, auth),
      (e: unknown) => e instanceof CutoverError && e.code === ErrorCode.ConfigInvalid,
    );
  });
});

describe('kind: pop3 in a project file', () => {
  test('a POP3 source gets POP3 default ports', () => {
    const { config, problems } = parseProjectFile(
      'source: { kind: pop3, host: old.example.com }\ndestination: { host: new.example.com }\n',
      'p.yaml',
      noFiles,
    );
    assert.deepEqual(problems, []);
    assert.equal(config?.source.kind, 'pop3');
    assert.equal(config?.source.port, 995);
    assert.equal(config?.destination.kind, 'imap');
    const plain = parseProjectFile(
      'source: { kind: pop3, host: h, tls: starttls }\ndestination: { host: n }\n',
      'p.yaml',
      noFiles,
    );
    assert.equal(plain.config?.source.port, 110);
  });

  test('a POP3 destination is a configuration problem with the line and what to write', () => {
    const { problems } = parseProjectFile(
      'source: { host: old.example.com }\ndestination: { kind: pop3, host: new.example.com }\n',
      'p.yaml',
      noFiles,
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /POP3 can only be a source/);
    assert.match(problems[0]!.where, /p\.yaml:2/);
  });
});
