/** What every admin route file shares: the security requirements for OpenAPI. */

/** OpenAPI security of a read route: the session cookie. */
export const secured = [{ sessionCookie: [] }];
/** OpenAPI security of a state-changing route: the session cookie and the CSRF header. */
export const csrf = [{ sessionCookie: [], csrfHeader: [] }];
