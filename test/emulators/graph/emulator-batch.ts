/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): JSON batching (`POST /$batch`).
 * At most 20 requests; they run at the same time and each counts against its mailbox's concurrency
 * limit on its own, as Graph evaluates them, so a batch of five to one mailbox gets a 429 inside.
 */
import { fail, type EmRequest, type EmResponse } from './emulator-http.js';

/** Graph's limit on requests in one batch. */
export const BATCH_MAX = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Run a batch through `dispatch` (one mailbox request each); bodies of raw answers come back base64. */
export async function runBatch(
  req: EmRequest,
  dispatch: (inner: EmRequest) => Promise<EmResponse>,
): Promise<EmResponse> {
  const list = (JSON.parse(req.body.toString('utf8')) as { requests?: BatchItem[] }).requests ?? [];
  if (list.length > BATCH_MAX) return fail(400, 'BadRequest', `A batch takes at most ${BATCH_MAX} requests.`);
  const responses = await Promise.all(
    list.map(async (r) => {
      const u = new URL(r.url.replace(/^\/?/, '/'), 'https://x');
      const res = await dispatch({
        method: r.method,
        path: u.pathname,
        query: u.searchParams,
        headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        body:
          r.body === undefined
            ? Buffer.alloc(0)
            : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body)),
      });
      return {
        id: r.id,
        status: res.status,
        headers: res.headers ?? {},
        body: res.raw ? res.raw.toString('base64') : res.json,
      };
    }),
  );
  return { status: 200, json: { responses } };
}
