/**
 * The error the HTTP edges (operator API, portal, session gate) and the auth service throw to answer with a
 * status and the one error body, and the closed set of codes only the API reports. Beside errors.ts, below
 * every layer, apart from the Fastify error handler (src/server/errors.ts) that sends it.
 */
import type { ErrorCode } from './errors.js';

/** Codes the API adds to Cutover's own (src/errors.ts). Add here, never invent strings elsewhere. */
export const ApiErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  Unauthenticated: 'UNAUTHENTICATED',
  LoginFailed: 'LOGIN_FAILED',
  CsrfFailed: 'CSRF_FAILED',
  SetupDone: 'SETUP_DONE',
  SetupRequired: 'SETUP_REQUIRED',
  SetupTokenRequired: 'SETUP_TOKEN_REQUIRED',
  WeakPassword: 'PASSWORD_WEAK',
  HostNotAllowed: 'HOST_NOT_ALLOWED',
  RateLimited: 'RATE_LIMITED',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** An error the API answers with `status` and the one error body. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 421 | 429 | 500 | 501,
    readonly code: ApiErrorCode | ErrorCode,
    message: string,
    readonly hint?: string,
    /** Seconds, sent as Retry-After (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
