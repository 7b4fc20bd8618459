/**
 * Personal credential links. The token is HMAC(secret key, mailbox + random nonce): 256 bits nobody can
 * guess, recomputable by Cutover for reminders and plan exports, stored only as its SHA-256 hash. Reissuing
 * revokes the earlier links of the mailbox.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../security/secret-box.js';
import type { CredentialLinkRepo, CredentialLinkRow } from '../store/credential-link-repo.js';

/** Default lifetime of a link. */
export const LINK_TTL_MS = 45 * 24 * 3600_000;

/** Why a presented token was not accepted. */
export type LinkRefusal = 'unknown' | 'expired' | 'revoked';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 of a token, hex: what the store keeps. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class CredentialLinks {
  constructor(
    private readonly repo: CredentialLinkRepo,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private tokenOf(l: Pick<CredentialLinkRow, 'mailboxId' | 'nonce'>): string {
    return this.box.mac('credential-link', `${l.mailboxId}:${l.nonce}`).toString('base64url');
  }

  /** A new link for the mailbox (earlier ones revoked); returns the token to put in the URL. */
  async issue(mailboxId: number, ttlMs = LINK_TTL_MS): Promise<{ token: string; expiresAt: string }> {
    const t = this.now();
    await this.repo.revokeAll(mailboxId, t);
    const nonce = randomBytes(16).toString('base64url');
    const token = this.tokenOf({ mailboxId, nonce });
    const expiresAt = new Date(t.getTime() + ttlMs).toISOString();
    await this.repo.insert({
      mailboxId,
      tokenHash: hashToken(token),
      nonce,
      createdAt: t.toISOString(),
      expiresAt,
    });
    return { token, expiresAt };
  }

  /**
   * The live link of each mailbox (issuing one where there is none), for exports: one query for the
   * existing ones, an insert per missing one.
   */
  async currentMany(mailboxIds: number[]): Promise<Map<number, { token: string; expiresAt: string }>> {
    const out = new Map<number, { token: string; expiresAt: string }>();
    for (const l of await this.repo.live(this.now(), mailboxIds))
      out.set(l.mailboxId, { token: this.tokenOf(l), expiresAt: l.expiresAt });
    for (const id of mailboxIds) if (!out.has(id)) out.set(id, await this.issue(id));
    return out;
  }

  /** The token of the mailbox's live link, issuing one when there is none. */
  async current(mailboxId: number): Promise<{ token: string; expiresAt: string }> {
    const [live] = await this.repo.live(this.now(), mailboxId);
    return live ? { token: this.tokenOf(live), expiresAt: live.expiresAt } : this.issue(mailboxId);
  }

  /** The token of the mailbox's live link, or undefined when it has none (nothing is issued). */
  async live(mailboxId: number): Promise<{ token: string; expiresAt: string } | undefined> {
    const [l] = await this.repo.live(this.now(), mailboxId);
    return l && { token: this.tokenOf(l), expiresAt: l.expiresAt };
  }

  /** Revoke the mailbox's links. */
  async revoke(mailboxId: number): Promise<number> {
    return this.repo.revokeAll(mailboxId, this.now());
  }

  /** The link a presented token opens, or why it does not. */
  async resolve(
    token: string,
  ): Promise<{ ok: true; link: CredentialLinkRow } | { ok: false; why: LinkRefusal }> {
    if (!TOKEN_RE.test(token)) return { ok: false, why: 'unknown' };
    const link = await this.repo.byHash(hashToken(token));
    if (!link) return { ok: false, why: 'unknown' };
    if (link.revokedAt) return { ok: false, why: 'revoked' };
    if (link.expiresAt <= this.now().toISOString()) return { ok: false, why: 'expired' };
    await this.repo.touch(link.id, this.now());
    return { ok: true, link };
  }

  /** The form token for a link's page: bound to the link, so a form from another link does not post here. */
  formToken(link: Pick<CredentialLinkRow, 'tokenHash'>): string {
    return this.box.mac('portal-form', link.tokenHash).toString('base64url');
  }

  /** True when `sent` is the form token of `link`. */
  checkFormToken(link: Pick<CredentialLinkRow, 'tokenHash'>, sent: unknown): boolean {
    if (typeof sent !== 'string') return false;
    const want = Buffer.from(this.formToken(link));
    const got = Buffer.from(sent);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

/** The personal page's path for a token. */
export const portalPath = (token: string): string => `/p/${token}`;
