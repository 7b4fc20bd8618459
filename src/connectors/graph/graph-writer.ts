/**
 * Writing one message to a Graph folder — the write path, and why:
 * - Graph creates a message from MIME only as a draft (isDraft cannot change after the first save), so
 *   the MIME is converted (mime-to-graph.ts) and created as JSON with extended MAPI properties set at
 *   creation: PR_MESSAGE_FLAGS (0x0E07) without MSGFLAG_UNSENT — not a draft — and with MSGFLAG_READ for
 *   \Seen; PR_MESSAGE_DELIVERY_TIME (0x0E06) = the internal date (received), PR_CLIENT_SUBMIT_TIME (0x0039)
 *   = the Date header (sent); flag, categories and PR_LAST_VERB_EXECUTED for \Answered/$Forwarded.
 * - The MIME is read as a stream (mime-stream.ts): headers and body text stay in memory, attachments over
 *   1 MB are decoded into private temporary files, removed when the write ends — memory stays flat however
 *   large the message.
 * - A request may carry at most 4 MB: attachments ride in the create while it stays under that, others are
 *   added by POST (under ~3 MB) or through an upload session in 3.2 MB ranges read from the file (3 MB to
 *   150 MB; Outlook takes up to 4 MB per range — the 60 MiB range limit is OneDrive's, not this one's).
 * - Cutover's identity property (source size, Message-ID, Date) is written last, and a message written in
 *   several requests carries a pending marker until then: an incomplete copy (throttled or cut off half
 *   way) never matches its source, is written again whole, and is deleted — at once when Graph lets us,
 *   else when the destination folder is next read (graph-destination.ts).
 */
import type { AppendItem } from '../contract.js';
import { ErrorCode, PermanentError, RateLimitError, TransientError, throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { flagPatch, messageFlagsOf, PROP } from './graph-flags.js';
import { readGraphMessage, type Converted, type PendingAttachment } from './mime-to-graph.js';
import { readSpooled } from './part-spool.js';

/** Graph's request size limit. */
export const REQUEST_MAX = 4 * 1024 * 1024;
/** Attachments up to this many bytes go by POST (base64 + JSON stays under 4 MB); above, an upload session. */
export const POST_ATTACHMENT_MAX = 3 * 1024 * 1024 - 64 * 1024;
/** Upload-session range size: a multiple of 320 KiB, under 4 MB. */
export const UPLOAD_RANGE = 10 * 320 * 1024;

/** An attachment's bytes (a spooled one is read back: only ever one under POST_ATTACHMENT_MAX). */
async function bytesOf(a: PendingAttachment): Promise<Buffer> {
  if (Buffer.isBuffer(a.content)) return a.content;
  const out = Buffer.allocUnsafe(a.size);
  return out.subarray(0, await readSpooled(a.content, out, 0));
}

const fileJson = async (a: PendingAttachment) => ({
  '@odata.type': '#microsoft.graph.fileAttachment',
  name: a.name,
  contentType: a.contentType,
  isInline: a.isInline,
  ...(a.contentId ? { contentId: a.contentId } : {}),
  contentBytes: (await bytesOf(a)).toString('base64'),
});
const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** Create one message in the folder; returns its immutable id. */
export async function writeMessage(
  client: GraphClient,
  folderId: string,
  item: AppendItem,
  signal?: AbortSignal,
): Promise<string> {
  const where = client.target.where;
  const conv = await readGraphMessage(item.body, signal);
  try {
    // A shorter or longer body is a failed source read, never written.
    if (conv.size !== item.size)
      throw new TransientError(
        ErrorCode.SourceReadFailed,
        `${where}: the message body had ${conv.size} bytes, ${item.size} expected.`,
        'Cutover retries on its own.',
      );
    return await writeConverted(client, folderId, item, conv, signal);
  } finally {
    await conv.dispose();
  }
}

async function writeConverted(
  client: GraphClient,
  folderId: string,
  item: AppendItem,
  conv: Converted,
  signal?: AbortSignal,
): Promise<string> {
  const where = client.target.where;
  const base = userPath(client.target);
  const sent = conv.sent ?? item.internalDate;
  const identity = { id: PROP.source, value: JSON.stringify(conv.identity) };
  const flags = flagPatch(item.flags);
  const message: Record<string, unknown> = {
    ...conv.message,
    ...flags,
    singleValueExtendedProperties: [
      { id: PROP.messageFlags, value: String(messageFlagsOf(item.flags)) },
      { id: PROP.deliveryTime, value: item.internalDate.toISOString() },
      { id: PROP.submitTime, value: sent.toISOString() },
      ...(flags.singleValueExtendedProperties as unknown[]),
    ],
  };
  // Smallest attachments first into the create, while the request stays well under 4 MB.
  const inline: PendingAttachment[] = [];
  const later: PendingAttachment[] = [];
  let budget = REQUEST_MAX - 256 * 1024 - jsonBytes(message) - identity.value.length;
  if (budget < 0)
    throw new PermanentError(
      ErrorCode.MessageRejected,
      `${where}: the message text alone is over Graph's 4 MB request limit.`,
      'Leave this message out, or migrate it by hand as an attachment.',
    );
  for (const a of [...conv.attachments].sort((x, y) => x.size - y.size)) {
    const cost = Math.ceil(a.size / 3) * 4 + 512;
    if (a.size <= POST_ATTACHMENT_MAX && cost <= budget) {
      inline.push(a);
      budget -= cost;
    } else later.push(a);
  }
  if (inline.length) message.attachments = await Promise.all(inline.map(fileJson));
  (message.singleValueExtendedProperties as unknown[]).push(
    later.length ? { id: PROP.pending, value: '1' } : identity,
  );
  const made = await client.json<{ id: string }>(
    'POST',
    `${base}/mailFolders/${folderId}/messages`,
    { body: message, what: 'create message' },
    signal,
  );
  if (later.length === 0) return made.id;
  try {
    for (const a of later) {
      throwIfAborted(signal);
      if (a.size <= POST_ATTACHMENT_MAX)
        await client.json(
          'POST',
          `${base}/messages/${made.id}/attachments`,
          { body: await fileJson(a), what: 'add attachment' },
          signal,
        );
      else await upload(client, made.id, a, signal);
    }
    await client.json(
      'PATCH',
      `${base}/messages/${made.id}`,
      {
        body: { singleValueExtendedProperties: [identity, { id: PROP.pending, value: '0' }] },
        what: 'mark message complete',
      },
      signal,
    );
    return made.id;
  } catch (err) {
    if (!(err instanceof RateLimitError) && !signal?.aborted)
      await client
        .json('DELETE', `${base}/messages/${made.id}`, { what: 'delete incomplete message' })
        .catch(() => undefined);
    throw err;
  }
}

/** One large attachment through an upload session, range by range. */
async function upload(
  client: GraphClient,
  messageId: string,
  a: PendingAttachment,
  signal?: AbortSignal,
): Promise<void> {
  const session = await client.json<{ uploadUrl: string }>(
    'POST',
    `${userPath(client.target)}/messages/${messageId}/attachments/createUploadSession`,
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
  // Ranges are read from the part's file one at a time into one reused buffer.
  const range = Buffer.isBuffer(a.content) ? undefined : Buffer.allocUnsafe(Math.min(UPLOAD_RANGE, a.size));
  for (let at = 0; at < a.size; at += UPLOAD_RANGE) {
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
    await client.putRange(session.uploadUrl, chunk, at, a.size, signal);
  }
}
