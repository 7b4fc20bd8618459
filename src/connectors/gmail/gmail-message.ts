/**
 * Reading one message with messages.get?format=raw: the decoded bytes stream into a sink while the answer
 * arrives. Used three ways: metadata for copying (exact size, Message-ID, Date, header block — the whole
 * body is read because Gmail's sizeEstimate is not the exact size a destination reports; it is kept for
 * the copy when the cache has room), bodies (spooled so the exact size is known before the first byte is
 * handed on), and survey metadata (format=metadata with the estimate, for the scan).
 */
import type { Readable } from 'node:stream';
import type { CutoverError } from '../../errors.js';
import type { MessageMeta } from '../contract.js';
import { parseIdentityHeaders, setHeaderHashes } from '../shared/identity-headers.js';
import { BodySpool } from '../shared/body-spool.js';
import { HeaderSink } from '../shared/header-sink.js';
import type { GmailApi } from './gmail-api.js';
import type { Keeper } from './gmail-body-cache.js';
import { GmailNotFoundError } from './gmail-errors.js';
import { networkError } from './gmail-http.js';
import { readRawAnswer, type PartSink } from './gmail-raw.js';

/** Metadata requests in flight at once per listing (each is one messages.get; the quota gate paces them). */
export const META_PARALLEL = 4;

/** The fields of a format=raw answer Cutover reads besides the body. */
export interface RawFields {
  id?: string;
  labelIds?: string[];
  internalDate?: string;
  rawBytes: number;
}

/** Fetch a message, feeding its bytes to `sink`; undefined when it no longer exists (404). */
export async function fetchRaw(
  api: GmailApi,
  id: string,
  sink: PartSink,
  signal?: AbortSignal,
): Promise<RawFields | undefined> {
  let res: Readable;
  try {
    res = await api.raw(
      { op: 'messages.get', path: `/messages/${encodeURIComponent(id)}`, query: { format: 'raw' } },
      signal,
    );
  } catch (err) {
    if (err instanceof GmailNotFoundError) return undefined;
    throw err;
  }
  try {
    const fields: RawFields = await readRawAnswer(res, sink);
    return fields;
  } catch (err) {
    res.destroy();
    if ((err as CutoverError).code) throw err;
    throw networkError(err as Error, `${api.where} message ${id}`, signal);
  }
}

/** Metadata of one message (exact size, identity headers, header hash when there is no Message-ID). */
export async function fetchMeta(
  api: GmailApi,
  id: string,
  uid: number,
  /** The flags to report, or how to read them from the answer's labels. */
  flags: string[] | ((labelIds: string[]) => string[]),
  signal?: AbortSignal,
  /** Where to keep the whole body, so it need not be read again. */
  keep?: Keeper,
): Promise<MessageMeta | undefined> {
  const head = new HeaderSink();
  let fields: RawFields | undefined;
  try {
    fields = await fetchRaw(
      api,
      id,
      (part) => {
        head.write(part);
        return keep?.write(part);
      },
      signal,
    );
  } catch (err) {
    await keep?.abort();
    throw err;
  }
  if (!fields) {
    await keep?.abort();
    return undefined;
  }
  await keep?.finish();
  const ids = parseIdentityHeaders(head.header());
  const meta: MessageMeta = {
    uid,
    size: fields.rawBytes,
    internalDate: new Date(Number(fields.internalDate ?? 0)),
    flags: typeof flags === 'function' ? flags(fields.labelIds ?? []) : flags,
    ...ids,
  };
  if (!ids.messageId) setHeaderHashes([meta], [[uid, head.header()]]);
  return meta;
}

/**
 * Survey metadata from messages.get?format=metadata: Message-ID and Date, with Gmail's sizeEstimate — not
 * the exact size, so never for fingerprints that decide a copy; cheap for a scan (no body is downloaded).
 */
export async function fetchEstimate(
  api: GmailApi,
  id: string,
  uid: number,
  flags: string[],
  signal?: AbortSignal,
): Promise<MessageMeta | undefined> {
  let m: {
    internalDate?: string;
    sizeEstimate?: number;
    payload?: { headers?: Array<{ name: string; value: string }> };
  };
  try {
    m = await api.json(
      {
        op: 'messages.get',
        path: `/messages/${encodeURIComponent(id)}`,
        query: { format: 'metadata', metadataHeaders: 'Message-ID' },
        extraQuery: [['metadataHeaders', 'Date']],
      },
      signal,
    );
  } catch (err) {
    if (err instanceof GmailNotFoundError) return undefined;
    throw err;
  }
  // The same normalisation as for header blocks read from bodies.
  const block = (m.payload?.headers ?? []).map((h) => `${h.name}: ${h.value}\r\n`).join('');
  return {
    uid,
    size: m.sizeEstimate ?? 0,
    internalDate: new Date(Number(m.internalDate ?? 0)),
    flags,
    ...parseIdentityHeaders(Buffer.from(`${block}\r\n`, 'latin1')),
  };
}

/** The body of one message, spooled (memory, or a private temp file when large) with its exact size. */
export async function fetchBody(
  api: GmailApi,
  id: string,
  signal?: AbortSignal,
): Promise<{ size: number; body: Buffer | Readable } | undefined> {
  const spool = new BodySpool();
  try {
    const fields = await fetchRaw(api, id, (part) => spool.put(part), signal);
    if (!fields) {
      await spool.discard();
      return undefined;
    }
    return await spool.finish();
  } catch (err) {
    await spool.discard();
    throw err;
  }
}
