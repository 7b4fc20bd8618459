/**
 * HTTPS requests to Graph and Entra ID with node's own client: streamed responses, an AbortSignal on
 * every request, keep-alive, and certificate checks that a test lab may switch off (allowInvalidCertificates).
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { AbortError } from '../../errors.js';
import { httpNetworkError, idleTimeout } from '../shared/http-errors.js';

const agents = new Map<string, http.Agent>();
function agentFor(url: URL, insecure: boolean): http.Agent {
  const key = `${url.protocol}${insecure}`;
  let a = agents.get(key);
  if (!a) {
    a =
      url.protocol === 'http:'
        ? new http.Agent({ keepAlive: true, maxSockets: 64 })
        : new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: !insecure });
    agents.set(key, a);
  }
  return a;
}

/** One request; resolves when the response head arrives (the body is the returned stream). */
export function send(
  url: string,
  opts: { method: string; headers?: Record<string, string>; body?: Buffer | string; insecure: boolean },
  where: string,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const u = new URL(url);
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
  const mod = u.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const req = mod.request(
      u,
      {
        method: opts.method,
        agent: agentFor(u, opts.insecure),
        headers: { ...opts.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        signal,
      },
      resolve,
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(networkError(err, where, signal)));
    idleTimeout(req); // a silent connection must not hang the mailbox for ever
    req.end(body);
  });
}

/** The whole body of a (small) response. */
export async function readAll(res: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Socket-level failures, mapped once for the HTTP connectors (shared/http-errors.ts). */
export function networkError(err: NodeJS.ErrnoException, where: string, signal?: AbortSignal): Error {
  return httpNetworkError(err, where, 'Check the Graph base URL and the network path.', signal);
}
