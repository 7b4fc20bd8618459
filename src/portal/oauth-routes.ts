/**
 * Public routes of the consent flow: GET /p/<token>/oauth/<side> sends the browser to the provider's consent
 * page (a plain link, no scripts); GET /p/oauth/callback finishes it and shows what happened. Request logs
 * show neither the link's token nor the callback's code and state.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asCutoverError } from '../errors.js';
import { OAuthService, type OAuthOutcome } from '../services/oauth-service.js';
import { OAuthStates } from '../services/oauth-state.js';
import { AlertRepo } from '../store/alert-repo.js';
import { CredentialLinkRepo, type CredentialLinkRow } from '../store/credential-link-repo.js';
import { CredentialRepo } from '../store/credential-repo.js';
import type { CredentialSide } from '../store/credential-repo.js';
import { sendPage } from './html.js';
import { oauthResultPage } from './oauth-pages.js';
import { portalPath, type PortalDeps } from './portal-deps.js';

/** Where the provider sends the browser back. */
export const OAUTH_CALLBACK_PATH = '/p/oauth/callback';

const quiet = (shown: (url: string) => string) => ({
  schema: { hide: true },
  logSerializers: {
    req: (req: { method: string; url: string }) => ({ method: req.method, url: shown(req.url) }),
  },
});

/** The callback URL registered with the provider: the public URL, else the address the browser used. */
export const redirectUriFor = (deps: Pick<PortalDeps, 'publicUrl'>, req: FastifyRequest): string =>
  `${deps.publicUrl ?? `${req.protocol}://${req.host}`}${OAUTH_CALLBACK_PATH}`;

/** The consent flow over the portal's store and secret box (one per server: used states live in it). */
export function oauthService(deps: PortalDeps): OAuthService {
  return new OAuthService({
    links: new CredentialLinkRepo(deps.store.db),
    mailboxes: deps.credentials,
    credentials: new CredentialRepo(deps.store.db),
    box: deps.box,
    states: new OAuthStates(deps.box),
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
    quiet((u) => u.replace(/^\/p\/[^/?#]+/, '/p/[link]')),
    async (req, reply) => {
      const link = await o.linkOf(req, reply);
      if (!link) return reply;
      const ctx = await deps.credentials.context(link.mailboxId);
      const side = req.params.side as CredentialSide;
      const url =
        ctx && (side === 'source' || side === 'destination')
          ? service.start(link, ctx, side, redirectUriFor(deps, req))
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
    quiet(() => OAUTH_CALLBACK_PATH),
    async (req, reply) => {
      let outcome: OAuthOutcome;
      try {
        outcome = await service.finish(req.query, redirectUriFor(deps, req));
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
