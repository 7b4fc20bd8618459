/**
 * Writing into Gmail's Sent and Drafts, which are system labels nobody may apply: "SENT — can be manually
 * applied: no. Applied automatically to messages that are sent …, inserted with messages.insert and the
 * user's email in the From header …; DRAFT — no. Automatically applied to all draft messages created with
 * the Gmail API" (Gmail API guide, Manage labels). messages.import or modify naming either label answers
 * 400 "Invalid label: SENT" (googleapis/google-api-php-client #1254, got-your-back #452), although
 * got-your-back has imported with SENT for years: reports are mixed, so only the documented ways are used.
 *
 * - Sent, From the mailbox's own address: messages.insert; Gmail applies SENT itself. Should the answer not
 *   carry SENT, the message is kept and labelled `Sent (imported)`, with a note.
 * - Sent, From another address (an alias, the old domain): no documented way gives it SENT. It is imported
 *   with the label `Sent (imported)`, and the note says so.
 * - Drafts: drafts.create. Gmail dates a draft when it is created and takes no labels on it (flags and
 *   keywords are not kept), which the note says. Should Gmail refuse the draft (400), the message is
 *   imported with the label `Drafts (imported)` instead. The body is read into memory first (drafts are at
 *   most 35 MB) so that the second attempt can send it again.
 *
 * A Gmail destination's Sent and Drafts folders are their system label together with the fallback label,
 * so that a read-back finds every message written to them.
 */
import { Readable } from 'node:stream';
import { PermanentError } from '../../errors.js';
import type { GmailApi } from './gmail-api.js';
import { drafting, importing, inserting, uploadMessage } from './gmail-import.js';

/** The user labels that keep what Gmail would not put in Sent or Drafts. */
export const FALLBACK_LABEL: Record<'SENT' | 'DRAFT', string> = {
  SENT: 'Sent (imported)',
  DRAFT: 'Drafts (imported)',
};

/** One message to write, and the labels its flags and keywords stand for. */
export interface SpecialWrite {
  item: { size: number; body: Buffer | Readable; internalDate: Date };
  labels: string[];
  /** The id of the fallback label, created on first use. */
  fallback: () => Promise<string>;
}

const HEADER_MAX = 256 * 1024;

/** The header block of a body, and the body again whole (a stream is re-assembled behind what was read). */
async function peekHeader(body: Buffer | Readable): Promise<{ head: string; body: Buffer | Readable }> {
  if (Buffer.isBuffer(body)) return { head: headOf(body), body };
  const read: Buffer[] = [];
  let seen = 0;
  const it = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  while (seen < HEADER_MAX) {
    const next = await it.next();
    if (next.done) break;
    read.push(next.value);
    seen += next.value.length;
    if (Buffer.concat(read).includes('\r\n\r\n')) break;
  }
  const rest = (async function* () {
    yield* read;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  })();
  return { head: headOf(Buffer.concat(read)), body: Readable.from(rest) };
}

function headOf(buf: Buffer): string {
  const end = buf.indexOf('\r\n\r\n');
  return buf.subarray(0, end < 0 ? Math.min(buf.length, HEADER_MAX) : end).toString('latin1');
}

/** The address in the From header, lower-cased. */
export function fromAddress(head: string): string | undefined {
  const from = /^from:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const addr = /<([^>]*)>/.exec(from)?.[1] ?? from;
  return addr.trim().toLowerCase() || undefined;
}

/** Write into Sent; resolves with the message id and, when it is not in SENT, what was done instead. */
export async function writeSent(
  api: GmailApi,
  w: SpecialWrite,
  signal?: AbortSignal,
): Promise<{ id: string; altered?: string }> {
  const { head, body } = await peekHeader(w.item.body);
  const item = { size: w.item.size, body };
  const from = fromAddress(head);
  const kept = `kept under the label '${FALLBACK_LABEL.SENT}'`;
  if (from === api.target.user.toLowerCase()) {
    const got = await uploadMessage(api, item, inserting(w.labels), signal);
    if (got.labelIds === undefined || got.labelIds.includes('SENT')) return { id: got.id };
    await addLabel(api, got.id, await w.fallback(), signal);
    return { id: got.id, altered: `Gmail did not mark the inserted message as sent; ${kept}` };
  }
  const id = (await uploadMessage(api, item, importing([await w.fallback(), ...w.labels]), signal)).id;
  const who = from ? `From is ${from}` : 'the message has no From address';
  return {
    id,
    altered: `${who}, not ${api.target.user}: Gmail marks as sent only what the mailbox's own address sent; ${kept}`,
  };
}

/** Write into Drafts with drafts.create; a draft Gmail refuses is imported under the fallback label. */
export async function writeDraft(
  api: GmailApi,
  w: SpecialWrite & { dropped: string[] },
  signal?: AbortSignal,
): Promise<{ id: string; altered?: string }> {
  const bytes = Buffer.isBuffer(w.item.body) ? w.item.body : await collect(w.item.body);
  const item = { size: w.item.size, body: bytes };
  try {
    const got = await uploadMessage(api, item, drafting, signal);
    const lost = w.dropped.length ? `; a draft takes no labels, so ${w.dropped.join(', ')} are not kept` : '';
    return {
      id: got.message?.id ?? got.id,
      altered: `created as a Gmail draft (drafts.create), dated when created rather than ${w.item.internalDate.toISOString()}${lost}`,
    };
  } catch (err) {
    if (!(err instanceof PermanentError && /HTTP 400/.test(err.message))) throw err;
    const id = (await uploadMessage(api, item, importing([await w.fallback(), ...w.labels]), signal)).id;
    return {
      id,
      altered: `Gmail refused it as a draft (${err.message}); kept under the label '${FALLBACK_LABEL.DRAFT}'`,
    };
  }
}

async function collect(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

async function addLabel(api: GmailApi, id: string, label: string, signal?: AbortSignal): Promise<void> {
  await api.json(
    {
      op: 'messages.batchModify',
      path: '/messages/batchModify',
      json: { ids: [id], addLabelIds: [label], removeLabelIds: [] },
    },
    signal,
  );
}
