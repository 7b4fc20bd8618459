/**
 * The per-user consent flow behind the personal page: start (state bound to the link, PKCE S256) and
 * finish (state checked and used up, code exchanged, the account checked against the mailbox login, a real
 * API call through the connector, the refresh token sealed as the side's credential). Google and Microsoft 365. Outcomes are data the
 * portal turns into pages; no token is ever in an outcome or a log line.
 */
import { ErrorCode, asCutoverError } from '../errors.js';
import type { SecretBox } from '../security/secret-box.js';
import type { AlertRepo } from '../store/alert-repo.js';
import type { CredentialLinkRepo, CredentialLinkRow } from '../store/credential-link-repo.js';
import type { CredentialRepo, CredentialSide } from '../store/credential-repo.js';
import {
  credentialContext,
  realLoginCheck,
  type CredentialService,
  type LoginCheck,
  type MailboxContext,
} from './credential-service.js';
import { encodeOAuthCredential } from './oauth-credential.js';
import { exchangeCode } from './oauth-exchange.js';
import { oauthProviderFor, type OAuthProvider } from './oauth-providers.js';
import type { OAuthStates, StateRefusal } from './oauth-state.js';

/** How a consent callback ended. */
export type OAuthOutcome =
  | { kind: 'stored'; mailboxId: number; side: CredentialSide; account: string }
  | { kind: 'state'; why: StateRefusal }
  | { kind: 'link'; why: 'unknown' | 'expired' | 'revoked' }
  | { kind: 'denied'; mailboxId: number }
  /** The provider answered with an error other than the user's refusal (e.g. a misconfigured client). */
  | { kind: 'provider-error'; mailboxId: number; error: string }
  | { kind: 'wrong-account'; mailboxId: number; signedInAs: string; expected: string }
  | {
      kind: 'no-mail-scope' | 'no-refresh-token' | 'exchange' | 'refused' | 'unreachable';
      mailboxId: number;
    };

/** The callback's query parameters. */
export interface CallbackQuery {
  state?: string;
  code?: string;
  error?: string;
}

export class OAuthService {
  constructor(
    private readonly deps: {
      links: Pick<CredentialLinkRepo, 'byHash'>;
      mailboxes: Pick<CredentialService, 'context'>;
      credentials: Pick<CredentialRepo, 'put'>;
      box: SecretBox;
      states: OAuthStates;
      check?: LoginCheck;
      alerts?: Pick<AlertRepo, 'clear'>;
      now?: () => Date;
    },
  ) {}

  /** The sides of the mailbox the user may sign in for, with the provider of each. */
  offers(ctx: MailboxContext): Array<{ side: CredentialSide; provider: OAuthProvider }> {
    return (['source', 'destination'] as const).flatMap((side) => {
      const provider = oauthProviderFor(side === 'source' ? ctx.project.source : ctx.project.destination);
      // Microsoft: the app registration is the server's admin, so the side is never "required"; consent is
      // offered anyway, for tenants that grant the app delegated access only (no app-only Mail permission).
      const wanted = ctx.required.includes(side) || provider?.id === 'microsoft';
      return provider && wanted ? [{ side, provider }] : [];
    });
  }

