/**
 * The Gmail API operations Cutover uses, in one table with their documented quota units, and one client
 * that sends them: access token, per-user quota gate (shared by every worker when the application gives
 * its shared limits), one retry with a fresh token after a 401, errors
 * mapped once. Paths are relative to /gmail/v1/users/me (the token says which user).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { SharedLimits } from '../context-hooks.js';
import { GMAIL_SCOPE, TokenSource } from './gmail-auth.js';
import type { GmailTarget } from './gmail-config.js';
import { mapGmailError } from './gmail-errors.js';
import { readText, send } from './gmail-http.js';
import { quotaFor, type QuotaGate } from './gmail-quota.js';

/** Quota units per method (Gmail API usage limits). */
export const UNITS = {
  getProfile: 1,
  'labels.list': 1,
  'labels.get': 1,
  'labels.create': 5,
  'messages.list': 5,
  'messages.get': 5,
  'messages.import': 25,
  'messages.insert': 25,
  'messages.delete': 10,
  'drafts.create': 10,
  'drafts.delete': 10,
  'labels.delete': 5,
  /** The body of a resumable upload: its units were counted when the session was opened. */
  'upload.body': 0,
  'messages.batchModify': 50,
  'history.list': 2,
  'settings.filters.list': 1,
  'settings.filters.create': 5,
  'settings.getVacation': 1,
  /** Counted as filters.create (5): the usage-limits table's rows read for this did not show it. */
  'settings.updateVacation': 5,
  'settings.sendAs.list': 1,
  /** As settings.sendAs.update (100): patch is its partial form. */
  'settings.sendAs.patch': 100,
  'settings.forwardingAddresses.list': 1,
} as const;
export type GmailOp = keyof typeof UNITS;

/** A label as labels.list/get return it. */
export interface GmailLabel {
  id: string;
  name: string;
  type?: 'system' | 'user';
  messagesTotal?: number;
}

/** One request. `upload` uses the /upload/ endpoint. */
export interface GmailCall {
  op: GmailOp;
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Repeated query parameters (metadataHeaders=…&metadataHeaders=…). */
  extraQuery?: Array<[string, string]>;
  json?: unknown;
  body?: Buffer | Readable;
  length?: number;
  headers?: Record<string, string>;
  upload?: boolean;
  /** An absolute URL (a resumable session) instead of path + query. */
  url?: string;
  /** The OAuth scope the method needs, when not full mailbox access (settings writes: SETTINGS_SCOPE). */
  scope?: string;
}

/** Sends Gmail API requests for one user. */
export class GmailApi {
  private readonly tokens: TokenSource;
  private readonly quota: QuotaGate;

  /** `shared`: the application's limits over every worker (the user's quota is counted there). */
  constructor(
    readonly target: GmailTarget,
    shared?: SharedLimits,
  ) {
    this.tokens = new TokenSource(target.credential, target.tokenUrl, target.where);
    this.quota = quotaFor(target.apiUrl, target.user, target.unitsPerSecond, shared);
  }

  get where(): string {
    return this.target.where;
  }

  /** Send a call; resolves with the 2xx response (stream), throws typed errors otherwise. */
  async raw(call: GmailCall, signal?: AbortSignal): Promise<IncomingMessage> {
    const streamed = call.body !== undefined && !Buffer.isBuffer(call.body);
    for (let attempt = 0; ; attempt++) {
      await this.quota.take(UNITS[call.op], signal);
      const scope = call.scope ?? GMAIL_SCOPE;
      const token = await this.tokens.token(scope, signal);
      const body = call.json !== undefined ? Buffer.from(JSON.stringify(call.json)) : call.body;
      const res = await send(
        {
          method: call.method ?? (body ? 'POST' : 'GET'),
          url: call.url ?? this.url(call),
          headers: {
            authorization: `Bearer ${token}`,
            ...(call.json !== undefined ? { 'content-type': 'application/json; charset=UTF-8' } : {}),
            ...call.headers,
          },
          body,
          length: call.length,
        },
        this.where,
        signal,
      );
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return res;
      const text = await readText(res, this.where);
      // An expired or revoked token: once more with a fresh one (a streamed body cannot be sent twice).
      if (status === 401 && attempt === 0 && !streamed) {
        this.tokens.forget(scope);
        continue;
      }
      throw mapGmailError(status, text, header(res, 'retry-after'), `${this.where} ${call.op}`);
    }
  }

  /** Send a call and parse its JSON answer. */
  async json<T>(call: GmailCall, signal?: AbortSignal): Promise<T> {
    const res = await this.raw(call, signal);
    const text = await readText(res, this.where);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${this.where} ${call.op}: the answer is not JSON ("${text.slice(0, 80)}").`,
        'Check the API URL.',
      );
    }
  }

  private url(call: GmailCall): string {
    const u = new URL(`${this.target.apiUrl}${call.upload ? '/upload' : ''}/gmail/v1/users/me${call.path}`);
    for (const [k, v] of Object.entries(call.query ?? {}))
      if (v !== undefined) u.searchParams.set(k, String(v));
    for (const [k, v] of call.extraQuery ?? []) u.searchParams.append(k, v);
    return u.toString();
  }
}

/** A response header as one string. */
export function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
