/**
 * DNS rebinding: a page on an attacker's domain re-points that name at this server, and the victim's
 * browser then talks to Cutover as the attacker's own origin. The browser still sends the attacker's name in
 * the Host header, so with a public URL set every request whose host is not the public URL's is refused
 * (421). A connection from this machine itself may also name it by a loopback name (health checks, curl),
 * which no rebinding can produce. Behind a trusted proxy Fastify reads X-Forwarded-Host when the proxy sends
 * it, otherwise the Host the proxy passes on (nginx: `proxy_set_header Host $host`).
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, ApiErrorCode } from './errors.js';
import { isLoopbackHost } from '../http/edge-options.js';

const normal = (h: string) => h.toLowerCase().replace(/\.$/, '');

/** onRequest hook refusing every host but the one of `publicUrl` (an origin, as parsePublicUrl returns). */
export function hostCheck(publicUrl: string) {
  const allowed = normal(new URL(publicUrl).hostname);
  return async (req: FastifyRequest): Promise<void> => {
    const host = normal(req.hostname);
    if (host === allowed) return;
    if (isLoopbackHost(host) && isLoopbackHost(req.socket?.remoteAddress ?? '')) return;
    throw new ApiError(
      421,
      ApiErrorCode.HostNotAllowed,
      `This server answers for ${allowed}, not for "${host || '(no host)'}".`,
      `Open ${publicUrl}. Operators: the reverse proxy must pass the Host header on; CUTOVER_PUBLIC_URL (--public-url) names the host.`,
    );
  };
}
