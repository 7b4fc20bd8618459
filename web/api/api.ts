/** The UI's client instance: same-origin, with the session's CSRF token once logged in. */
import { ApiFailure, createClient, type Op, type ArgsOf, type ResponseOf } from './client.js';

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

/** Remember the CSRF token from POST /api/login or GET /api/session (sent on every state change). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (expired, logged out elsewhere). */
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

const call = createClient({ csrfToken: () => csrfToken });

/** Call an API operation: `api('GET /api/alerts', { query: { status: 'active' } })`. */
export async function api<K extends Op>(
  op: K,
  ...rest: Partial<ArgsOf<K>> extends ArgsOf<K> ? [ArgsOf<K>?] : [ArgsOf<K>]
): Promise<ResponseOf<K>> {
  try {
    return await call(op, ...rest);
  } catch (err) {
    if (err instanceof ApiFailure && err.code === 'UNAUTHENTICATED' && op !== 'GET /api/session')
      onSignedOut?.();
    throw err;
  }
}
