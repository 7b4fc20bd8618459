/** First-run setup, login, logout and the current session. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_TTL_MS, type AuthService } from '../../services/auth-service.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import type { LoginLimits } from '../login-limits.js';
import { Credentials, errors, Ok, SessionInfo, SetupBody, SetupState } from '../../schemas/common.js';
import { requireSession, SESSION_COOKIE } from '../../http/session-hook.js';

const secured = [{ sessionCookie: [] }];
const csrf = [{ sessionCookie: [], csrfHeader: [] }];

/** Routes that work without a session: setup and login. */
export async function publicAuthRoutes(
  app: FastifyInstance,
  opts: { auth: AuthService; limits: LoginLimits },
): Promise<void> {
  const { auth, limits } = opts;

  app.get(
    '/api/setup',
    {
      schema: {
        tags: ['auth'],
        operationId: 'getSetupState',
        summary: 'Whether first-run setup is still open (the UI then opens on the set-up form)',
        response: { 200: SetupState },
      },
    },
    async () => auth.setupState(),
  );

  app.post<{ Body: SetupBody }>(
    '/api/setup',
    {
      schema: {
        tags: ['auth'],
        operationId: 'setupAdmin',
        summary: 'Create the first (admin) operator; only while no operator exists',
        body: SetupBody,
        response: { 201: Ok, ...errors(400, 403, 409) },
      },
    },
    async (req, reply) => {
      await auth.setup(req.body.user, req.body.password, req.body.token);
      return reply.code(201).send({ ok: true });
    },
  );

  app.post<{ Body: Credentials }>(
    '/api/login',
    {
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Log in; sets the cutover_session cookie and returns the CSRF token',
        body: Credentials,
        response: { 200: SessionInfo, ...errors(400, 401, 429) },
      },
      // Counted before validation so malformed attempts count too.
      onRequest: async (req: FastifyRequest) => limits.admitAddress(req.ip),
    },
    async (req, reply: FastifyReply) => {
      await limits.admitAccount(req.body.user);
      let opened;
      try {
        opened = await auth.login(req.body.user, req.body.password);
      } catch (err) {
        if (err instanceof ApiError && err.code === ApiErrorCode.LoginFailed)
          await limits.failed(req.body.user, req.ip);
        throw err;
      }
      const { token, session } = opened;
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        path: '/',
        maxAge: SESSION_TTL_MS / 1000,
      });
      return session;
    },
  );
}

/** Routes that need a session: the session itself and logout. */
export async function sessionRoutes(app: FastifyInstance, opts: { auth: AuthService }): Promise<void> {
  const { auth } = opts;
  app.addHook('onRequest', requireSession(auth));

  app.get(
    '/api/session',
    {
      schema: {
        tags: ['auth'],
        operationId: 'getSession',
        summary: 'The current session and its CSRF token',
        security: secured,
        response: { 200: SessionInfo, ...errors(401) },
      },
    },
    async (req) => req.session!,
  );

  app.post(
    '/api/logout',
    {
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'End the session',
        security: csrf,
        response: { 200: Ok, ...errors(401, 403) },
      },
    },
    async (req, reply) => {
      await auth.logout(req.cookies[SESSION_COOKIE]!);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );
}
