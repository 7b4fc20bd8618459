/**
 * One message uploaded whole: messages.import (internal date from the Date header, never marked as spam,
 * no calendar processing, labels for folder and flags), messages.insert (the same, without Gmail's delivery
 * scanning: Gmail applies SENT itself when From is the user's) or drafts.create (a draft: no labels, dated
 * now). Up to 5 MB a single multipart upload (metadata + message/rfc822);
 * above, a resumable session (metadata first, then the body in one PUT), as Google advises for large media.
 * The body streams with an exact Content-Length; one that ends short or runs long aborts the upload, so a
 * truncated message is never stored.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCode, PermanentError, TransientError } from '../../errors.js';
import { header, type GmailApi } from './gmail-api.js';
import { readText } from './gmail-http.js';

/** Above this, the resumable protocol (Google: simple/multipart uploads are for 5 MB or less). */
export const MULTIPART_MAX = 5 * 1024 * 1024;

const QUERY = { internalDateSource: 'dateHeader', neverMarkSpam: true, processForCalendar: false };

const cutShort = (where: string, what: string) =>
  new TransientError(
    ErrorCode.SourceReadFailed,
    `${where}: the message body came with ${what}; nothing was stored.`,
    'Cutover reads it again from the source.',
  );

/** The body's pieces, read lazily as the upload pulls them; fails when it is shorter or longer than `size`. */
async function* exactly(body: Buffer | Readable, size: number, where: string): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of Buffer.isBuffer(body) ? [body] : (body as AsyncIterable<Buffer>)) {
    seen += chunk.length;
    if (seen > size) throw cutShort(where, `more than the announced ${size} bytes`);
    yield chunk;
  }
  if (seen !== size) throw cutShort(where, `${seen} of ${size} bytes`);
}

/** How a message arrives: the method, its path and query, and the JSON metadata sent beside the body. */
export interface Arrival {
  op: 'messages.import' | 'messages.insert' | 'drafts.create';
  path: string;
  query: Record<string, string | boolean>;
  metadata: object;
}

/** messages.import with these labels. */
export const importing = (labelIds: string[]): Arrival => ({
  op: 'messages.import',
  path: '/messages/import',
  query: QUERY,
  metadata: { labelIds },
});
/** messages.insert with these labels (SENT and DRAFT are not among what it may be given). */
export const inserting = (labelIds: string[]): Arrival => ({
  op: 'messages.insert',
  path: '/messages',
  query: { internalDateSource: 'dateHeader' },
  metadata: { labelIds },
});
/** drafts.create (a Draft resource; the message is the uploaded body). */
export const drafting: Arrival = {
  op: 'drafts.create',
  path: '/drafts',
  query: {},
  metadata: { message: {} },
};

/** What the upload answered: a Message, or for drafts.create a Draft holding one. */
export interface Uploaded {
  id: string;
  labelIds?: string[];
  message?: { id: string; labelIds?: string[] };
}

/** Import one message; resolves with its Gmail id. */
export async function importMessage(
  api: GmailApi,
  item: { size: number; body: Buffer | Readable },
  labelIds: string[],
  signal?: AbortSignal,
): Promise<string> {
  return (await uploadMessage(api, item, importing(labelIds), signal)).id;
}

/** Upload one message by `how`; resolves with the answer (it names an id). */
export async function uploadMessage(
  api: GmailApi,
  item: { size: number; body: Buffer | Readable },
  how: Arrival,
  signal?: AbortSignal,
): Promise<Uploaded> {
  const where = `${api.where} ${how.op}`;
  const metadata = JSON.stringify(how.metadata);
  let answer: string;
  if (item.size <= MULTIPART_MAX) {
    const boundary = `cutover_${randomBytes(12).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${metadata}\r\n` +
        `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = exactly(item.body, item.size, where);
    const res = await api.raw(
      {
        op: how.op,
        path: how.path,
        upload: true,
        query: { uploadType: 'multipart', ...how.query },
        headers: { 'content-type': `multipart/related; boundary=${boundary}` },
        body: Readable.from(
          (async function* () {
            yield head;
            yield* body;
            yield tail;
          })(),
        ),
        length: head.length + item.size + tail.length,
      },
      signal,
    );
    answer = await readText(res, where);
  } else {
    const start = await api.raw(
      {
        op: how.op,
        path: how.path,
        upload: true,
        query: { uploadType: 'resumable', ...how.query },
        json: how.metadata,
        headers: { 'x-upload-content-type': 'message/rfc822', 'x-upload-content-length': String(item.size) },
      },
      signal,
    );
    await readText(start, where);
    const session = header(start, 'location');
    if (!session)
      throw new PermanentError(ErrorCode.ProtocolError, `${where}: the resumable session has no Location.`);
    const res = await api.raw(
      {
        op: 'upload.body',
        method: 'PUT',
        path: '',
        url: session,
        headers: { 'content-type': 'message/rfc822' },
        body: Readable.from(exactly(item.body, item.size, where)),
        length: item.size,
      },
      signal,
    );
    answer = await readText(res, where);
  }
  const got = JSON.parse(answer) as Partial<Uploaded>;
  if (!got.id) throw new PermanentError(ErrorCode.ProtocolError, `${where}: the answer names no message id.`);
  return got as Uploaded;
}
