/**
 * The one typed client of the Cutover API, over the operation types generated from the OpenAPI document
 * (types.gen.ts). Used by the web UI; plain `fetch`, so the CLI can use it too.
 */
import type { ErrorBody, Operations } from './types.gen.js';

export type { Operations } from './types.gen.js';

/** An operation's name: "METHOD /path". */
export type Op = keyof Operations;
/** The JSON an operation answers with. */
export type ResponseOf<K extends Op> = Operations[K]['response'];
/** The JSON body an operation takes. */
export type BodyOf<K extends Op> = Operations[K]['body'];
/** The query parameters an operation takes. */
export type QueryOf<K extends Op> = Operations[K]['query'];

type Empty = Record<string, never>;
type Part<N extends string, T> = [T] extends [undefined]
  ? object
  : [T] extends [Empty]
    ? { [P in N]?: T }
    : { [P in N]: T };
/** What a call passes: path parameters, query and body, each only when the operation has them. */
export type ArgsOf<K extends Op> = Part<'path', Operations[K]['path']> &
  Partial<Part<'query', Operations[K]['query']>> &
  Part<'body', Operations[K]['body']>;

/** An API error answer, with the server's code, message and hint (what to do). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Options of a client: where the API is and the CSRF token to send on state-changing requests. */
export interface ClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  csrfToken?: () => string | undefined;
}

type Scalar = string | number | boolean | null | undefined;

/** Fill `{name}` placeholders of an OpenAPI path and append the query string. */
export function urlOf(path: string, params: Record<string, Scalar> = {}, query: object = {}): string {
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(String(params[name])));
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query) as Array<[string, Scalar]>)
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${filled}?${s}` : filled;
}

/** A client: `call('GET /api/mailboxes', { query: { search: 'ann' } })` returns the typed answer. */
export function createClient(opts: ClientOptions = {}) {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return async function call<K extends Op>(
    op: K,
    ...rest: Partial<ArgsOf<K>> extends ArgsOf<K> ? [ArgsOf<K>?] : [ArgsOf<K>]
  ): Promise<ResponseOf<K>> {
    const args = (rest[0] ?? {}) as { path?: Record<string, Scalar>; query?: object; body?: unknown };
    const [method, path] = (op as string).split(' ') as [string, string];
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') {
      const token = opts.csrfToken?.();
      if (token) headers['x-csrf-token'] = token;
    }
    if (args.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch((opts.baseUrl ?? '') + urlOf(path, args.path, args.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: args.body === undefined ? undefined : JSON.stringify(args.body),
      });
    } catch (err) {
      throw new ApiFailure(
        0,
        'NETWORK',
        `The Cutover server could not be reached (${(err as Error).message}).`,
        'Check that `cutover serve` is still running, then try again.',
      );
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      const body = type.includes('json') ? ((await res.json().catch(() => null)) as ErrorBody | null) : null;
      throw new ApiFailure(
        res.status,
        body?.code ?? `HTTP_${res.status}`,
        body?.message ?? `The server answered ${res.status} ${res.statusText}.`,
        body?.hint,
      );
    }
    let data: unknown;
    if (res.status !== 204) data = type.includes('json') ? await res.json() : await res.text();
    return data as ResponseOf<K>;
  };
}

/** The type of a client made by createClient. */
export type Client = ReturnType<typeof createClient>;

/** The URL of a GET operation, for links the browser follows itself (downloads, printable pages). */
export function hrefOf<K extends Op>(
  op: K,
  args: { path?: Operations[K]['path']; query?: Operations[K]['query'] },
): string {
  const [method, path] = (op as string).split(' ') as [string, string];
  if (method !== 'GET') throw new Error(`${op}: only GET operations can be links`);
  return urlOf(path, args.path, args.query ?? {});
}
