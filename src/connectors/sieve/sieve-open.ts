/**
 * Opening a mailbox's filters on a ManageSieve server: the login resolved once, the connection secured as
 * asked, the endpoint naming folders as the mailbox's IMAP server does. Used by the `sieve` kind and by the
 * IMAP connector (a ManageSieve port in the IMAP server's settings).
 */
import type { AuthSpec } from '../../config/types.js';
import { resolveLogin } from '../shared/login.js';
import { ManageSieveClient, type SieveConnectOptions } from './managesieve-client.js';
import { SieveEndpoint } from './sieve-endpoint.js';
import type { SieveNaming } from './sieve-folders.js';

/** "alice on sieve mail.example.com:4190" — names the server and mailbox in every message. */
export function describeSieve(opts: { host: string; port: number }, auth: AuthSpec): string {
  return `${auth.user} on sieve ${opts.host}:${opts.port}`;
}

/** Connect, log in and open the filters endpoint. Errors come back as CutoverErrors. */
export async function openSieveFilters(
  opts: SieveConnectOptions,
  auth: AuthSpec,
  naming: SieveNaming,
  signal?: AbortSignal,
): Promise<SieveEndpoint> {
  const client = await ManageSieveClient.connect(opts, resolveLogin(auth), describeSieve(opts, auth), signal);
  return new SieveEndpoint(client, naming);
}

/** Connect and log in (for a connection test). */
export function connectSieve(
  opts: SieveConnectOptions,
  auth: AuthSpec,
  signal?: AbortSignal,
): Promise<ManageSieveClient> {
  return ManageSieveClient.connect(opts, resolveLogin(auth), describeSieve(opts, auth), signal);
}
