/** The secret box: AES-256-GCM round trip, tamper and wrong-key refusal, and the key file's creation rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/security/secret-box.js';
import { loadSecretKey, SECRET_KEY_ENV, SECRET_KEY_FILE } from '../../src/security/secret-key.js';
import { CutoverError } from '../../src/errors.js';
import { tempDataDir } from '../integration/helpers.js';
import { runTsxScript } from './tsx-script.js';

const box = new SecretBox(randomBytes(32));

test('seal/open round-trips any text, with a fresh IV each time and no plaintext in the output', () => {
  for (const secret of ['', 'hunter2', 'pässwörd ✓ 密码', 'x'.repeat(10_000)]) {
    const a = box.seal(secret, 'ctx');
    const b = box.seal(secret, 'ctx');
    assert.notEqual(a, b, 'two seals of one secret differ (random IV)');
    assert.match(a, /^v1\.[\w-]{16}\.[\w-]*\.[\w-]{22}$/);
    if (secret.length > 3)
      assert.ok(!a.includes(secret) && !a.includes(Buffer.from(secret).toString('base64')));
    assert.equal(box.open(a, 'ctx'), secret);
  }
});

test('a tampered value, another context, another key or an unknown version are refused clearly', () => {
  const sealed = box.seal('hunter2', 'credential:1:source');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[2]!, 'base64url');
  body[0]! ^= 1;
  const tampered = [parts[0], parts[1], body.toString('base64url'), parts[3]].join('.');
  const tries: Array<[string, () => string]> = [
    ['tampered', () => box.open(tampered, 'credential:1:source')],
    ['other context', () => box.open(sealed, 'credential:2:source')],
    ['other key', () => new SecretBox(randomBytes(32)).open(sealed, 'credential:1:source')],
    ['truncated', () => box.open(parts.slice(0, 3).join('.'), 'credential:1:source')],
  ];
  for (const [what, fn] of tries)
    assert.throws(
      fn,
      (e: unknown) => e instanceof CutoverError && /cannot be decrypted|format/.test(e.message),
      what,
    );
  assert.throws(() => box.open(`v9.${parts.slice(1).join('.')}`), /not in a format this version/);
});

test('the key must be 32 bytes', () => {
  assert.throws(() => new SecretBox(randomBytes(16)), /16 bytes long; AES-256 needs exactly 32/);
});

test('CUTOVER_SECRET_KEY is used when set and checked for length', () => {
  const dir = tempDataDir();
  const key = randomBytes(32);
  assert.deepEqual(loadSecretKey(dir, { [SECRET_KEY_ENV]: key.toString('base64') }), key);
  assert.ok(!fs.existsSync(path.join(dir, SECRET_KEY_FILE)), 'no key file when the environment has the key');
  assert.throws(
    () => loadSecretKey(dir, { [SECRET_KEY_ENV]: 'c2hvcnQ=' }),
    /not the base64 form of 32 bytes/,
  );
  assert.throws(() => loadSecretKey(dir, { [SECRET_KEY_ENV]: 'not base64!!' }), /not the base64 form/);
});

test('the key file is created once with mode 0600, reused, and never overwritten', () => {
  const dir = path.join(tempDataDir(), 'fresh');
  const first = loadSecretKey(dir, {});
  const file = path.join(dir, SECRET_KEY_FILE);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(first.length, 32);
  const before = fs.readFileSync(file, 'utf8');
  for (let i = 0; i < 5; i++) assert.deepEqual(loadSecretKey(dir, {}), first);
  assert.equal(fs.readFileSync(file, 'utf8'), before);
  assert.deepEqual(fs.readdirSync(dir), [SECRET_KEY_FILE], 'no temporary files are left behind');
  // A value sealed before a restart opens after it.
  const sealed = new SecretBox(first).seal('kept', 'c');
  assert.equal(new SecretBox(loadSecretKey(dir, {})).open(sealed, 'c'), 'kept');
});

test('a key file readable by others, or damaged, is refused with what to do', () => {
  const dir = tempDataDir();
  loadSecretKey(dir, {});
  const file = path.join(dir, SECRET_KEY_FILE);
  fs.chmodSync(file, 0o644);
  assert.throws(() => loadSecretKey(dir, {}), /can be read by other users.*\n?|chmod 600/);
  fs.chmodSync(file, 0o600);
  fs.writeFileSync(file, 'garbage\n');
  assert.throws(() => loadSecretKey(dir, {}), /not the base64 form of 32 bytes/);
});

test('processes starting together all end up with one and the same key', async () => {
  const dir = path.join(tempDataDir(), 'race');
  const mod = new URL('../../src/security/secret-key.ts', import.meta.url).href;
  const script = `import { loadSecretKey } from ${JSON.stringify(mod)}; process.stdout.write(loadSecretKey(${JSON.stringify(dir)}, {}).toString('hex'));`;
  const keys = await Promise.all([1, 2, 3, 4].map(() => runTsxScript(script)));
  assert.equal(new Set(keys).size, 1, 'every process read the same key');
  assert.equal(
    Buffer.from(fs.readFileSync(path.join(dir, SECRET_KEY_FILE), 'utf8').trim(), 'base64').toString('hex'),
    keys[0],
  );
});

test('mac is stable per key and purpose, and differs across purposes and keys', () => {
  const key = randomBytes(32);
  const a = new SecretBox(key);
  assert.deepEqual(a.mac('link', 'n1'), new SecretBox(key).mac('link', 'n1'));
  assert.equal(a.mac('link', 'n1').length, 32);
  assert.notDeepEqual(a.mac('link', 'n1'), a.mac('csrf', 'n1'));
  assert.notDeepEqual(a.mac('link', 'n1'), a.mac('link', 'n2'));
  assert.notDeepEqual(a.mac('link', 'n1'), new SecretBox(randomBytes(32)).mac('link', 'n1'));
});
