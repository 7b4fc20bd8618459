/**
 * `cutover serve`: the web UI and its HTTP API over the embedded store, until interrupted. Reachable from
 * other machines — listening beyond loopback, or behind a reverse proxy (a public URL or trusted proxies
 * given) — it guards the first run with a one-time setup link (printed and logged once); listening beyond
 * loopback without a public URL, it warns that it answers for any host name.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { ErrorCode, PermanentError } from '../../errors.js';
import { buildServer } from '../../server/app.js';
import {
  isLoopbackHost,
  parsePublicUrl,
  parseTrustProxy,
  PUBLIC_URL_ENV,
  TRUST_PROXY_ENV,
} from '../../http/edge-options.js';
import { resolveDataDir, resolveStore } from '../context.js';

export interface ServeOptions {
  project?: string;
  dataDir?: string;
  /** The PostgreSQL store (else $CUTOVER_DATABASE_URL, else the embedded store). */
  databaseUrl?: string;
  port: string;
  host: string;
  /** The address people open (else $CUTOVER_PUBLIC_URL). */
  publicUrl?: string;
  /** Reverse proxies to believe, comma-separated (else $CUTOVER_TRUST_PROXY). */
  trustProxy?: string;
}

const warn = (text: string) => process.stderr.write(`cutover: warning: ${text}\n`);

export async function serveCommand(o: ServeOptions): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `--port ${o.port} is not a port number.`,
      'Use 0–65535 (0: any free port).',
    );
  const publicUrl = parsePublicUrl(
    o.publicUrl ?? process.env[PUBLIC_URL_ENV],
    o.publicUrl ? '--public-url' : PUBLIC_URL_ENV,
  );
  const trustProxy = parseTrustProxy(
    o.trustProxy ?? process.env[TRUST_PROXY_ENV],
    o.trustProxy ? '--trust-proxy' : TRUST_PROXY_ENV,
  );
  const beyond = !isLoopbackHost(o.host);
  // Whoever reaches the address first must not get to choose the admin password: a loopback server is
  // reachable from outside too when a reverse proxy forwards to it.
  const reachable = beyond || publicUrl !== undefined || trustProxy.length > 0;
  const setupToken = reachable ? randomBytes(24).toString('base64url') : undefined;
  const dataDir = resolveDataDir(o);
  const target = resolveStore(o);
  const app = await buildServer({
    dataDir,
    databaseUrl: 'databaseUrl' in target ? target.databaseUrl : undefined,
    projectFile: o.project,
    logger: true,
    publicUrl,
    trustProxy,
    setupToken,
  });
  const address = await app.listen({ port, host: o.host });
  // The setup link goes out in the same write as the address: whoever reads the address line (a person, a
  // script) has the link with it.
  let setupLink: string | undefined;
  if (setupToken && (await app.setupPending()))
    setupLink = `${publicUrl ?? reachableBase(app.server.address(), address)}/setup?token=${setupToken}`;
  process.stdout.write(
    `cutover: web UI on ${address}/ (API reference: ${address}/api/docs)\n` +
      (setupLink
        ? `cutover: first run: open ${setupLink} to create the admin account (the link works once, until this process ends).\n`
        : ''),
  );
  if (beyond && !publicUrl) {
    const text = `listening on ${o.host} without a public URL: requests for any host name are answered (a DNS-rebinding page could reach this server), and personal links and Google/Microsoft sign-in cannot be built. Set --public-url https://<the address people open> (or ${PUBLIC_URL_ENV}).`;
    warn(text);
    app.log.warn(text);
  }
  if (setupLink)
    app.log.warn({ setupLink }, 'first run: the admin account is created through the setup link');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
}

/**
 * A base URL someone on the network can open: the address listened on, or for a wildcard (0.0.0.0, ::) the
 * machine's first external interface address; `fallback` when there is none.
 */
function reachableBase(bound: AddressInfo | string | null, fallback: string): string {
  if (!bound || typeof bound === 'string') return fallback;
  const url = (ip: string, family: string) =>
    `http://${family === 'IPv6' || family === '6' ? `[${ip}]` : ip}:${bound.port}`;
  if (bound.address !== '0.0.0.0' && bound.address !== '::') return url(bound.address, bound.family);
  const external = Object.values(os.networkInterfaces())
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => !!i && !i.internal && !i.address.startsWith('fe80:'));
  const pick = external.find((i) => i.family === 'IPv4') ?? external[0];
  return pick ? url(pick.address, String(pick.family)) : fallback;
}
