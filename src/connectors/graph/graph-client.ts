/**
 * One mailbox's Graph client: bearer token (refreshed once on 401), `Prefer: IdType="ImmutableId"` so ids
 * survive moves, the mailbox's 4-request gate held for the whole request (a `$value` download holds it until
 * its body is read), its request and upload budgets counted before each request is sent (graph-budget.ts),
 * typed errors. Given the application's shared-limits hook, the gate and budgets hold for all its processes
 * together (graph-shared-limits.ts). Connectors never sleep here: throttling, and a budget spent, are thrown to the scheduler.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { throwIfAborted } from '../../errors.js';
import type { TokenSource } from './graph-token-source.js';
import type { GraphTarget } from './graph-config.js';
import { graphError, type GraphErrorBody } from './graph-errors.js';
import { readAll, send } from './graph-transport.js';
import type { SharedLimits } from '../context-hooks.js';
import { budgetFor } from './graph-budget.js';
import {
  SharedMailboxBudget,
  SharedMailboxGate,
  type MailboxBudgets,
  type MailboxPermits,
} from './graph-shared-limits.js';
import { gateFor, MAILBOX_CONCURRENCY } from './mailbox-gate.js';

/** One request inside a `$batch`. */
export interface BatchRequest {
  method: string;
  /** Relative to the version root, e.g. `/users/x/messages/id?$select=...`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}
/** Its answer (bodies as JSON). */
export interface BatchResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const IMMUTABLE = 'IdType="ImmutableId"';

/** A relative URL with its query percent-encoded as a request line would carry it (spaces, quotes). */
function encodedPath(url: string): string {
  const u = new URL(url, 'https://graph.invalid');
  return `${u.pathname}${u.search}`;
}

/** Requests to one mailbox (see the file comment). */
export class GraphClient {
  readonly gate: MailboxPermits;
  readonly budget: MailboxBudgets;

  constructor(
    readonly target: GraphTarget,
    readonly tokens: TokenSource,
    /** The application's limits shared with its other processes (ConnectorContext); absent: this process's. */
    shared?: SharedLimits,
  ) {
    const local = gateFor(target.mailboxKey);
    this.gate = shared ? new SharedMailboxGate(local, shared, target.mailboxKey) : local;
    this.budget = shared
      ? new SharedMailboxBudget(shared, target.mailboxKey, target.budget)
      : budgetFor(target.mailboxKey, target.budget);
  }

  /** A JSON request; `body` is JSON unless `raw` (then sent as text/plain, e.g. base64 MIME). */
  async json<T>(
    method: string,
    path: string,
    opts: { body?: unknown; prefer?: string; what?: string; ifMatch?: string } = {},
    signal?: AbortSignal,
  ): Promise<T> {
    const release = await this.gate.acquire(1, signal);
    try {
      const res = await this.request(method, path, opts, signal);
      const text = (await readAll(res)).toString('utf8');
      if ((res.statusCode ?? 0) >= 300)
        throw this.failure(res, text, opts.what ?? `${method} ${path.split('?')[0]}`);
      return (text ? JSON.parse(text) : {}) as T;
    } finally {
      release();
    }
  }

