/**
 * The `state` of a consent flow: bound to one personal link and one side of its mailbox, signed with the
 * secret box's key (HMAC), valid 10 minutes and usable once. The PKCE verifier is derived from the state's
 * nonce with the same key, so nothing is stored for a flow that is never finished and the verifier never
 * leaves the server (only its S256 challenge does). Used nonces are kept in the store until the state would
 * have expired, so a restart does not make a used state good again.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../security/secret-box.js';
import type { CredentialSide } from '../store/credential-repo.js';

/** How long a started sign-in may take. */
export const STATE_TTL_MS = 10 * 60_000;

/** What a state carries. */
export interface OAuthState {
  /** SHA-256 of the personal link's token (what the store keys links by). */
  linkHash: string;
  side: CredentialSide;
  nonce: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

/** Why a state was refused. */
export type StateRefusal = 'invalid' | 'expired' | 'used';

/** Where used nonces are remembered (src/store/used-nonce-repo.ts). */
export interface UsedNonces {
  has(nonce: string, now: number): Promise<boolean>;
  /** False when the nonce was used already. */
  claim(nonce: string, expiresAt: number, now: number): Promise<boolean>;
}

export class OAuthStates {
  constructor(
    private readonly box: SecretBox,
    private readonly used: UsedNonces,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new state for `linkHash` and `side`, with the PKCE verifier and challenge that go with it. */
  issue(linkHash: string, side: CredentialSide): { state: string; challenge: string } {
    const s: OAuthState = {
      linkHash,
      side,
      nonce: randomBytes(16).toString('base64url'),
      exp: this.now() + STATE_TTL_MS,
    };
    const body = Buffer.from(JSON.stringify(s)).toString('base64url');
    const challenge = createHash('sha256').update(this.verifier(s)).digest('base64url');
    return { state: `${body}.${this.sign(body)}`, challenge };
  }

  /** The PKCE code verifier of a state (43 characters, RFC 7636 §4.1). */
  verifier(s: Pick<OAuthState, 'nonce'>): string {
    return this.box.mac('oauth-pkce', s.nonce).toString('base64url');
  }

  /** Check a returned state without using it up. */
  async check(state: unknown): Promise<{ ok: true; state: OAuthState } | { ok: false; why: StateRefusal }> {
    if (typeof state !== 'string' || state.length > 1024) return { ok: false, why: 'invalid' };
    const [body, mac, ...rest] = state.split('.');
    if (!body || !mac || rest.length) return { ok: false, why: 'invalid' };
    const want = Buffer.from(this.sign(body));
    const got = Buffer.from(mac);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, why: 'invalid' };
    const s = JSON.parse(Buffer.from(body, 'base64url').toString()) as OAuthState;
    if (s.exp <= this.now()) return { ok: false, why: 'expired' };
    if (await this.used.has(s.nonce, this.now())) return { ok: false, why: 'used' };
    return { ok: true, state: s };
  }

  /** Mark a state used: a second callback with it is refused. False when another one used it first. */
  async use(s: OAuthState): Promise<boolean> {
    return this.used.claim(s.nonce, s.exp, this.now());
  }

  private sign(body: string): string {
    return this.box.mac('oauth-state', body).toString('base64url');
  }
}
