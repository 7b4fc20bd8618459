/**
 * Delegated access to one mailbox from a refresh token (the mailbox's own `password` login, as a consent
 * flow stores it), redeemed with the project's app registration (the server's admin: client id + secret)
 * at Entra ID's v2.0 token endpoint. The access token is kept until shortly before it expires or Graph
 * refuses it (401: GraphClient asks for a fresh one once); Entra rotates refresh tokens, so the newest is
 * kept in memory for the rest of the process and announced (ConnectorContext.onTokenRotated) so the stored
 * one follows. Connections to the same mailbox share one refresh.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, PermanentError, TransientError } from '../../errors.js';
import type { TokenSource } from './graph-token-source.js';
import type { GraphTarget } from './graph-config.js';
import { readAll, send } from './graph-transport.js';

/** Renew this long before the stated expiry. */
const EARLY_MS = 5 * 60_000;

interface Held {
  refreshToken: string;
  access?: { token: string; until: number };
  pending?: Promise<string>;
}
const held = new Map<string, Held>();

/** The token endpoint's answer (RFC 6749 §5.1, §5.2). */
interface TokenAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  error?: string;
  error_description?: string;
}

/** A refresh-token login for one mailbox (see the file comment). */
export class RefreshTokenSource implements TokenSource {
  private readonly state: Held;

  constructor(
    private readonly target: GraphTarget,
    private readonly clientId: string,
    private readonly clientSecret: string,
    refreshToken: string,
    /** Told when Entra ID replaced the refresh token (the stored credential follows); absent: no one. */
    private readonly onRotated?: (previous: string, next: string) => Promise<void>,
  ) {
    const key = createHash('sha256')
      .update(`${target.authorityHost}\n${target.tenantId}\n${clientId}\n${target.user}\n${refreshToken}`)
      .digest('hex');
    let s = held.get(key);
    if (!s) held.set(key, (s = { refreshToken }));
    this.state = s;
  }

  async token(fresh = false): Promise<string> {
    const s = this.state;
    if (!fresh && s.access && s.access.until > Date.now()) return s.access.token;
    if (fresh) s.access = undefined;
    s.pending ??= this.redeem().finally(() => (s.pending = undefined));
    return s.pending;
  }

  private async redeem(): Promise<string> {
    const t = this.target;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.clientId,
      client_secret: this.clientSecret,
      refresh_token: this.state.refreshToken,
      scope: `${new URL(t.baseUrl).origin}/.default offline_access`,
    });
    let status = 0;
    let body: TokenAnswer = {};
    try {
      const res = await send(
        `${t.authorityHost}/${encodeURIComponent(t.tenantId)}/oauth2/v2.0/token`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          insecure: t.insecure,
        },
        t.where,
      );
      status = res.statusCode ?? 0;
      body = JSON.parse((await readAll(res)).toString('utf8') || '{}') as TokenAnswer;
    } catch (err) {
      if (err instanceof TransientError || err instanceof PermanentError) throw err;
      throw new TransientError(
        ErrorCode.ConnectionLost,
        `${t.where}: refreshing the delegated token failed (${(err as Error).message}).`,
        'Cutover retries on its own.',
        { cause: err },
      );
    }
    if (status === 200 && typeof body.access_token === 'string') {
      if (typeof body.refresh_token === 'string' && body.refresh_token !== this.state.refreshToken) {
        const previous = this.state.refreshToken;
        this.state.refreshToken = body.refresh_token;
        await this.onRotated?.(previous, body.refresh_token).catch(() => undefined); // its failures are its own
      }
      const life = (Number(body.expires_in) || 3600) * 1000;
      this.state.access = { token: body.access_token, until: Date.now() + Math.max(0, life - EARLY_MS) };
      return body.access_token;
    }
    const text = `${body.error ?? status}: ${body.error_description ?? ''}`.trim();
    if (status >= 500 || status === 429)
      throw new TransientError(
        ErrorCode.ConnectionLost,
        `${t.where}: Entra ID could not refresh the token (${text}).`,
        'Cutover retries on its own.',
      );
    throw new PermanentError(
      ErrorCode.AuthFailed,
      `${t.where}: Entra ID refused the mailbox's refresh token (${text}).`,
      /invalid_client|unauthorized_client/.test(text)
        ? "Check the server's admin login: the app registration's client id and secret."
        : 'The consent was revoked or has expired: ask the user to sign in again (or use app-only access).',
    );
  }
}
