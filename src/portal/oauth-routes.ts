/**
 * Public routes of the consent flow: GET /p/<token>/oauth/<side> sends the browser to the provider's consent
 * page (a plain link, no scripts); GET /p/oauth/callback finishes it and shows what happened. Request logs
 * show neither the link's token nor the callback's code and state (src/server/log-redact.ts). The
 * redirect_uri is built from the public URL, never from the request's Host header, which the client chooses.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asCutoverError } from '../errors.js';
import { OAuthService, type OAuthOutcome } from '../services/oauth-service.js';
import { OAuthStates } from '../services/oauth-state.js';
import { AlertRepo } from '../store/alert-repo.js';
import { CredentialLinkRepo, type CredentialLinkRow } from '../store/credential-link-repo.js';
import { CredentialRepo } from '../store/credential-repo.js';
import type { CredentialSide } from '../store/credential-repo.js';
import { isLoopbackHost } from '../http/edge-options.js';
import { UsedNonceRepo } from '../store/used-nonce-repo.js';
import { page, sendPage } from './html.js';
import { oauthResultPage } from './oauth-pages.js';
import { portalPath, type PortalDeps } from './portal-deps.js';

/** Where the provider sends the browser back. */
export const OAUTH_CALLBACK_PATH = '/p/oauth/callback';

const hidden = { schema: { hide: true } };

/**
 * The callback URL registered with the provider: under the public URL; without one, for a server only this
 * machine can reach, the loopback address it listens on; otherwise none (consent cannot be offered).
 */
export function redirectUriFor(
  publicUrl: string | undefined,
  server: { address(): AddressInfo | string | null },
): string | undefined {
  if (publicUrl) return `${publicUrl}${OAUTH_CALLBACK_PATH}`;
  const a = server.address();
  if (!a || typeof a === 'string' || !isLoopbackHost(a.address)) return undefined;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}${OAUTH_CALLBACK_PATH}`;
}

const noRedirectPage = page(
  'Your mailbox is moving',
  '<section><p class="error" role="alert">Signing in with your provider is not set up on this server yet (its public address is missing). Please use the password form, or tell your IT contact.</p></section>',
);

/** The consent flow over the portal's store and secret box (one per server: used states live in it). */
export function oauthService(deps: PortalDeps): OAuthService {
  return new OAuthService({
    links: new CredentialLinkRepo(deps.store.db),
    mailboxes: deps.credentials,
    credentials: new CredentialRepo(deps.store.db),
    box: deps.box,
    states: new OAuthStates(deps.box, new UsedNonceRepo(deps.store.db)),
    alerts: new AlertRepo(deps.store.db),
  });
}

/** Register the consent routes; `linkOf` resolves a personal token (sending the refusal when it fails). */
export function oauthRoutes(
  app: FastifyInstance,
  o: {
    deps: PortalDeps;
    service: OAuthService;
    linkOf: (
      req: FastifyRequest<{ Params: { token: string } }>,
      reply: FastifyReply,
    ) => Promise<CredentialLinkRow | undefined>;
  },
): void {
  const { deps, service } = o;
  app.get<{ Params: { token: string; side: string } }>(
    '/p/:token/oauth/:side',
    hidden,
    async (req, reply) => {
      const link = await o.linkOf(req, reply);
      if (!link) return reply;
      const redirectUri = redirectUriFor(deps.publicUrl, app.server);
      if (!redirectUri) return sendPage(reply, 503, noRedirectPage);
      const ctx = await deps.credentials.context(link.mailboxId);
      const side = req.params.side as CredentialSide;
      const url =
        ctx && (side === 'source' || side === 'destination')
          ? service.start(link, ctx, side, redirectUri)
          : undefined;
      // No consent flow for that side: back to the page, which shows what it does offer.
      return reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .redirect(url ?? portalPath(req.params.token), 303);
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    OAUTH_CALLBACK_PATH,
    hidden,
    async (req, reply) => {
      let outcome: OAuthOutcome;
      const redirectUri = redirectUriFor(deps.publicUrl, app.server);
      try {
        if (!redirectUri) throw new Error('no redirect URI: no public URL');
        outcome = await service.finish(req.query, redirectUri);
      } catch (err) {
        req.log.error({ code: asCutoverError(err).code }, 'finishing a sign-in failed'); // never the query
        outcome = { kind: 'unreachable', mailboxId: 0 };
      }
      const back =
        'mailboxId' in outcome && outcome.mailboxId
          ? portalPath((await deps.links.current(outcome.mailboxId)).token)
          : undefined;
      const { status, html } = oauthResultPage(outcome, back);
      return sendPage(reply, status, html);
    },
  );
}
