import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { resolveSecret } from '../../src/config/secrets.js';
import { parseServerUrl, redactUrl } from '../../src/config/server-url.js';

/** Run fn, expect a CutoverError with `code`, return it. */
function failure(fn: () => unknown, code: string): CutoverError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CutoverError, `expected CutoverError, got ${String(err)}`);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail('expected an error');
}

describe('parseServerUrl', () => {
  it('reads imaps with percent-encoded user and password and default port 993', () => {
    const { server, auth } = parseServerUrl('imaps://alice%40example.com:p%40ss%3Aw%25rd@mail.example.com');
    assert.deepEqual(server, {
      kind: 'imap',
      host: 'mail.example.com',
      port: 993,
      tls: 'tls',
      allowInvalidCertificates: false,
      maxConnections: 10,
    });
    assert.deepEqual(auth, { kind: 'password', user: 'alice@example.com', password: { value: 'p@ss:w%rd' } });
  });

  it('reads imap with port, starttls, insecure and max-connections', () => {
    const { server } = parseServerUrl(
      'imap://bob:secret@10.0.0.5:1143?starttls=1&insecure=1&max-connections=4',
    );
    assert.equal(server.host, '10.0.0.5');
    assert.equal(server.port, 1143);
    assert.equal(server.tls, 'starttls');
    assert.equal(server.allowInvalidCertificates, true);
    assert.equal(server.maxConnections, 4);
    assert.equal(parseServerUrl('imap://bob:secret@h').server.tls, 'none');
    assert.equal(parseServerUrl('imap://bob:secret@h').server.port, 143);
  });

  it('keeps a Dovecot master login as a plain user', () => {
    const { auth } = parseServerUrl('imaps://alice*admin:masterpw@mail.example.com');
    assert.deepEqual(auth, { kind: 'password', user: 'alice*admin', password: { value: 'masterpw' } });
  });

  it('treats the password as an access token with auth=xoauth2', () => {
    const { auth } = parseServerUrl('imaps://carol@example.com:ya29.token@imap.gmail.com?auth=xoauth2');
    assert.deepEqual(auth, {
      kind: 'xoauth2',
      user: 'carol@example.com',
      accessToken: { value: 'ya29.token' },
    });
  });

  it('takes the password from the query or from CLI options', () => {
    assert.deepEqual(parseServerUrl('imaps://u@h?password-env=SRC_PW').auth, {
      kind: 'password',
      user: 'u',
      password: { env: 'SRC_PW' },
    });
    assert.deepEqual(parseServerUrl('imaps://u@h?password-file=/run/pw').auth, {
      kind: 'password',
      user: 'u',
      password: { file: '/run/pw' },
    });
    assert.deepEqual(parseServerUrl('imaps://u@h', { passwordEnv: 'DEST_PW' }).auth, {
      kind: 'password',
      user: 'u',
      password: { env: 'DEST_PW' },
    });
    assert.deepEqual(parseServerUrl('imaps://u@h', { passwordFile: 'pw.txt' }).auth, {
      kind: 'password',
      user: 'u',
      password: { file: 'pw.txt' },
    });
  });

  it('explains the three ways to give a missing password', () => {
    const err = failure(() => parseServerUrl('imaps://u@mail.example.com'), ErrorCode.UrlInvalid);
    assert.match(err.message, /No password for u/);
    assert.match(err.hint ?? '', /in the URL/);
    assert.match(err.hint ?? '', /password-env/);
    assert.match(err.hint ?? '', /password-file/);
  });

  it('refuses a password given two ways', () => {
    const err = failure(() => parseServerUrl('imaps://u:pw@h', { passwordEnv: 'X' }), ErrorCode.UrlInvalid);
    assert.match(err.message, /2 ways \(the URL, --password-env\)/);
  });

  it('rejects unsupported schemes, listing the supported ones', () => {
    for (const url of ['http://u:p@h', 'smtp://u:p@h']) {
      const err = failure(() => parseServerUrl(url), ErrorCode.UrlInvalid);
      assert.match(err.message, /Unsupported scheme '(http|smtp):\/\/'/);
      // Every registered kind's schemes, with the side of a one-sided kind.
      assert.match(
        err.hint ?? '',
        /imap:\/\/ and imaps:\/\/ \(IMAP\); pop3:\/\/ and pop3s:\/\/ \(POP3, a source only\)/,
      );
      assert.match(err.hint ?? '', /mbox:\/\/ \(mbox, a source only\); file:\/\//);
    }
    failure(() => parseServerUrl('mail.example.com'), ErrorCode.UrlInvalid);
  });

  it('rejects bad ports, unknown parameters and missing logins without showing the password', () => {
    const port = failure(() => parseServerUrl('imap://u:hunter2@h:70000'), ErrorCode.UrlInvalid);
    assert.doesNotMatch(port.message, /hunter2/);
    assert.match(port.message, /\*\*\*/);
    const param = failure(() => parseServerUrl('imap://u:p@h?startls=1'), ErrorCode.UrlInvalid);
    assert.match(param.hint ?? '', /Did you mean 'starttls'/);
    failure(() => parseServerUrl('imaps://h?password-env=X'), ErrorCode.UrlInvalid);
    failure(() => parseServerUrl('imaps://u:p@h?starttls=1'), ErrorCode.UrlInvalid);
    failure(() => parseServerUrl('imaps://u:p@h?max-connections=0'), ErrorCode.UrlInvalid);
  });
});

describe('redactUrl', () => {
  it('hides the password, even with a raw @ in it, and leaves others alone', () => {
    assert.equal(
      redactUrl('imaps://alice:s3cret@mail.example.com:993'),
      'imaps://alice:***@mail.example.com:993',
    );
    assert.equal(redactUrl('imaps://alice:p@ss@h?starttls=0'), 'imaps://alice:***@h?starttls=0');
    assert.equal(redactUrl('imaps://alice@h:993'), 'imaps://alice@h:993');
    assert.equal(redactUrl('imaps://h:993'), 'imaps://h:993');
  });
});

describe('resolveSecret', () => {
  it('returns inline values, env variables and the first line of a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-secret-'));
    const file = join(dir, 'pw');
    writeFileSync(file, 'first line \r\nsecond\r\n');
    assert.equal(resolveSecret({ value: 'x' }), 'x');
    assert.equal(resolveSecret({ env: 'PW' }, { PW: 'from-env' }), 'from-env');
    assert.equal(resolveSecret({ file }), 'first line ');
  });

  it('says which variable is unset and which file is unreadable', () => {
    const env = failure(() => resolveSecret({ env: 'MISSING_PW' }, {}), ErrorCode.ConfigInvalid);
    assert.match(env.message, /MISSING_PW is not set/);
    const file = failure(() => resolveSecret({ file: '/nonexistent/pw.txt' }), ErrorCode.ConfigInvalid);
    assert.match(file.message, /\/nonexistent\/pw\.txt \(ENOENT\)/);
  });
});
