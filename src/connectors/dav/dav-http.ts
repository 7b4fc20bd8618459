/**
 * One HTTP exchange with a CalDAV/CardDAV server: any method (PROPFIND, REPORT, MKCALENDAR, MKCOL,
 * PROPPATCH, PUT, DELETE), Basic or Bearer login sent with every request, the idle timeout and abort signal,
 * and the answers every DAV operation treats alike mapped once: 401 is a refused login, 429 and 503 a wait,
 * other 5xx a retry, socket failures through shared/http-errors.ts. Everything else is handed back for the
 * operation to judge (a 412 means one thing to a PUT and another to a sync).
 *
 * node:http/https rather than fetch: Node's built-in fetch takes no per-request TLS options without the
 * undici package, and ServerSpec.allowInvalidCertificates needs one.
 */
import http from 'node:http';
import https from 'node:https';
import { AbortError, ErrorCode, PermanentError, RateLimitError, TransientError } from '../../errors.js';
import { httpNetworkError, idleTimeout } from '../shared/http-errors.js';

/** What a request sends besides its method and path. */
export interface DavRequest {
  /** Depth header (PROPFIND, REPORT). */
  depth?: '0' | '1';
  headers?: Record<string, string>;
  /** A request body; XML unless `contentType` says otherwise. */
  body?: string;
  contentType?: string;
}

/** A whole answer (DAV answers are small: items are a few kB, listings are paged by the caller). */
export interface DavAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Largest answer read into memory: a depth-1 listing of a very large collection stays well under it. */
const MAX_ANSWER = 256 * 1024 * 1024;

/** Where to reach a DAV server and how to log in to it. */
export interface DavTarget {
  /** scheme://host:port of the server. */
  origin: string;
  /** The value of the Authorization header. */
  authorization: string;
  /** The login, for messages. */
  user: string;
  /** Accept any certificate (test labs). */
  insecure: boolean;
}

export class DavHttp {
  constructor(readonly target: DavTarget) {}

  /** The absolute URL of a path (or of an absolute href the server gave, when it is on this server). */
  url(pathOrHref: string): URL {
    return new URL(pathOrHref, this.target.origin);
  }

  /**
   * Send one request and read its answer. 401, 429, 503 and other 5xx are thrown as typed errors; every
   * other status is returned.
   */
  async send(method: string, path: string, req: DavRequest = {}, signal?: AbortSignal): Promise<DavAnswer> {
    if (signal?.aborted) throw new AbortError();
    const u = this.url(path);
    const where = `${method} ${u.pathname} on ${u.host}`;
    const headers: Record<string, string> = {
      authorization: this.target.authorization,
      'user-agent': 'Cutover',
      ...req.headers,
    };
    if (req.depth !== undefined) headers.depth = req.depth;
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    if (body) {
      headers['content-type'] = req.contentType ?? 'application/xml; charset=utf-8';
      headers['content-length'] = String(body.length);
    }
    const answer = await new Promise<DavAnswer>((resolve, reject) => {
      const lib = u.protocol === 'https:' ? https : http;
      const options: https.RequestOptions = { method, headers, signal };
      if (u.protocol === 'https:') options.rejectUnauthorized = !this.target.insecure;
      const r = lib.request(u, options, (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER) {
            res.destroy();
            reject(
              new TransientError(ErrorCode.ProtocolError, `${where}: an answer over ${MAX_ANSWER} bytes.`),
            );
          } else parts.push(c);
        });
        res.on('error', (err) => reject(httpNetworkError(err, where, CHECK, signal)));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
      });
      r.on('error', (err) => reject(httpNetworkError(err, where, CHECK, signal)));
      idleTimeout(r);
      r.end(body);
    });
    return this.common(answer, where);
  }

  /** The answers every operation treats alike. */
  private common(a: DavAnswer, where: string): DavAnswer {
    if (a.status === 401)
      throw new PermanentError(
        ErrorCode.AuthFailed,
        `${where}: the server refused the login of ${this.target.user} (401 Unauthorized).`,
        'Check the user name and password in the URL (percent-encode @ : / as %40 %3A %2F); ' +
          'some servers want the full e-mail address as the login.',
      );
    if (a.status === 429 || (a.status === 503 && a.headers['retry-after'] !== undefined))
      throw new RateLimitError(
        `${where}: the server asks to slow down (${a.status}).`,
        retryAfterMs(a.headers['retry-after']),
      );
    if (a.status >= 500 && a.status !== 501 && a.status !== 507)
      throw new TransientError(
        ErrorCode.ServerUnavailable,
        `${where}: the server failed (${a.status}${shortText(a.body)}).`,
        'Cutover retries on its own; if this persists, look at the DAV server’s log.',
      );
    return a;
  }
}

const CHECK = 'Check the host and port of the dav:// or davs:// URL and that this machine can reach it.';

/** Retry-After as milliseconds: seconds or an HTTP date (0 when absent or unreadable). */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return 0;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/** ": first words of a plain-text body", for messages; '' when there is nothing readable. */
export function shortText(body: string): string {
  const t = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t === '' ? '' : `: ${t.slice(0, 200)}`;
}

/** An answer no operation expected, as an error carrying the server's words. */
export function unexpected(a: DavAnswer, where: string, expected: string): PermanentError {
  return new PermanentError(
    a.status === 404 ? ErrorCode.NotFound : ErrorCode.ProtocolError,
    `${where}: the server answered ${a.status}${shortText(a.body)} (expected ${expected}).`,
    a.status === 404
      ? 'Check the path of the dav:// URL: it may be the server root, a principal or a calendar/address-book home.'
      : a.status === 403
        ? 'The login may lack the right to do this on that collection.'
        : 'Check that the URL points at a CalDAV/CardDAV server.',
  );
}
