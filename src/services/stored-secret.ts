/** How a project's settings keep a secret (a password, a TSIG key, an OAuth client secret). */

/** A secret as stored: sealed, or a reference to where it lives (an environment variable, a file). */
export type StoredSecret = { sealed: string } | { env: string } | { file: string };
