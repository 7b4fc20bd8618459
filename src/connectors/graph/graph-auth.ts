/**
 * Access tokens for Graph. App-only: the client-credentials grant through MSAL (one MSAL application per
 * tenant + app + cache home in the process, so every connection shares its token cache; given a data
 * directory or the application's kept-secrets hook (ConnectorContext) the cache is also kept, sealed, on
 * disk or in the store — graph-token-cache.ts — so a restart, or another worker, reuses its tokens).
 * Delegated: an access token for one mailbox, given by the operator (the mailbox's `xoauth2` login; it
 * cannot be refreshed), or a refresh token (the mailbox's `password` login, redeemed with the server's
 * app registration — graph-refresh.ts).
 */
import { createHash } from 'node:crypto';
import type { ConfidentialClientApplication } from '@azure/msal-node';
import type { AuthSpec, SecretRef, ServerSpec } from '../../config/types.js';
import { resolveSecret } from '../../config/secrets.js';
import { ErrorCode, PermanentError, TransientError } from '../../errors.js';
import type { ConnectorContext } from '../contract.js';
import type { GraphTarget } from './graph-config.js';
import { MsalNetwork } from './msal-network.js';
import { RefreshTokenSource } from './graph-refresh.js';
import { cachePluginFor, type TokenCacheHome } from './graph-token-cache.js';
import type { TokenSource } from './graph-token-source.js';

const apps = new Map<string, Promise<ConfidentialClientApplication>>();
const storeIds = new WeakMap<object, number>();
let lastStoreId = 0;

/** A number per kept-secrets hook, so each store gets its own MSAL application (and cache plugin). */
function storeId(hook: object): number {
  const known = storeIds.get(hook);
  if (known !== undefined) return known;
  storeIds.set(hook, ++lastStoreId);
  return lastStoreId;
}

/** MSAL is loaded on the first token request: a run that never reaches Microsoft 365 never parses it. */
async function msalApp(
  key: string,
  settings: () => ConstructorParameters<typeof ConfidentialClientApplication>[0],
): Promise<ConfidentialClientApplication> {
  let app = apps.get(key);
  if (!app) {
    app = import('@azure/msal-node').then(({ ConfidentialClientApplication: App }) => new App(settings()));
    void app.catch(() => apps.delete(key));
    apps.set(key, app);
  }
  return app;
}

/** Client credentials through MSAL, authority `{authorityHost}/{tenantId}`. */
export class AppTokenSource implements TokenSource {
  private readonly app: () => Promise<ConfidentialClientApplication>;
  private readonly scope: string;

  constructor(
    private readonly target: GraphTarget,
    clientId: string,
    clientSecret: string,
    /** The resource's `.default` scope; default Graph's (the origin of the base URL). */
    scope?: string,
    /** Where the token cache is kept across restarts (graph-token-cache.ts); neither place: memory only. */
    cache: TokenCacheHome = {},
  ) {
    const authority = `${target.authorityHost}/${target.tenantId}`;
    const home = cache.keptSecrets ? `kept:${storeId(cache.keptSecrets)}` : (cache.dataDir ?? '');
    const key = createHash('sha256')
      .update(`${authority}\n${clientId}\n${clientSecret}\n${target.insecure}\n${home}`)
      .digest('hex');
    this.app = () =>
      msalApp(key, () => {
        const cachePlugin = cachePluginFor(cache, authority, clientId);
        return {
          auth: { clientId, clientSecret, authority, knownAuthorities: [new URL(target.authorityHost).host] },
          ...(cachePlugin ? { cache: { cachePlugin } } : {}),
          system: { networkClient: new MsalNetwork(target.insecure, target.where) },
        };
      });
    this.scope = scope ?? `${new URL(target.baseUrl).origin}/.default`;
  }

  async token(fresh = false): Promise<string> {
    return (await this.acquire(fresh)).token;
  }

  /** A token and when it expires (an IMAP session ends when its token does). */
  async acquire(fresh = false): Promise<{ token: string; expiresOn: number }> {
    try {
      const r = await (
        await this.app()
      ).acquireTokenByClientCredential({ scopes: [this.scope], skipCache: fresh });
      if (!r?.accessToken) throw new Error('no access token in the answer');
      return { token: r.accessToken, expiresOn: r.expiresOn?.getTime() ?? Date.now() + 3_600_000 };
    } catch (err) {
      if (err instanceof TransientError || err instanceof PermanentError) throw err;
      const e = err as { errorCode?: string; message?: string };
      const text = `${e.errorCode ?? ''} ${e.message ?? ''}`;
      if (
        /invalid_client|unauthorized_client|AADSTS7000215|AADSTS700016|AADSTS90002|invalid_grant/i.test(text)
      )
        throw new PermanentError(
          ErrorCode.AuthFailed,
          `${this.target.where}: Entra ID refused the app's credentials (${text.trim()}).`,
          'Check the tenant id, the application (client) id and the client secret (secrets expire).',
          { cause: err },
        );
      throw new TransientError(
        ErrorCode.ConnectionLost,
        `${this.target.where}: getting a token failed (${text.trim()}).`,
        'Cutover retries on its own.',
        { cause: err },
      );
    }
  }
}

/** A delegated access token for one mailbox. */
export class StaticTokenSource implements TokenSource {
  constructor(
    private readonly value: string,
    private readonly where: string,
  ) {}

  async token(fresh = false): Promise<string> {
    if (fresh)
      throw new PermanentError(
        ErrorCode.AuthFailed,
        `${this.where}: the delegated access token was refused (expired?).`,
        'Get a fresh token for this mailbox, or use app-only access (admin mode master).',
      );
    return this.value;
  }
}

/** The app registration (client id + secret): the server's admin login in mode master. */
export interface AppRegistration {
  clientId: string;
  clientSecret: SecretRef;
}

/** The server's app registration, when its admin login is one (mode master). */
export function appOf(server: ServerSpec): AppRegistration | undefined {
  return server.admin?.mode === 'master'
    ? { clientId: server.admin.user, clientSecret: server.admin.password }
    : undefined;
}

/**
 * The token source for a login: `master` = app-only (user = client id, password = secret); `xoauth2` = a
 * delegated access token; `password` = a delegated refresh token, redeemed with `app`. `context` gives the
 * token cache's directory and whom to tell of a rotated refresh token.
 */
export function tokenSourceFor(
  target: GraphTarget,
  auth: AuthSpec,
  app?: AppRegistration,
  context: ConnectorContext = {},
): TokenSource {
  if (auth.kind === 'master')
    return new AppTokenSource(target, auth.masterUser, resolveSecret(auth.password), undefined, context);
  if (auth.kind === 'xoauth2') return new StaticTokenSource(resolveSecret(auth.accessToken), target.where);
  if (app)
    return new RefreshTokenSource(
      target,
      app.clientId,
      resolveSecret(app.clientSecret),
      resolveSecret(auth.password),
      context.onTokenRotated,
    );
  throw new PermanentError(
    ErrorCode.ConfigInvalid,
    `${target.where}: Microsoft 365 does not take passwords (basic authentication is off in Exchange Online); a password login is read as a delegated refresh token, and the server names no app registration to redeem it.`,
    'Use app-only access: admin: { user: <client id>, password: <client secret>, mode: master } (a refresh token then works too), or a delegated access token (auth=xoauth2).',
  );
}
