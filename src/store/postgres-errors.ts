/**
 * What can go wrong opening a PostgreSQL store, said for the person who typed the URL: not a postgres://
 * URL, the host unreachable, the login refused, the database missing, the server too old. The password is
 * never shown (`redactDatabaseUrl`).
 */
import { ErrorCode, PermanentError, TransientError } from '../errors.js';

/** The oldest PostgreSQL the store (and pg-boss beside it) runs on. */
export const MIN_SERVER_VERSION = 13;

const EXAMPLE = 'postgres://USER:PASSWORD@HOST:5432/DATABASE';

/** The URL with its password replaced by ***. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** The URL parsed, or a ConfigInvalid error that says what a store URL looks like. */
export function checkDatabaseUrl(url: string): URL {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:'))
    throw new PermanentError(
      ErrorCode.UrlInvalid,
      `The database URL ${redactDatabaseUrl(url)} is not a postgres:// URL.`,
      `Write ${EXAMPLE} (or leave --database-url and CUTOVER_DATABASE_URL unset for the embedded store).`,
    );
  if (!u.hostname || u.pathname.length <= 1)
    throw new PermanentError(
      ErrorCode.UrlInvalid,
      `The database URL ${redactDatabaseUrl(url)} names no ${u.hostname ? 'database' : 'host'}.`,
      `Write ${EXAMPLE}.`,
    );
  return u;
}

/** The name of the database a URL points at. */
export function databaseName(u: URL): string {
  return decodeURIComponent(u.pathname.slice(1));
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** A pg or socket error from the first connection, as a CutoverError that says what to do. */
export function openError(err: unknown, url: string): Error {
  const shown = redactDatabaseUrl(url);
  const e = err as { code?: string; message?: string };
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || '5432'}`;
  const name = databaseName(u);
  const message = e.message ?? String(err);
  if ((e.code && UNREACHABLE.has(e.code)) || /timeout|terminated unexpectedly/i.test(message))
    return new TransientError(
      ErrorCode.ConnectionRefused,
      `Cannot reach PostgreSQL at ${where} (${shown}): ${e.code ?? message}.`,
      'Check the host and port in the URL, that the server is running and listens there (listen_addresses, firewall).',
      { cause: err },
    );
  if (e.code === '28P01' || e.code === '28000')
    return new PermanentError(
      ErrorCode.AuthFailed,
      `PostgreSQL at ${where} refused the login of user '${decodeURIComponent(u.username)}' (${shown}): ${message}.`,
      'Check the user and password in the URL (a password with @ : / must be percent-encoded), and pg_hba.conf.',
      { cause: err },
    );
  if (e.code === '3D000')
    return new PermanentError(
      ErrorCode.NotFound,
      `The database '${name}' does not exist on ${where} (${shown}).`,
      `Create it (createdb -h ${u.hostname} -U ${decodeURIComponent(u.username) || 'USER'} ${name}) or point the URL at one that exists.`,
      { cause: err },
    );
  if (e.code === '42501')
    return new PermanentError(
      ErrorCode.AuthFailed,
      `User '${decodeURIComponent(u.username)}' may not create Cutover's tables in '${name}' (${shown}): ${message}.`,
      `Grant it the right (GRANT CREATE ON SCHEMA public TO ${decodeURIComponent(u.username)}) or use the database's owner.`,
      { cause: err },
    );
  return err instanceof Error ? err : new Error(message);
}

/** The error for a server older than MIN_SERVER_VERSION. */
export function tooOldError(versionNum: number, url: string): PermanentError {
  const major = Math.floor(versionNum / 10000);
  return new PermanentError(
    ErrorCode.ConfigInvalid,
    `PostgreSQL ${major} at ${redactDatabaseUrl(url)} is too old: Cutover needs ${MIN_SERVER_VERSION} or later.`,
    `Upgrade the server (or use another one of version ${MIN_SERVER_VERSION}+), or leave the URL out for the embedded store.`,
  );
}
