/**
 * The `sieve` block of a one-off ManageSieve server (sieve://USER:PASS@HOST:PORT?delimiter=.&require-tls=1):
 * the IMAP hierarchy delimiter its scripts' folder names use (a bare ManageSieve server cannot tell it), and
 * whether to refuse a login without TLS. How the connection is secured (ServerSpec.tls) is read here too.
 */
import type { ServerSpec } from '../../config/types.js';
import { parseBool } from '../../config/values.js';
import type { UrlContext } from '../descriptor.js';
import type { SieveConnectOptions } from './managesieve-client.js';

/** The `sieve` block of a server. */
export interface SieveSettings {
  /** IMAP hierarchy delimiter of the mailbox's folder names in scripts; default '/'. */
  delimiter?: string;
  /** Refuse to log in when the server offers no STARTTLS; default false (STARTTLS whenever offered). */
  requireTls?: boolean;
}

/** The block of a server (absent = defaults). */
export const sieveSettingsOf = (server: ServerSpec) =>
  (server as ServerSpec & { sieve?: SieveSettings }).sieve ?? {};

/** The URL's own parameters: delimiter= (one character), require-tls= (a yes/no). */
export function sieveFromUrl(u: UrlContext): { settings?: SieveSettings } {
  const settings: SieveSettings = {};
  const d = u.params.delimiter;
  if (d !== undefined) {
    if ([...d].length !== 1)
      u.fail(
        `delimiter=${d} in ${u.shown} is not one character.`,
        "Write the IMAP server's hierarchy delimiter, e.g. delimiter=. (Cyrus, Courier) or delimiter=/ (the default; %2F in a URL is fine too).",
      );
    settings.delimiter = d;
  }
  const r = u.params['require-tls'];
  if (r !== undefined) {
    const b = parseBool(r);
    if (!b.ok)
      u.fail(`require-tls=${r} in ${u.shown}: ${b.message}.`, 'Write require-tls=1 or require-tls=0.');
    settings.requireTls = b.value;
  }
  return { settings: Object.keys(settings).length ? settings : undefined };
}

/**
 * Connection options: ServerSpec.tls `starttls` (sieve://) means STARTTLS when the server offers it — the
 * connection stays plain where it does not, unless TLS is required; `tls` is TLS from the first byte.
 */
export function connectOptions(server: ServerSpec, requireTls: boolean): SieveConnectOptions {
  return {
    host: server.host,
    port: server.port,
    tls: server.tls,
    requireTls: requireTls || server.tls === 'tls',
    allowInvalidCertificates: server.allowInvalidCertificates,
  };
}
