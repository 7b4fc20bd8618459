/**
 * Writing one message to a Graph folder in Graph's JSON form — the `json` write path, and why:
 * - Graph creates a message from MIME only as a draft (isDraft cannot change after the first save), so
 *   the MIME is converted (mime-to-graph.ts) and created as JSON with extended MAPI properties set at
 *   creation: PR_MESSAGE_FLAGS (0x0E07) without MSGFLAG_UNSENT — not a draft — and with MSGFLAG_READ for
 *   \Seen; PR_MESSAGE_DELIVERY_TIME (0x0E06) = the internal date (received), PR_CLIENT_SUBMIT_TIME (0x0039)
 *   = the Date header (sent); flag, categories and PR_LAST_VERB_EXECUTED for \Answered/$Forwarded; the
 *   header fields Graph has a place for (graph-headers.ts). The fields it has none for are said on the copy.
 * - The MIME is read as a stream (mime-stream.ts): headers and body text stay in memory, attachments over
 *   1 MB are decoded into private temporary files, removed when the write ends.
 * - A request may carry at most 4 MB: attachments ride in the create while it stays under that; the others
 *   are added afterwards (graph-attach.ts) — which Graph documents only for drafts, so the `auto` write path
 *   sends such messages by IMAP instead (graph-destination.ts).
 * - Cutover's identity property (source size, Message-ID, Date) is written last, and a message written in
 *   several requests carries a pending marker until then: an incomplete copy never matches its source. A
 *   throttled one is resumed where it stopped (graph-resume.ts); any other failure deletes it — at once when
 *   Graph lets us, else when the destination folder is next read (graph-destination.ts).
 */
import type { AppendItem } from '../contract.js';
import { ErrorCode, PermanentError, RateLimitError, TransientError, throwIfAborted } from '../../errors.js';
import { addAttachment, fileJson, POST_ATTACHMENT_MAX, refusedOnNonDraft } from './graph-attach.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { flagPatch, messageFlagsOf, MSGFLAG_UNSENT, PROP } from './graph-flags.js';
import { droppedNote } from './graph-headers.js';
import { PartialWrites, partialsFor } from './graph-resume.js';
import { readGraphMessage, type Converted, type PendingAttachment } from './mime-to-graph.js';

export { POST_ATTACHMENT_MAX, UPLOAD_RANGE } from './graph-attach.js';

/** Graph's request size limit. */
export const REQUEST_MAX = 4 * 1024 * 1024;

/** What a write made: the message's immutable id, and what differs from the source, in words. */
export interface WriteOutcome {
  id: string;
  altered?: string;
}

/** The create request of a converted message, and the attachments that must follow it. */
export interface CreatePlan {
  message: Record<string, unknown>;
  later: PendingAttachment[];
  identity: { id: string; value: string };
}

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** Plan the create request: smallest attachments first into it, while it stays well under 4 MB. */
export function planCreate(conv: Converted, item: AppendItem, where: string): CreatePlan {
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
      ...conv.headerProps,
    ],
  };
  const later: PendingAttachment[] = [];
  const inline: PendingAttachment[] = [];
  let budget = REQUEST_MAX - 256 * 1024 - jsonBytes(message) - identity.value.length;
  if (budget < 0)
    throw new PermanentError(
      ErrorCode.MessageRejected,
      `${where}: the message text alone is over Graph's 4 MB request limit.`,
      'Use graph.writePath: imap or auto (IMAP APPEND keeps it whole), or leave this message out.',
    );
  for (const a of [...conv.attachments].sort((x, y) => x.size - y.size)) {
    const cost = Math.ceil(a.size / 3) * 4 + 512;
    if (a.size <= POST_ATTACHMENT_MAX && cost <= budget) {
      inline.push(a);
      budget -= cost;
    } else later.push(a);
  }
  if (inline.length) message.attachments = inline;
  return { message, later, identity };
}