  /** A streamed body (`$value`); the gate permit is held until the stream ends or is destroyed. */
  async stream(path: string, signal?: AbortSignal): Promise<{ body: Readable; length?: number }> {
    const release = await this.gate.acquire(1, signal);
    try {
      const res = await this.request('GET', path, {}, signal);
      if ((res.statusCode ?? 0) >= 300)
        throw this.failure(res, (await readAll(res)).toString('utf8'), `GET ${path}`);
      res.once('close', release);
      const len = Number(res.headers['content-length']);
      return { body: res, length: Number.isFinite(len) ? len : undefined };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Up to 4 requests in one round trip (`$batch`); each counts against the mailbox limit, so 4 at most. */
  async batch(requests: BatchRequest[], signal?: AbortSignal): Promise<BatchResponse[]> {
    if (requests.length > MAILBOX_CONCURRENCY)
      throw new RangeError(`batch of ${requests.length} > ${MAILBOX_CONCURRENCY}`);
    const release = await this.gate.acquire(requests.length, signal);
    try {
      const res = await this.request(
        'POST',
        '/$batch',
        {
          count: requests.length,
          body: {
            requests: requests.map((r, i) => ({
              id: String(i + 1),
              method: r.method,
              url: encodedPath(r.url),
              headers: {
                Prefer: IMMUTABLE,
                ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
                ...r.headers,
              },
              ...(r.body !== undefined ? { body: r.body } : {}),
            })),
          },
        },
        signal,
      );
      const text = (await readAll(res)).toString('utf8');
      if ((res.statusCode ?? 0) >= 300) throw this.failure(res, text, 'POST $batch');
      const out = (JSON.parse(text) as { responses: Array<BatchResponse & { id: string }> }).responses;
      return requests.map(
        (_, i) => out.find((r) => r.id === String(i + 1)) ?? { status: 500, headers: {}, body: {} },
      );
    } finally {
      release();
    }
  }

  /** Map a failed inner batch response. */
  batchFailure(r: BatchResponse, what: string): Error {
    const retry = Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
    return graphError(
      r.status,
      (r.body as { error?: GraphErrorBody } | undefined)?.error ?? {},
      retry,
      this.target.where,
      what,
    );
  }

  /** Every page of a collection, following @odata.nextLink. */
  async *pages<T>(path: string, signal?: AbortSignal, prefer?: string): AsyncIterable<T[]> {
    for (let next: string | undefined = path; next;) {
      throwIfAborted(signal);
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.json(
        'GET',
        next,
        { prefer },
        signal,
      );
      yield page.value;
      next = page['@odata.nextLink'];
    }
  }

  /**
   * PUT of one range to an upload session URL (pre-authorised: no bearer token may be sent); the session's
   * answer (where the next range starts, when the session expires), empty after the last range.
   */
  async putRange(
    url: string,
    chunk: Buffer,
    start: number,
    total: number,
    signal?: AbortSignal,
  ): Promise<{ nextExpectedRanges?: string[]; expirationDateTime?: string }> {
    const release = await this.gate.acquire(1, signal);
    try {
      await this.budget.take(1, chunk.length, this.target.where);
      const res = await send(
        url,
        {
          method: 'PUT',
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `bytes ${start}-${start + chunk.length - 1}/${total}`,
          },
          body: chunk,
          insecure: this.target.insecure,
        },
        this.target.where,
        signal,
      );
      const text = (await readAll(res)).toString('utf8');
      if ((res.statusCode ?? 0) >= 300) throw this.failure(res, text, 'PUT upload range');
      try {
        return text ? (JSON.parse(text) as { nextExpectedRanges?: string[] }) : {};
      } catch {
        return {};
      }
    } finally {
      release();
    }
  }

  private async request(
    method: string,
    path: string,
    opts: { body?: unknown; prefer?: string; raw?: boolean; count?: number; ifMatch?: string },
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = /^https?:/.test(path) ? path : `${this.target.baseUrl}${path}`;
    const body =
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body);
    // Every request counts; a body sent with PATCH, POST or PUT counts as uploaded (throttling-limits page).
    const uploaded = body === undefined || method === 'GET' ? 0 : Buffer.byteLength(body);
    const count = opts.count ?? 1;
    const headers = (token: string): Record<string, string> => ({
      authorization: `Bearer ${token}`,
      prefer: [IMMUTABLE, opts.prefer].filter(Boolean).join(', '),
      ...(opts.ifMatch ? { 'if-match': opts.ifMatch } : {}),
      ...(body !== undefined
        ? { 'content-type': typeof opts.body === 'string' ? 'text/plain' : 'application/json' }
        : {}),
    });
    const go = async (fresh: boolean) => {
      await this.budget.take(count, uploaded, this.target.where);
      return send(
        url,
        { method, headers: headers(await this.tokens.token(fresh)), body, insecure: this.target.insecure },
        this.target.where,
        signal,
      );
    };
    const res = await go(false);
    if (res.statusCode !== 401) return res;
    res.resume();
    return go(true); // the token expired or was revoked: one fresh token, then whatever Graph says
  }

  private failure(res: IncomingMessage, text: string, what: string): Error {
    let body: GraphErrorBody = {};
    try {
      body = (JSON.parse(text) as { error?: GraphErrorBody }).error ?? {};
    } catch {
      body = { message: text.slice(0, 200) };
    }
    const retry: string | string[] | undefined = res.headers['retry-after'];
    return graphError(
      res.statusCode ?? 0,
      body,
      typeof retry === 'string' ? retry : retry?.[0],
      this.target.where,
      what,
    );
  }
}
