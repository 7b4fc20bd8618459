/**
 * One HTTP exchange with a Google API over node:http/https: request bodies stream with backpressure and an
 * exact Content-Length, responses are handed over as streams (a 150 MB message is never one string).
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortError, ErrorCode, TransientError } from '../../errors.js';
import { httpNetworkError, idleTimeout } from '../shared/http-errors.js';

/** What a request sends. */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A buffer, or a stream of exactly `length` bytes. */
  body?: Buffer | Readable;
  length?: number;
}

/** A connection silent this long (no byte either way) is given up: Cutover retries it. */

/** Largest JSON answer read into memory (a metadata answer is a few kB; raw bodies are streamed). */
const JSON_MAX = 16 * 1024 * 1024;

/** Send a request; resolves when the response head has arrived. The caller must consume or destroy it. */
export function send(req: HttpRequest, where: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
  if (signal?.aborted) return Promise.reject(new AbortError());
  const u = new URL(req.url);
  const lib = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined)
    headers['content-length'] = String(Buffer.isBuffer(req.body) ? req.body.length : req.length);
  return new Promise((resolve, reject) => {
    // A body that fails while it is sent (cut short at the source) is the reason, not the socket.
    let bodyError: Error | undefined;
    const r = lib.request(u, { method: req.method, headers, signal }, resolve);
    r.on('error', (err) => reject(bodyError ?? networkError(err, where, signal)));
    idleTimeout(r);
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else
      pipeline(req.body, r).catch((err: Error) => {
        bodyError ??= err;
        r.destroy(err);
        reject(err);
      });
  });
}

/** Read a whole (small) response body. */
export async function readText(res: http.IncomingMessage, where: string): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res) {
      size += (c as Buffer).length;
      if (size > JSON_MAX) {
        res.destroy();
        throw new TransientError(ErrorCode.ProtocolError, `${where}: an answer over ${JSON_MAX} bytes.`);
      }
      parts.push(c as Buffer);
    }
  } catch (err) {
    if (err instanceof TransientError) throw err;
    throw networkError(err as Error, where);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** A socket-level failure as a typed error (src/connectors/shared/http-errors.ts, in this repository). */
export function networkError(err: Error, where: string, signal?: AbortSignal): Error {
  return httpNetworkError(err, where, 'Check the API URL and that this machine can reach Google.', signal);
}
