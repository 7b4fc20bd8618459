/**
 * Secrets at rest (end-user passwords, project admin passwords, tokens): AES-256-GCM with a random
 * 12-byte IV per secret, in a versioned text format `v1.<iv>.<ciphertext>.<tag>` (base64url parts).
 * The key comes from CUTOVER_SECRET_KEY or from the key file in the data directory (see secret-key.ts).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ErrorCode, PermanentError } from '../errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Seals and opens secrets with one 32-byte key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `The secret key is ${key.length} bytes long; AES-256 needs exactly ${KEY_BYTES}.`,
        'Generate one with: openssl rand -base64 32',
      );
    this.#key = Buffer.from(key);
  }

  /**
   * Encrypt `plaintext`. `context` (e.g. "credential:42:source") is authenticated but not stored: a sealed
   * value copied to another row or purpose will not open there.
   */
  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, body, tag]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /**
   * HMAC-SHA256 of `data` under a subkey derived (HKDF) for `purpose`: tokens that can be recomputed by
   * whoever holds the key but never stored (credential links, form tokens).
   */
  mac(purpose: string, data: string): Buffer {
    const sub = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `cutover:${purpose}`, 32));
    return createHmac('sha256', sub).update(data, 'utf8').digest();
  }

  /** Decrypt a value made by `seal` with the same key and context; a clear error otherwise. */
  open(sealed: string, context = ''): string {
    const parts = sealed.split('.');
    if (parts[0] !== VERSION || parts.length !== 4)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `A stored secret is not in a format this version of Cutover reads (${parts[0] ?? 'empty'}).`,
        'Upgrade Cutover, or enter the secret again.',
      );
    const [iv, body, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw undecryptable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (err) {
      throw undecryptable(err);
    }
  }
}

function undecryptable(cause?: unknown): PermanentError {
  return new PermanentError(
    ErrorCode.ConfigInvalid,
    'A stored secret cannot be decrypted: it was sealed with another key, or it was altered.',
    'Run Cutover with the key it was stored with (CUTOVER_SECRET_KEY or secret.key in the data directory), or enter the secret again.',
    { cause },
  );
}
