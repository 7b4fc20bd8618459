/**
 * Adding one attachment to a message Graph already holds — for attachments that do not fit into the 4 MB
 * create request. Under 3 MB: one POST to the message's attachments. 3 MB to 150 MB: an upload session
 * (attachment: createUploadSession), then PUTs of 3.2 MB ranges read from the part's file (Outlook takes up
 * to 4 MB per range; the 60 MiB range limit is OneDrive's). Every range PUT reports where the write stands,
 * so a throttled upload continues at the offset the session expects (graph-resume.ts) instead of from 0.
 *
 * Graph documents both ways with a draft in every example, and nothing confirms them for a message created
 * as a non-draft: a refusal here is turned into an error that says so and names the IMAP write path, never
 * taken for an ordinary failure (`cutover test --live` shows what a real tenant does).
 */
import type { PendingAttachment } from './mime-to-graph.js';
import { ErrorCode, PermanentError, TransientError, throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { readSpooled } from './part-spool.js';

/** Attachments up to this many bytes go by POST (base64 + JSON stays under 4 MB); above, an upload session. */
export const POST_ATTACHMENT_MAX = 3 * 1024 * 1024 - 64 * 1024;
/** Upload-session range size: a multiple of 320 KiB, under 4 MB. */
export const UPLOAD_RANGE = 10 * 320 * 1024;

/** An upload session in progress: where to PUT, and the offset it expects next. */
export interface SessionState {
  uploadUrl: string;
  offset: number;
  /** When the session expires (ms since the epoch). */
  expires: number;
}

/** An attachment's bytes (a spooled one is read back: only ever one under POST_ATTACHMENT_MAX). */
async function bytesOf(a: PendingAttachment): Promise<Buffer> {
  if (Buffer.isBuffer(a.content)) return a.content;
  const out = Buffer.allocUnsafe(a.size);
  return out.subarray(0, await readSpooled(a.content, out, 0));
}

/** The fileAttachment resource of one attachment. */
export const fileJson = async (a: PendingAttachment) => ({
  '@odata.type': '#microsoft.graph.fileAttachment',
  name: a.name,
  contentType: a.contentType,
  isInline: a.isInline,
  ...(a.contentId ? { contentId: a.contentId } : {}),
  contentBytes: (await bytesOf(a)).toString('base64'),
});

/** Graph refused an attachment step on a non-draft message: say so, with what to do. */
export function refusedOnNonDraft(where: string, err: unknown): unknown {
  if (!(err instanceof PermanentError) || err.code !== ErrorCode.ProtocolError) return err;
  return new PermanentError(
    ErrorCode.MessageRejected,
    `${where}: Microsoft 365 refused to add an attachment to a message created as a non-draft (${err.message}). The incomplete copy was removed.`,
    'Set graph.writePath: auto so messages whose attachments do not fit into one 4 MB request go by IMAP APPEND (the app needs IMAP.AccessAsApp), or leave the message out.',
    { cause: err },
  );
}

/**
 * Add attachment `a` to message `messageId`. `resume` continues an upload session where it stopped;
 * `progress` is told the session's state after it is created and after every range.
 */
export async function addAttachment(
  client: GraphClient,
  messageId: string,
  a: PendingAttachment,
  resume: SessionState | undefined,
  progress: (s: SessionState) => void,
  signal?: AbortSignal,
): Promise<void> {
  const base = userPath(client.target);
  if (a.size <= POST_ATTACHMENT_MAX) {
    await client.json(
      'POST',
      `${base}/messages/${messageId}/attachments`,
      { body: await fileJson(a), what: 'add attachment' },
      signal,
    );
    return;
  }
  let session = resume && resume.expires > Date.now() ? resume : undefined;
  if (!session) {
    const made = await client.json<{ uploadUrl: string; expirationDateTime?: string }>(
      'POST',
      `${base}/messages/${messageId}/attachments/createUploadSession`,
      {
        body: {
          AttachmentItem: {
            attachmentType: 'file',
            name: a.name,
            size: a.size,
            contentType: a.contentType,
            isInline: a.isInline,
            ...(a.contentId ? { contentId: a.contentId } : {}),
          },
        },
        what: 'create upload session',
      },
      signal,
    );
    session = { uploadUrl: made.uploadUrl, offset: 0, expires: expiry(made.expirationDateTime) };
    progress(session);
  }
  await upload(client, a, session, progress, signal);
}

const expiry = (when: string | undefined) => {
  const t = when ? Date.parse(when) : NaN;
  return Number.isNaN(t) ? Date.now() + 15 * 60_000 : t;
};

/** PUT the ranges of `a` from the session's offset on, reading them from the part's file one at a time. */
async function upload(
  client: GraphClient,
  a: PendingAttachment,
  session: SessionState,
  progress: (s: SessionState) => void,
  signal?: AbortSignal,
): Promise<void> {
  const range = Buffer.isBuffer(a.content) ? undefined : Buffer.allocUnsafe(Math.min(UPLOAD_RANGE, a.size));
  let at = session.offset;
  while (at < a.size) {
    throwIfAborted(signal);
    const chunk = Buffer.isBuffer(a.content)
      ? a.content.subarray(at, at + UPLOAD_RANGE)
      : range!.subarray(0, await readSpooled(a.content, range!, at));
    if (chunk.length !== Math.min(UPLOAD_RANGE, a.size - at))
      throw new TransientError(
        ErrorCode.SourceReadFailed,
        `${client.target.where}: the spooled attachment ${a.name} ended early.`,
        'Cutover retries on its own.',
      );
    const answer = await client.putRange(session.uploadUrl, chunk, at, a.size, signal);
    // Outlook says where the next range starts ("nextExpectedRanges": ["{start}"]); trust it over our count.
    const next = Number(/^(\d+)/.exec(answer.nextExpectedRanges?.[0] ?? '')?.[1] ?? at + chunk.length);
    at = Number.isFinite(next) && next > at ? next : at + chunk.length;
    session = { ...session, offset: at, expires: expiry(answer.expirationDateTime) };
    if (at < a.size) progress(session);
  }
}
