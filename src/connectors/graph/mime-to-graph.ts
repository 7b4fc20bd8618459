/**
 * A MIME message → Graph's message resource: subject, sender and recipients, Message-ID, the body (HTML
 * preferred, else text) and every other part as a file attachment (inline images keep their Content-ID).
 * Exchange stores messages as properties, not as MIME, so this is the form Graph can write without a draft.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parseIdentityHeaders } from '../shared/identity-headers.js';
import { planHeaders } from './graph-headers.js';
import { decodeCharset, decodeWords, fieldsOf, leavesOf, parseAddresses, splitHead } from './mime-parse.js';
import { parseMessageStream, type StreamLeaf } from './mime-stream.js';
import type { SpooledPart } from './part-spool.js';

/** A file attachment still to be attached. */
export interface PendingAttachment {
  name: string;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  /** Decoded bytes, in memory or (large ones) in a temporary file. */
  content: Buffer | SpooledPart;
  size: number;
}

/** What the source message was, as Cutover's fingerprints see it (stored on the written message). */
export interface SourceIdentity {
  size: number;
  id?: string;
  date?: string;
  /** Header-block hash, only when there is no Message-ID (the fingerprint fallback). */
  hh?: string;
}

/** The converted message. */
export interface Converted {
  message: Record<string, unknown>;
  attachments: PendingAttachment[];
  identity: SourceIdentity;
  /** The Date header as a time, when it parses. */
  sent?: Date;
  /** Extended properties that carry header fields (In-Reply-To, References, List-*), set at creation. */
  headerProps: Array<{ id: string; value: string }>;
  /** Header fields Graph's JSON form cannot keep (graph-headers.ts). */
  dropped: string[];
}

const EXT: Record<string, string> = {
  'text/plain': 'txt',
  'text/html': 'html',
  'message/rfc822': 'eml',
  'text/calendar': 'ics',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};
const recipients = (v: string | undefined) =>
  parseAddresses(v).map((a) => ({
    emailAddress: a.name ? { name: a.name, address: a.address } : { address: a.address },
  }));

function nameOf(leaf: StreamLeaf, n: number): string {
  const given = leaf.dispParams.filename ?? leaf.params.name;
  return given?.trim() || `part-${n}.${EXT[leaf.type] ?? 'bin'}`;
}

/** Convert one raw message held in memory. */
export function toGraphMessage(raw: Buffer): Converted {
  return convert(splitHead(raw).head, leavesOf(raw), raw.length);
}

/** Convert a message read as a stream; large attachments stay in temporary files until `dispose`. */
export async function readGraphMessage(
  body: Buffer | Readable | AsyncIterable<Buffer>,
  signal?: AbortSignal,
): Promise<Converted & { size: number; dispose: () => Promise<void> }> {
  const parsed = await parseMessageStream(body, signal);
  try {
    return {
      ...convert(parsed.head, parsed.leaves, parsed.size),
      size: parsed.size,
      dispose: parsed.dispose,
    };
  } catch (err) {
    await parsed.dispose();
    throw err;
  }
}

/** What Cutover's fingerprints see of a message: its size, Message-ID and Date, or its header hash. */
export function sourceIdentity(head: Buffer, size: number): SourceIdentity {
  const ident = parseIdentityHeaders(head);
  const identity: SourceIdentity = { size };
  if (ident.messageId) identity.id = ident.messageId;
  else identity.hh = createHash('sha256').update(head).digest('hex');
  if (ident.dateHeader) identity.date = ident.dateHeader;
  return identity;
}

function convert(head: Buffer, leaves: StreamLeaf[], size: number): Converted {
  const fields = fieldsOf(head);
  const get = (n: string) => fields.find((f) => f.name === n)?.value;
  const ident = parseIdentityHeaders(head);
  const isBodyText = (l: StreamLeaf) =>
    Buffer.isBuffer(l.content) &&
    (l.type === 'text/html' || l.type === 'text/plain') &&
    l.disposition !== 'attachment' &&
    !l.dispParams.filename;
  const bodyLeaf = leaves.find(isBodyText);
  const attachments = leaves
    .filter((l) => l !== bodyLeaf)
    .map((l, i) => {
      const cid = l.fields.find((f) => f.name === 'content-id')?.value.replace(/[<>\s]/g, '');
      return {
        name: nameOf(l, i + 1),
        contentType: l.type,
        isInline: l.disposition === 'inline' && !!cid,
        ...(cid ? { contentId: cid } : {}),
        content: l.content,
        size: Buffer.isBuffer(l.content) ? l.content.length : l.content.size,
      };
    });
  const from = recipients(get('from'))[0];
  const headers = planHeaders(fields);
  const message: Record<string, unknown> = {
    ...headers.message,
    subject: decodeWords(get('subject') ?? ''),
    body: bodyLeaf
      ? {
          contentType: bodyLeaf.type === 'text/html' ? 'html' : 'text',
          content: decodeCharset(bodyLeaf.content as Buffer, bodyLeaf.params.charset),
        }
      : { contentType: 'text', content: '' },
    toRecipients: recipients(get('to')),
    ccRecipients: recipients(get('cc')),
    bccRecipients: recipients(get('bcc')),
    replyTo: recipients(get('reply-to')),
  };
  if (from) message.from = from;
  const sender = recipients(get('sender'))[0];
  if (sender) message.sender = sender;
  if (ident.messageId) message.internetMessageId = `<${ident.messageId}>`;
  const identity = sourceIdentity(head, size);
  const sent = ident.dateHeader ? new Date(ident.dateHeader) : undefined;
  return {
    message,
    attachments,
    identity,
    headerProps: headers.props,
    dropped: headers.dropped,
    ...(sent && !isNaN(sent.getTime()) ? { sent } : {}),
  };
}
