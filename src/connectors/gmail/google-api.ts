/**
 * The People, Calendar and Tasks API operations Cutover uses for contacts, calendars and tasks, in one table
 * (which API, which scope), and one client that sends them: the connector's access tokens (gmail-auth.ts),
 * a per-user pace per API (gmail-quota.ts, over every worker when the application shares its limits), one retry with a fresh token after a 401, errors mapped once
 * (gmail-errors.ts) plus the two answers a sync must tell apart: an expired sync token (Calendar 410
 * fullSyncRequired, People 400 EXPIRED_SYNC_TOKEN) and a stale ETag (412, People's 400 FAILED_PRECONDITION).
 *
 * Scopes an admin grants the service account's client ID (domain-wide delegation) besides the Gmail ones:
 * https://www.googleapis.com/auth/contacts, https://www.googleapis.com/auth/calendar and
 * https://www.googleapis.com/auth/tasks.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type { SharedLimits } from '../context-hooks.js';
import { TokenSource } from './gmail-auth.js';
import { GMAIL_API, type GmailTarget } from './gmail-config.js';
import { mapGmailError } from './gmail-errors.js';
import { readText, send } from './gmail-http.js';
import { quotaFor } from './gmail-quota.js';

export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';
export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
export const TASKS_SCOPE = 'https://www.googleapis.com/auth/tasks';

/** Each API: its documented host, the path prefix of its methods, its scope and the pace Cutover keeps. */
const APIS = {
  people: { host: 'https://people.googleapis.com', prefix: '/v1', scope: CONTACTS_SCOPE, perSecond: 3 },
  calendar: {
    host: 'https://www.googleapis.com',
    prefix: '/calendar/v3',
    scope: CALENDAR_SCOPE,
    perSecond: 8,
  },
  tasks: { host: 'https://tasks.googleapis.com', prefix: '/tasks/v1', scope: TASKS_SCOPE, perSecond: 8 },
} as const;
export type GoogleApiName = keyof typeof APIS;

/** A sync token the API no longer takes: the caller lists everything instead. */
export class SyncTokenExpired extends PermanentError {}

/** The item changed since the ETag given (If-Match / person.etag). */
export class StaleEtag extends PermanentError {}

/** One request. */
export interface GoogleCall {
  api: GoogleApiName;
  /** For messages and counters: `events.import`, `people.createContact`, … */
  op: string;
  method?: string;
  /** Below the API's prefix: `/calendars/primary/events`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  headers?: Record<string, string>;
}

/** Sends People, Calendar and Tasks requests for one user. */
export class GoogleApi {
  private readonly tokens: TokenSource;

  /** `shared`: the application's limits over every worker (each API's per-user pace is counted there). */
  constructor(
    readonly target: GmailTarget,
    private readonly shared?: SharedLimits,
  ) {
    this.tokens = new TokenSource(target.credential, target.tokenUrl, target.where);
  }

  get where(): string {
    return this.target.where;
  }

  /**
   * Google's own host for each API; a project that points `apiUrl` elsewhere (a proxy, the test emulator)
   * reaches all three through that one base.
   */
  base(api: GoogleApiName): string {
    return this.target.apiUrl === GMAIL_API ? APIS[api].host : this.target.apiUrl;
  }

  /** Every `items` entry of a list call, following `nextPageToken` page after page. */
  async allItems<T>(call: GoogleCall, signal?: AbortSignal): Promise<T[]> {
    const all: T[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.json<{ items?: T[]; nextPageToken?: string }>(
        { ...call, query: { ...call.query, pageToken } },
        signal,
      );
      all.push(...(page.items ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all;
  }

  /** Send a call and parse its JSON answer (`{}` for an empty one). */
  async json<T>(call: GoogleCall, signal?: AbortSignal): Promise<T> {
    const api = APIS[call.api];
    const pace = quotaFor(
      `${this.base(call.api)}#${call.api}`,
      this.target.user,
      Math.min(api.perSecond, this.target.unitsPerSecond),
      this.shared,
      call.api,
    );
    for (let attempt = 0; ; attempt++) {
      await pace.take(1, signal);
      const token = await this.tokens.token(api.scope, signal);
      const url = new URL(`${this.base(call.api)}${api.prefix}${call.path}`);
      for (const [k, v] of Object.entries(call.query ?? {}))
        if (v !== undefined) url.searchParams.set(k, String(v));
      const body = call.json !== undefined ? Buffer.from(JSON.stringify(call.json)) : undefined;
      const res = await send(
        {
          method: call.method ?? (body ? 'POST' : 'GET'),
          url: url.toString(),
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { 'content-type': 'application/json; charset=UTF-8' } : {}),
            ...call.headers,
          },
          body,
        },
        this.where,
        signal,
      );
      const status = res.statusCode ?? 0;
      const text = await readText(res, this.where);
      if (status >= 200 && status < 300) return parse<T>(text, `${this.where} ${call.op}`);
      if (status === 401 && attempt === 0) {
        this.tokens.forget(api.scope);
        continue;
      }
      throw mapGoogleError(status, text, retryAfter(res.headers['retry-after']), `${this.where} ${call.op}`);
    }
  }
}

function retryAfter(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parse<T>(text: string, where: string): T {
  try {
    return (text ? JSON.parse(text) : {}) as T;
  } catch {
    throw new PermanentError(
      ErrorCode.ProtocolError,
      `${where}: the answer is not JSON ("${text.slice(0, 80)}").`,
      'Check the API URL.',
    );
  }
}

/** Gmail's mapping, plus the expired sync token and the stale ETag a sync acts on. */
export function mapGoogleError(status: number, text: string, retry: string | undefined, where: string) {
  const mapped = mapGmailError(status, text, retry, where);
  if (
    (status === 410 && /fullSyncRequired|updatedMinTooLongAgo/.test(text)) ||
    (status === 400 && /EXPIRED_SYNC_TOKEN/.test(text))
  )
    return new SyncTokenExpired(
      ErrorCode.SourceReadFailed,
      mapped.message,
      'Cutover lists the whole collection again.',
    );
  if (status === 412 || (status === 400 && /FAILED_PRECONDITION|etag/i.test(text) && /etag/i.test(text)))
    return new StaleEtag(
      ErrorCode.Conflict,
      mapped.message,
      'The item changed at the destination since Cutover wrote it; the next pass reads it again.',
    );
  if (status === 403 && mapped.code === ErrorCode.AuthFailed)
    return new PermanentError(
      ErrorCode.AuthFailed,
      mapped.message,
      'Grant the service account the contacts, calendar and tasks scopes (Admin console → Security → API controls → Domain-wide delegation), and check the user has Contacts, Calendar and Tasks switched on.',
    );
  return mapped;
}
