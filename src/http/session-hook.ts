/** The session gate: 401 without a live session, 403 when a state-changing request lacks the CSRF token. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameToken, type AuthService } from '../services/auth-service.js';
import { ApiError, ApiErrorCode } from '../api-error.js';
import type { SessionInfo } from '../schemas/common.js';

export const SESSION_COOKIE = 'cutover_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in operator's session (set by the session gate on protected routes). */
    session: SessionInfo | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** onRequest hook for protected routes (runs before validation, so 401 comes before 400). */
export function requireSession(auth: AuthService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const session = await auth.session(request.cookies[SESSION_COOKIE]);
    if (!session)
      throw new ApiError(
        401,
        ApiErrorCode.Unauthenticated,
        'You are not logged in, or your session has expired.',
        'Log in with POST /api/login.',
      );
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken))
        throw new ApiError(
          403,
          ApiErrorCode.CsrfFailed,
          sent === undefined
            ? 'The X-CSRF-Token header is missing.'
            : 'The X-CSRF-Token header does not match this session.',
          'Send header X-CSRF-Token with the csrfToken returned by POST /api/login or GET /api/session.',
        );
    }
    request.session = session;
  };
}
