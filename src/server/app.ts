/**
 * The HTTP API as one Fastify instance over the embedded store. The server command and the tests call
 * `buildServer` (tests in-process with `app.inject`).
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { openStore, type Store } from '../store/db.js';
import { OperatorRepo } from '../store/operator-repo.js';
import { AuthService } from './auth-service.js';
import { ApiError, ApiErrorCode, sendError } from './errors.js';
import { RateLimiter } from './rate-limit.js';
import { publicAuthRoutes, sessionRoutes } from './routes/auth-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { ErrorBody } from './schemas.js';
import { CSRF_HEADER, SESSION_COOKIE } from './session-hook.js';
import { webUi } from './web-ui.js';
import { credentialRoutes } from './routes/credential-routes.js';
import { commsHub, portalServices, type PortalOptions } from '../portal/portal-setup.js';
import { commsRoutes } from './routes/comms-routes.js';
import { portalRoutes } from '../portal/portal-routes.js';
import { clientSetupRoutes } from '../portal/client-setup-routes.js';

export interface ServerOptions extends PortalOptions {
  /** Where the embedded store lives. */
  dataDir: string;
  /** The project file, for routes that need the project (none yet). */
  projectFile?: string;
  /** Fastify logger (off by default; the serve command turns it on). */
  logger?: boolean;
  /** Login attempts allowed per client IP and window (default 10 a minute). */
  loginLimit?: { max: number; windowMs: number };
}

/** Build the API server (not listening). Closing it closes the store. */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const store = await openStore(opts.dataDir);
  let app: FastifyInstance | undefined;
  try {
    app = await assemble(store, opts);
    return app;
  } catch (err) {
    await (app ? app.close() : store.close());
    throw err;
  }
}

async function assemble(store: Store, opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Unknown properties are refused (told), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.addHook('onClose', async () => store.close());
  app.decorateRequest('session', null);
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req) => {
    throw new ApiError(
      404,
      ApiErrorCode.NotFound,
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

  const auth = new AuthService(new OperatorRepo(store.db));
  const loginLimit = opts.loginLimit ?? { max: 10, windowMs: 60_000 };
  await app.register(publicAuthRoutes, {
    auth,
    loginLimiter: new RateLimiter(loginLimit.max, loginLimit.windowMs),
  });
  await app.register(sessionRoutes, { auth });
  await app.register(dataRoutes, { store, auth });
  await app.register(adminRoutes, { store, auth, dataDir: opts.dataDir, projectFile: opts.projectFile });
  // The public credential portal and client set-up endpoints, and the operator's credential routes.
  const portal = portalServices(store, opts);
  await app.register(portalRoutes, { deps: portal, auth });
  await app.register(clientSetupRoutes, { projects: portal.projects });
  await app.register(credentialRoutes, { deps: portal, auth });
  const comms = commsHub(portal, opts);
  app.addHook('onClose', async () => comms.close());
  if (opts.commsIntervalMs !== 0)
    app.addHook('onReady', async () => comms.start(opts.commsIntervalMs ?? 300_000, app.log));
  await app.register(commsRoutes, { hub: comms, auth });
  // Last: the UI's index.html answers every other GET outside /api.
  await app.register(webUi, {});
  return app;
}
