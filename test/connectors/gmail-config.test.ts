/** `kind: gmail` in project files: defaults, the service account as master admin, gmail: settings, mistakes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProjectFile } from '../../src/config/project-file.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { authFor } from '../../src/services/migration-service.js';
import { gmailTarget } from '../../src/connectors/gmail/gmail-config.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};

describe('kind: gmail in a project file', () => {
  it('needs no host; the service account is the admin in master mode; gmail: settings are read', () => {
    const yaml = `source:
  kind: gmail
  admin: { user: admin@example.com, password: { file: sa.json }, mode: master }
  gmail:
    oauthClient: { id: client.apps.googleusercontent.com, secret: { env: GOOGLE_SECRET } }
    apiUrl: http://127.0.0.1:9999
    quotaUnitsPerSecond: 150
    maxMessageSize: 1048576
destination: { host: new.example.com }
`;
    const { config, problems } = parseProjectFile(yaml, '/p/g.yaml', noFiles);
    assert.deepEqual(problems, []);
    const s = config!.source;
    assert.equal(s.kind, 'gmail');
    assert.equal(s.host, 'gmail.googleapis.com');
    assert.equal(s.port, 443);
    assert.deepEqual(s.gmail, {
      oauthClient: { id: 'client.apps.googleusercontent.com', secret: { env: 'GOOGLE_SECRET' } },
      apiUrl: 'http://127.0.0.1:9999',
      quotaUnitsPerSecond: 150,
      maxMessageBytes: 1048576,
    });
    const auth = authFor(s, 'alice@example.com', undefined, 'source');
    assert.deepEqual(auth, {
      kind: 'master',
      user: 'alice@example.com',
      masterUser: 'admin@example.com',
      password: { file: 'sa.json' },
    });
  });

  it('reports unknown settings, settings on the wrong kind, quota above Google’s', () => {
    const yaml = `source:
  kind: gmail
  gmail: { quotaUnitsPerSecond: 900, apiUrl: gmail.example, colour: blue }
destination: { host: new.example.com, gmail: { apiUrl: http://x } }
`;
    const { problems } = parseProjectFile(yaml, '/p/g.yaml', noFiles);
    const text = problems.map((p) => p.message).join('\n');
    assert.match(text, /colour/);
    assert.match(text, /quotaUnitsPerSecond/);
    assert.match(text, /apiUrl 'gmail.example' is not an http\(s\) URL/);
    assert.match(text, /destination.gmail applies to kind: gmail only/);
  });

  it('a password login without an OAuth client is refused with what to do', () => {
    const { config } = parseProjectFile(
      'source: { kind: gmail }\ndestination: { host: x.example }\n',
      '/p/g.yaml',
      noFiles,
    );
    assert.throws(
      () =>
        gmailTarget(config!.source, { kind: 'password', user: 'a@example.com', password: { value: 'x' } }),
      (e: unknown) =>
        e instanceof PermanentError && e.code === ErrorCode.ConfigInvalid && /oauthClient/.test(e.hint ?? ''),
    );
  });
});

describe('gmail:// one-off URLs', () => {
  it('a service account key file acting for the user, pointed at a local API with http=1', () => {
    const { server, auth } = parseServerUrl(
      'gmail://alice%40example.com@127.0.0.1:8089?http=1&key-file=/k/sa.json',
    );
    assert.equal(server.kind, 'gmail');
    assert.deepEqual(server.gmail, {
      apiUrl: 'http://127.0.0.1:8089',
      directoryUrl: 'http://127.0.0.1:8089',
    });
    assert.deepEqual(auth, {
      kind: 'master',
      user: 'alice@example.com',
      masterUser: 'alice@example.com',
      password: { file: '/k/sa.json' },
    });
  });
  it('an access token as the password; Google itself needs no API settings', () => {
    const { server, auth } = parseServerUrl(
      'gmail://alice%40example.com@gmail.googleapis.com?password-env=TOKEN',
    );
    assert.equal(server.port, 443);
    assert.equal(server.gmail, undefined);
    assert.deepEqual(auth, { kind: 'xoauth2', user: 'alice@example.com', accessToken: { env: 'TOKEN' } });
  });
  it('refuses key-file on other schemes and a key together with a token', () => {
    assert.throws(() => parseServerUrl('imap://a:b@h?key-file=x'), /applies to gmail:\/\/ only/);
    assert.throws(() => parseServerUrl('gmail://a:tok@h?key-file=x'), /both key-file= and an access token/);
  });
});
