/**
 * Where the secret box's key comes from: CUTOVER_SECRET_KEY (base64 of 32 bytes), else `secret.key` in the
 * data directory, created on first run with 0600 permissions — atomically, and never overwritten.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, PermanentError } from '../errors.js';
import { SecretBox } from './secret-box.js';

/** The environment variable that, when set, holds the key (base64, 32 bytes). */
export const SECRET_KEY_ENV = 'CUTOVER_SECRET_KEY';
/** The key file's name inside the data directory. */
export const SECRET_KEY_FILE = 'secret.key';

/** The secret box for this installation (see loadSecretKey). */
export function openSecretBox(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretBox {
  return new SecretBox(loadSecretKey(dataDir, env));
}

/** The 32-byte key: from the environment when set, else the data directory's key file (created if missing). */
export function loadSecretKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return decodeKey(fromEnv, `the environment variable ${SECRET_KEY_ENV}`);
  const file = path.join(dataDir, SECRET_KEY_FILE);
  if (!fs.existsSync(file)) createKeyFile(dataDir, file);
  return readKeyFile(file);
}

function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `The secret key in ${where} is not the base64 form of 32 bytes.`,
      'Generate one with: openssl rand -base64 32 (and keep it: secrets stored with it cannot be read without it).',
    );
  return key;
}

/**
 * Write a fresh key to a private temporary file, then hard-link it into place: link() fails when the
 * name exists, so two processes starting together never overwrite each other's key (the loser reads
 * the winner's file).
 */
function createKeyFile(dataDir: string, file: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dataDir, `.${SECRET_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readKeyFile(file: string): Buffer {
  const mode = fs.statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `The key file ${file} can be read by other users (mode ${mode.toString(8)}).`,
      `Restrict it: chmod 600 ${file}`,
    );
  return decodeKey(fs.readFileSync(file, 'utf8'), `the key file ${file}`);
}