/** Create one message from its MIME in Graph's JSON form. */
export async function writeMessage(
  client: GraphClient,
  folderId: string,
  item: AppendItem,
  signal?: AbortSignal,
): Promise<WriteOutcome> {
  const conv = await readGraphMessage(item.body, signal);
  try {
    checkSize(client, conv.size, item.size);
    return await createFromJson(
      client,
      folderId,
      item,
      conv,
      planCreate(conv, item, client.target.where),
      signal,
    );
  } finally {
    await conv.dispose();
  }
}

/** A shorter or longer body is a failed source read, never written. */
export function checkSize(client: GraphClient, got: number, expected: number): void {
  if (got !== expected)
    throw new TransientError(
      ErrorCode.SourceReadFailed,
      `${client.target.where}: the message body had ${got} bytes, ${expected} expected.`,
      'Cutover retries on its own.',
    );
}

/** Create the planned message, add what did not fit, mark it complete — resuming a throttled attempt. */
export async function createFromJson(
  client: GraphClient,
  folderId: string,
  item: AppendItem,
  conv: Converted,
  plan: CreatePlan,
  signal?: AbortSignal,
): Promise<WriteOutcome> {
  const base = userPath(client.target);
  const altered = droppedNote(conv.dropped);
  const { later, identity } = plan;
  const message = { ...plan.message };
  if (message.attachments)
    message.attachments = await Promise.all((message.attachments as PendingAttachment[]).map(fileJson));
  const props = message.singleValueExtendedProperties as unknown[];
  message.singleValueExtendedProperties = [
    ...props,
    later.length ? { id: PROP.pending, value: '1' } : identity,
  ];
  if (later.length === 0) {
    const made = await client.json<{ id: string }>(
      'POST',
      `${base}/mailFolders/${folderId}/messages`,
      { body: message, what: 'create message' },
      signal,
    );
    return { id: made.id, ...(altered ? { altered } : {}) };
  }
  const partials = partialsFor(client.target.mailboxKey);
  const key = PartialWrites.key(folderId, conv.identity);
  let partial = partials.get(key);
  if (partial && !(await stillThere(client, partial.messageId, signal))) {
    partials.drop(key);
    partial = undefined;
  }
  const id =
    partial?.messageId ??
    (
      await client.json<{ id: string }>(
        'POST',
        `${base}/mailFolders/${folderId}/messages`,
        { body: message, what: 'create message' },
        signal,
      )
    ).id;
  if (!partial) partials.keep(key, { messageId: id, attached: 0 });
  const draft = (messageFlagsOf(item.flags) & MSGFLAG_UNSENT) !== 0;
  try {
    for (let i = partial?.attached ?? 0; i < later.length; i++) {
      throwIfAborted(signal);
      const resume = i === partial?.attached ? partial.session : undefined;
      try {
        await addAttachment(
          client,
          id,
          later[i]!,
          resume && { ...resume, expires: partial!.expires },
          (s) => partials.keep(key, { messageId: id, attached: i, session: s, expires: s.expires }),
          signal,
        );
      } catch (err) {
        throw draft ? err : refusedOnNonDraft(client.target.where, err);
      }
      partials.keep(key, { messageId: id, attached: i + 1 });
    }
    await client.json(
      'PATCH',
      `${base}/messages/${id}`,
      {
        body: { singleValueExtendedProperties: [identity, { id: PROP.pending, value: '0' }] },
        what: 'mark message complete',
      },
      signal,
    );
    partials.drop(key);
    return { id, ...(altered ? { altered } : {}) };
  } catch (err) {
    // Throttled (or paced): Graph refused that request whole; the next attempt continues from here.
    if (err instanceof RateLimitError || signal?.aborted) throw err;
    partials.drop(key);
    await client
      .json('DELETE', `${base}/messages/${id}`, { what: 'delete incomplete message' })
      .catch(() => undefined);
    throw err;
  }
}

/** Whether the message a throttled write left behind is still there (someone may have deleted it). */
async function stillThere(client: GraphClient, id: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await client.json(
      'GET',
      `${userPath(client.target)}/messages/${id}?$select=id`,
      { what: 'find incomplete message' },
      signal,
    );
    return true;
  } catch (err) {
    if (err instanceof PermanentError && /HTTP 404/.test(err.message)) return false;
    throw err;
  }
}