  /** The provider's authorization URL for one side of the link's mailbox, or undefined when it offers none. */
  start(
    link: Pick<CredentialLinkRow, 'tokenHash'>,
    ctx: MailboxContext,
    side: CredentialSide,
    redirectUri: string,
  ): string | undefined {
    const offer = this.offers(ctx).find((o) => o.side === side);
    if (!offer) return undefined;
    const { state, challenge } = this.deps.states.issue(link.tokenHash, side);
    const url = new URL(offer.provider.authorizeUrl);
    const login = side === 'source' ? ctx.sourceUser : ctx.destUser;
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: offer.provider.clientId,
      redirect_uri: redirectUri,
      scope: offer.provider.scopes.join(' '),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: login,
      ...offer.provider.extra,
    }))
      url.searchParams.set(k, v);
    return url.toString();
  }

  /** Finish a consent from the provider's redirect. */
  async finish(q: CallbackQuery, redirectUri: string): Promise<OAuthOutcome> {
    const checked = await this.deps.states.check(q.state);
    if (!checked.ok) return { kind: 'state', why: checked.why };
    const s = checked.state;
    // Single use, whatever happens next; of two callbacks racing with one state, only the first goes on.
    if (!(await this.deps.states.use(s))) return { kind: 'state', why: 'used' };
    const link = await this.deps.links.byHash(s.linkHash);
    const now = (this.deps.now ?? (() => new Date()))();
    if (!link) return { kind: 'link', why: 'unknown' };
    if (link.revokedAt) return { kind: 'link', why: 'revoked' };
    if (link.expiresAt <= now.toISOString()) return { kind: 'link', why: 'expired' };
    const mailboxId = link.mailboxId;
    if (q.error && q.error !== 'access_denied')
      return {
        kind: 'provider-error',
        mailboxId,
        error: /^[a-z_]{1,64}$/.test(q.error) ? q.error : 'unknown error',
      };
    if (q.error || !q.code) return { kind: 'denied', mailboxId };
    const ctx = await this.deps.mailboxes.context(mailboxId);
    const offer = ctx && this.offers(ctx).find((o) => o.side === s.side);
    if (!ctx || !offer) return { kind: 'exchange', mailboxId };
    const expected = s.side === 'source' ? ctx.sourceUser : ctx.destUser;
    let tokens;
    try {
      tokens = await exchangeCode(offer.provider, q.code, redirectUri, this.deps.states.verifier(s));
    } catch (err) {
      return {
        kind: asCutoverError(err).code === ErrorCode.AuthFailed ? 'exchange' : 'unreachable',
        mailboxId,
      };
    }
    const account = tokens.email ?? '(an account whose address the sign-in did not tell us)';
    if (!tokens.email || tokens.email.toLowerCase() !== expected.toLowerCase())
      return { kind: 'wrong-account', mailboxId, signedInAs: account, expected };
    const mail = offer.provider.mailScope.toLowerCase(); // Entra may answer scopes in another case
    if (tokens.scopes && !tokens.scopes.some((x) => x.toLowerCase() === mail))
      return { kind: 'no-mail-scope', mailboxId };
    if (!tokens.refreshToken) return { kind: 'no-refresh-token', mailboxId };
    const server = s.side === 'source' ? ctx.project.source : ctx.project.destination;
    try {
      // The run's own path: the connector exchanges the refresh token and reads the mailbox.
      // Microsoft: with the access token, since redeeming would rotate the refresh token before it is stored.
      await (this.deps.check ?? realLoginCheck)(
        server,
        offer.provider.verifyWithAccessToken
          ? { kind: 'xoauth2', user: expected, accessToken: { value: tokens.accessToken } }
          : { kind: 'password', user: expected, password: { value: tokens.refreshToken } },
      );
    } catch (err) {
      return {
        kind: asCutoverError(err).code === ErrorCode.AuthFailed ? 'refused' : 'unreachable',
        mailboxId,
      };
    }
    const plain = encodeOAuthCredential({
      provider: offer.provider.id,
      account: tokens.email,
      refreshToken: tokens.refreshToken,
      accessToken: tokens.accessToken,
      accessExpiresAt: new Date(now.getTime() + tokens.expiresInS * 1000).toISOString(),
    });
    await this.deps.credentials.put({
      mailboxId,
      side: s.side,
      sealed: this.deps.box.seal(plain, credentialContext(mailboxId, s.side)),
      enteredBy: 'portal',
      verifiedAt: now.toISOString(),
    });
    await this.deps.alerts?.clear(mailboxId, 'auth-failed');
    return { kind: 'stored', mailboxId, side: s.side, account: tokens.email };
  }
}
