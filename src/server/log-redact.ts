/**
 * Keeping end users' personal tokens out of the log. A personal link `/p/<token>` is the key to a
 * mailbox's credential page, and it reaches the server in every shape a mail client or a person makes of it
 * (a trailing slash, an extra segment, a query, an unknown route answered 404): request lines show
 * `/p/[link]` wherever it appears, and nothing of a query under /p/ (an OAuth callback carries its code and
 * state there). Every log line also passes through the same redaction, so a token quoted in an error message
 * is caught too.
 */
import type { FastifyRequest } from 'fastify';

/** `/p/<anything but a separator>`, except the fixed `/p/oauth/…` routes; `%2F` counts as a slash. */
const PORTAL_TOKEN = /\/p(?:\/|%2f)(?!oauth(?:[/?#"\s\\]|%2f|$))[^/?#"\s\\]+/gi;
const UNDER_PORTAL = /\/p(?:\/|%2f)/i;
/** OAuth callback parameters, should a whole callback URL end up in a message. */
const CALLBACK_SECRET = /([?&](?:code|state)=)[^&#"'()<>\s\\]+/gi;
/** Query parameters that carry a secret in request URLs (the setup link's token too: it is logged once, by the server). */
const QUERY_SECRET = /([?&](?:code|state|token)=)[^&#]*/gi;

/** A request URL as the log shows it. */
export function redactUrl(url: string): string {
  const q = url.search(/[?#]/);
  const path = q === -1 ? url : url.slice(0, q);
  const shown = path.replace(PORTAL_TOKEN, '/p/[link]');
  if (UNDER_PORTAL.test(path) || q === -1) return shown;
  return shown + url.slice(q).replace(QUERY_SECRET, '$1[redacted]');
}

/** One log line (or any text) with portal tokens and callback secrets replaced. */
export function redactLine(line: string): string {
  return line.replace(PORTAL_TOKEN, '/p/[link]').replace(CALLBACK_SECRET, '$1[redacted]');
}

/** Fastify logger options: info level to `out`, every line redacted, request URLs redacted. */
export function redactingLogger(out: { write(s: string): unknown } = process.stdout) {
  return {
    level: 'info',
    stream: { write: (line: string) => void out.write(redactLine(line)) },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}
