/**
 * The public credential page: GET shows the form for the link's mailbox, POST checks the passwords by a real
 * login and stores them; the Apple profile download records the client set-up. Plain HTML forms, no scripts.
 * Attempts are limited per link and per client IP (counted in the store, so a restart keeps them; behind a
 * reverse proxy the IP is the real client's with `--trust-proxy`); the form token is bound to the link.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asCutoverError } from '../errors.js';
import { RateLimiter } from '../http/rate-limit.js';
import { RateLimitRepo } from '../store/rate-limit-repo.js';
import type { AuthService } from '../services/auth-service.js';
import { SESSION_COOKIE } from '../http/session-hook.js';
import { addressOf, clientSettings } from '../services/client-setup-service.js';
import type { SideOutcome } from '../services/credential-service.js';
import type { CredentialLinkRow } from '../store/credential-link-repo.js';
import { mobileconfig } from './client-setup-profile.js';
import { credentialPage, refusalPage } from './credential-page.js';
import { oauthRoutes, oauthService, redirectUriFor } from './oauth-routes.js';
import { page, sendPage } from './html.js';
import { portalPath, type PortalDeps } from './portal-deps.js';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

const APPLE_UA = /iPhone|iPad|iPod|Macintosh|Mac OS X/;

const routeOpts = { schema: { hide: true } };

export async function portalRoutes(app: FastifyInstance, opts: { deps: PortalDeps; auth?: AuthService }) {
  const { deps } = opts;
  const counters = new RateLimitRepo(deps.store.db);
  const perLink = new RateLimiter(counters, 'portal-link', deps.limits.perLink);
  const perIp = new RateLimiter(counters, 'portal-ip', deps.limits.perIp);
  const oauth = oauthService(deps);
  // Plain HTML forms post urlencoded bodies; small ones only (two passwords and a token).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  /** The live link of the request, or the refusal already sent. */
  async function linkOf(req: TokenRequest, reply: FastifyReply): Promise<CredentialLinkRow | undefined> {
    const r = await deps.links.resolve(req.params.token);
    if (r.ok) return r.link;
    const wait = await perIp.hit(req.ip); // bad links count against the IP: guessing gets slow fast
    if (wait !== undefined)
      void sendPage(reply.header('retry-after', String(wait)), 429, refusalPage('limited', wait));
    else void sendPage(reply, r.why === 'unknown' ? 404 : 410, refusalPage(r.why));
    return undefined;
  }

  async function render(
    req: TokenRequest,
    reply: FastifyReply,
    link: CredentialLinkRow,
    status: number,
    outcomes?: SideOutcome[],
  ) {
    const ctx = await deps.credentials.context(link.mailboxId);
    if (!ctx)
      return sendPage(
        reply,
        503,
        page(
          'Your mailbox is moving',
          '<section><p class="error">This page is not ready yet. Please try again later.</p></section>',
        ),
      );
    const operator = Boolean(opts.auth && (await opts.auth.session(req.cookies[SESSION_COOKIE])));
    return sendPage(
      reply,
      status,
      credentialPage({
        projectName: ctx.project.name,
        sourceUser: ctx.sourceUser,
        destUser: ctx.destUser,
        required: ctx.required,
        verified: await deps.credentials.verifiedSides(ctx.mailboxId),
        outcomes,
        formToken: deps.links.formToken(link),
        action: portalPath(req.params.token),
        profileUrl: `${portalPath(req.params.token)}/apple.mobileconfig`,
        apple: APPLE_UA.test(req.headers['user-agent'] ?? ''),
        operator,
        // Consent needs a redirect URI; without one only the password form is offered.
        oauth: Object.fromEntries(
          (redirectUriFor(deps.publicUrl, app.server) ? oauth.offers(ctx) : []).map((o) => [
            o.side,
            { label: o.provider.label, href: `${portalPath(req.params.token)}/oauth/${o.side}` },
          ]),
        ),
      }),
    );
  }

  app.get<{ Params: { token: string } }>('/p/:token', routeOpts, async (req, reply) => {
    const link = await linkOf(req, reply);
    return link ? render(req, reply, link, 200) : reply;
  });

  app.post<{ Params: { token: string }; Body: Record<string, string> | undefined }>(
    '/p/:token',
    routeOpts,
    async (req, reply) => {
      const link = await linkOf(req, reply);
      if (!link) return reply;
      const wait = (await perIp.hit(req.ip)) ?? (await perLink.hit(link.tokenHash));
      if (wait !== undefined)
        return sendPage(reply.header('retry-after', String(wait)), 429, refusalPage('limited', wait));
      const body = req.body ?? {};
      if (!deps.links.checkFormToken(link, body.form)) return sendPage(reply, 403, refusalPage('form'));
      const ctx = await deps.credentials.context(link.mailboxId);
      if (!ctx) return render(req, reply, link, 503);
      const given = Object.fromEntries(
        ctx.required.map((s) => [s, body[s] ?? ''] as const).filter(([, v]) => v !== ''),
      );
      if (Object.keys(given).length === 0)
        return render(
          req,
          reply,
          link,
          400,
          ctx.required.map((side) => ({
            side,
            status: 'invalid' as const,
            message: 'Please enter the password.',
          })),
        );
      const operator = Boolean(opts.auth && (await opts.auth.session(req.cookies[SESSION_COOKIE])));
      let outcomes: SideOutcome[];
      try {
        outcomes = await deps.credentials.submit(ctx, given, operator ? 'operator' : 'portal');
      } catch (err) {
        // Never the body: it holds passwords.
        req.log.error({ code: asCutoverError(err).code }, 'storing a credential failed');
        outcomes = Object.keys(given).map((side) => ({
          side: side as 'source' | 'destination',
          status: 'unchecked' as const,
          message: 'Something went wrong on our side; nothing was saved. Please try again later.',
        }));
      }
      return render(req, reply, link, outcomes.every((o) => o.status === 'stored') ? 200 : 422, outcomes);
    },
  );

  oauthRoutes(app, { deps, service: oauth, linkOf });

  app.get<{ Params: { token: string } }>('/p/:token/apple.mobileconfig', routeOpts, async (req, reply) => {
    const link = await linkOf(req, reply);
    if (!link) return reply;
    const ctx = await deps.credentials.context(link.mailboxId);
    if (!ctx) return render(req, reply, link, 503);
    const settings = clientSettings(ctx.project);
    const profile = mobileconfig(settings, {
      mailboxId: ctx.mailboxId,
      address: addressOf(ctx.destUser, settings),
      login: ctx.destUser,
    });
    await deps.setups.record(ctx.mailboxId, 'apple-profile');
    return reply
      .header('content-type', 'application/x-apple-aspen-config; charset=utf-8')
      .header('content-disposition', 'attachment; filename="mail.mobileconfig"')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(profile);
  });
}
