/**
 * The HTTP API as one Fastify instance over the embedded store. The server command and the tests call
 * `buildServer` (tests in-process with `app.inject`).
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { openStoreAt, type Store } from '../store/db.js';
import { buildServices } from '../app/compose.js';
import { ApiError, sendError } from './errors.js';
import { ErrorCode } from '../errors.js';
import { RateLimitRepo } from '../store/rate-limit-repo.js';
import { parsePublicUrl, parseTrustProxy, PUBLIC_URL_ENV, TRUST_PROXY_ENV } from '../http/edge-options.js';
import { finiteNumbers } from './finite-numbers.js';
import { hostCheck } from './host-check.js';
import { redactingLogger } from './log-redact.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimits, type LoginLimitOptions } from './login-limits.js';
import type { Allowance } from '../http/rate-limit.js';
import { publicAuthRoutes, sessionRoutes } from './routes/auth-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { connectorRoutes } from './routes/connector-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { ErrorBody } from '../schemas/common.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../http/session-hook.js';
import { webUi } from './web-ui.js';
import { credentialRoutes } from './routes/credential-routes.js';
import type { PortalOptions } from '../portal/portal-setup.js';
import { smtpFromEnv } from '../notify/smtp-mailer.js';
import { CommsHub } from './comms-hub.js';
import { commsRoutes } from './routes/comms-routes.js';
import { portalRoutes } from '../portal/portal-routes.js';
import { clientSetupRoutes } from '../portal/client-setup-routes.js';
import { openSecretBox } from '../security/secret-key.js';
import { checkStoreKey } from '../services/store-key-check.js';

export interface ServerOptions extends PortalOptions {
  /** Where the embedded store lives (with `databaseUrl`: only the files kept beside the store). */
  dataDir: string;
  /** The PostgreSQL store, instead of the embedded one (the CLI reads --database-url and $CUTOVER_DATABASE_URL). */
  databaseUrl?: string;
  /** The project file, for routes that need the project (none yet). */
  projectFile?: string;
  /** Fastify logger, portal tokens redacted (off by default; the serve command turns it on). */
  logger?: boolean;
  /** Login attempts allowed per client IP and window (default 10 a minute). */
  loginLimit?: Allowance;
  /** Failed logins allowed per account and window, and how many one address may add (default 20, 5 per 15 minutes). */
  accountLimit?: LoginLimitOptions['perAccount'];
  /** Reverse proxies whose X-Forwarded-For/-Proto/-Host are believed (default $CUTOVER_TRUST_PROXY, else none). */
  trustProxy?: string[];
  /** When set, first-run setup (POST /api/setup) needs this token; `cutover serve` sets it beyond loopback. */
  setupToken?: string;
}

/** The longest a client may take to send a whole request, headers and body (a body trickled byte by byte). */
export const REQUEST_TIMEOUT_MS = 30_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** True while no operator exists (first-run setup is still open). */
    setupPending(): Promise<boolean>;
  }
}

/** Build the API server (not listening). Closing it closes the store. */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  // Checked before anything is opened: a wrong setting fails the start, saying which.
  const publicUrl = parsePublicUrl(opts.publicUrl ?? process.env[PUBLIC_URL_ENV]);
  const trustProxy = opts.trustProxy ?? parseTrustProxy(process.env[TRUST_PROXY_ENV]);
  const store = await openStoreAt(
    opts.databaseUrl ? { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir } : { dataDir: opts.dataDir },
  );
  let app: FastifyInstance | undefined;
  try {
    // Servers sharing a database must share its secret key: refuse to start with another one.
    if (store.dialect === 'postgres') await checkStoreKey(store, openSecretBox(store.dataDir));
    app = await assemble(store, { ...opts, publicUrl, trustProxy });
    return app;
  } catch (err) {
    await (app ? app.close() : store.close());
    throw err;
  }
}

async function assemble(store: Store, opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? redactingLogger() : false,
    // Behind a reverse proxy: the client's address and scheme from X-Forwarded-For/-Proto, only when the
    // connection comes from one of these.
    trustProxy: opts.trustProxy?.length ? opts.trustProxy : false,
    // A body trickled byte by byte is cut off (408), like slow headers; checked every second.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    },
    // Unknown properties are refused (told), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.addHook('onClose', async () => store.close());
  if (opts.publicUrl) app.addHook('onRequest', hostCheck(opts.publicUrl));
  app.addHook('preHandler', finiteNumbers);
  app.decorateRequest('session', null);
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req) => {
    throw new ApiError(
      404,
      ErrorCode.NotFound,
      `No route ${req.method} ${req.url}.`,
      'See /api/docs for the routes.',
    );
  });
  app.addSchema(ErrorBody);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Cutover API',
        version: '0.1.0',
        description: 'Mail migration: mailboxes, alerts, scans.',
      },
      components: {
        securitySchemes: {
          sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrfHeader: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
        },
      },
    },
  });
  // The plugin serves files that sit next to its own module, so the CLI bundle keeps it external
  // (scripts/bundle.mjs); loaded here, only `serve` pays for it.
  const swaggerUi = (await import('@fastify/swagger-ui')).default;
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const services = buildServices(store, opts);
  const auth = services.auth;
  app.decorate('setupPending', () => auth.needsSetup());
  const limits = new LoginLimits(new RateLimitRepo(store.db), {
    perIp: opts.loginLimit ?? DEFAULT_LOGIN_LIMITS.perIp,
    perAccount: opts.accountLimit ?? DEFAULT_LOGIN_LIMITS.perAccount,
  });
  await app.register(publicAuthRoutes, { auth, limits });
  await app.register(sessionRoutes, { auth });
  await app.register(dataRoutes, { store, auth });
  await app.register(adminRoutes, { services, auth, dataDir: opts.dataDir, projectFile: opts.projectFile });
  await app.register(connectorRoutes, { auth });
  // The public credential portal and client set-up endpoints, and the operator's credential routes.
  const portal = services.portal;
  await app.register(portalRoutes, { deps: portal, auth });
  await app.register(clientSetupRoutes, { projects: portal.projects });
  await app.register(credentialRoutes, { deps: portal, auth });
  const comms = new CommsHub(
    portal,
    opts.smtp ?? smtpFromEnv(),
    opts.operatorEmail ?? process.env.CUTOVER_OPERATOR_EMAIL,
  );
  app.addHook('onClose', async () => comms.close());
  if (opts.commsIntervalMs !== 0)
    app.addHook('onReady', async () => comms.start(opts.commsIntervalMs ?? 300_000, app.log));
  await app.register(commsRoutes, { hub: comms, auth });
  // Last: the UI's index.html answers every other GET outside /api.
  await app.register(webUi, {});
  return app;
}
