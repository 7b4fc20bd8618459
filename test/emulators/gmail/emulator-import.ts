/**
 * EMULATOR (test code): messages arriving as Google documents it, for messages.import, messages.insert and
 * drafts.create alike — a metadata-only request (raw in JSON, up to 5 MB), a simple media or multipart
 * upload (up to 35 MB), or a resumable session (initiation with metadata and X-Upload-Content-Length, then
 * the bytes in one PUT, up to `maxImportBytes`; drafts up to 35 MB); 413 above each limit; the internal date
 * from the Date header when internalDateSource=dateHeader. What each method does with the labels:
 *
 * - import and insert refuse SENT and DRAFT in labelIds (not applicable by hand: emulator-label-rules.ts);
 * - insert applies SENT itself when the From address is the user's ("inserted with messages.insert and the
 *   user's email in the From header", Gmail API guide, Manage labels);
 * - drafts.create makes a message with DRAFT only, dated when created (drafts have no internalDateSource).
 */
import type http from 'node:http';
import { err, type ArrivalKind, type GmailEmulator } from './gmail-emulator.js';
import { newId, type EmuMailbox } from './emulator-mailbox.js';
import { labelsRefused, messageJson, type Answer, type EmuRequest } from './emulator-routes.js';

const MB = 1024 * 1024;
const METADATA_MAX = 5 * MB;
const SIMPLE_UPLOAD_MAX = 35 * MB;

/** Read a request body; bytes past `limit` are drained and dropped (`over` tells). */
export async function body(
  req: http.IncomingMessage,
  limit: number,
): Promise<{ buf: Buffer; size: number; over: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size <= limit) parts.push(c as Buffer);
  }
  return { buf: Buffer.concat(parts), size, over: size > limit };
}

function dateHeader(raw: Buffer): number | undefined {
  const head = raw
    .subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')))
    .toString('latin1')
    .replace(/\r\n[ \t]+/g, ' ');
  const m = /^date:\s*(.*)$/im.exec(head);
  const t = m ? Date.parse(m[1]!.replace(/\([^)]*\)/g, '').trim()) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** The address in the From header, lower-cased. */
function fromAddress(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('latin1');
  const from = /^from:\s*(.*(?:\r\n[ \t].*)*)/im.exec(head)?.[1] ?? '';
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase() || undefined;
}

function finish(
  emu: GmailEmulator,
  kind: ArrivalKind,
  mb: EmuMailbox,
  raw: Buffer,
  labelIds: string[],
  query: URLSearchParams,
): Answer {
  if (raw.length === 0) return [400, err(400, 'Invalid message: empty', 'invalidArgument')];
  if (kind === 'draft') {
    const m = mb.addMessage(raw, ['DRAFT'], Date.now());
    const id = `r${newId()}`;
    mb.drafts.set(id, m.id);
    return [200, { id, message: messageJson(m, 'minimal') }];
  }
  const refused = labelsRefused(emu, mb, labelIds);
  if (refused) return refused;
  const date =
    query.get('internalDateSource') === 'dateHeader' ? (dateHeader(raw) ?? Date.now()) : Date.now();
  const own = fromAddress(raw) === mb.email.toLowerCase();
  const sent = kind === 'insert' && own && !emu.quirks.insertWithoutSent ? ['SENT'] : [];
  const m = mb.addMessage(raw, [...labelIds, ...sent], date);
  return [200, messageJson(m, 'minimal')];
}

/** The labels a request's metadata asks for (drafts: none, the draft is its own label). */
function metaLabels(kind: ArrivalKind, text: string): { raw?: string; labelIds: string[] } {
  const j = JSON.parse(text || '{}') as { raw?: string; labelIds?: string[]; message?: { raw?: string } };
  return kind === 'draft'
    ? { raw: j.message?.raw, labelIds: [] }
    : { raw: j.raw, labelIds: j.labelIds ?? [] };
}

/** messages.import, messages.insert or drafts.create, in any of the documented upload forms. */
export async function receiveMessage(
  emu: GmailEmulator,
  mb: EmuMailbox,
  r: EmuRequest,
  kind: ArrivalKind,
): Promise<Answer> {
  const q = r.url.searchParams;
  const type = q.get('uploadType');
  const max = kind === 'draft' ? Math.min(SIMPLE_UPLOAD_MAX, emu.maxImportBytes) : emu.maxImportBytes;
  const tooLarge = (limit: number): Answer => {
    emu.stats.tooLarge++;
    return [
      413,
      err(413, `Request too large: the limit for this upload type is ${limit} bytes.`, 'uploadTooLarge'),
    ];
  };
  if (!r.url.pathname.startsWith('/upload/')) {
    const b = await body(r.req, METADATA_MAX);
    if (b.over) return tooLarge(METADATA_MAX);
    const j = metaLabels(kind, b.buf.toString());
    return finish(emu, kind, mb, Buffer.from(j.raw ?? '', 'base64url'), j.labelIds, q);
  }
  if (type === 'resumable') {
    const meta = metaLabels(kind, (await body(r.req, MB)).buf.toString());
    const size = Number(r.req.headers['x-upload-content-length'] ?? NaN);
    if (!Number.isFinite(size)) return [400, err(400, 'X-Upload-Content-Length required', 'invalidArgument')];
    if (size > max) return tooLarge(max);
    const location = emu.newSession({ user: mb.email, size, kind, labelIds: meta.labelIds, query: q });
    return [200, undefined, { location }];
  }
  const limit = Math.min(SIMPLE_UPLOAD_MAX, emu.maxImportBytes);
  const b = await body(r.req, limit + 64 * 1024);
  if (type === 'media') return b.size > limit ? tooLarge(limit) : finish(emu, kind, mb, b.buf, [], q);
  if (type !== 'multipart') return [400, err(400, `Invalid uploadType ${type}`, 'invalidArgument')];
  const boundary = /boundary=("?)([^";]+)\1/.exec(r.req.headers['content-type'] ?? '')?.[2];
  if (!boundary) return [400, err(400, 'multipart without boundary', 'invalidArgument')];
  const parts = splitMultipart(b.buf, boundary);
  if (parts.length !== 2)
    return [400, err(400, 'multipart/related needs metadata and media', 'invalidArgument')];
  if (parts[1]!.length > limit || b.over) return tooLarge(limit);
  return finish(emu, kind, mb, parts[1]!, metaLabels(kind, parts[0]!.toString()).labelIds, q);
}

/** The bodies of a multipart/related payload (headers of each part dropped). */
function splitMultipart(buf: Buffer, boundary: string): Buffer[] {
  const out: Buffer[] = [];
  const delim = Buffer.from(`--${boundary}`);
  let i = buf.indexOf(delim);
  while (i >= 0) {
    const start = i + delim.length;
    if (buf.subarray(start, start + 2).toString() === '--') break;
    const next = buf.indexOf(delim, start);
    if (next < 0) break;
    const part = buf.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const headEnd = part.indexOf('\r\n\r\n');
    out.push(part.subarray(headEnd + 4));
    i = next;
  }
  return out;
}

export async function uploadSession(emu: GmailEmulator, mb: EmuMailbox, r: EmuRequest): Promise<Answer> {
  const id = r.url.searchParams.get('upload_id') ?? '';
  const s = emu.sessions.get(id);
  if (!s || s.user !== mb.email) return [404, err(404, 'No such upload session', 'notFound')];
  const b = await body(r.req, s.size);
  if (b.over || b.size !== s.size)
    return [
      400,
      err(
        400,
        `Upload of ${b.size} bytes does not match X-Upload-Content-Length ${s.size}`,
        'invalidArgument',
      ),
    ];
  emu.sessions.delete(id);
  return finish(emu, s.kind, mb, b.buf, s.labelIds, s.query);
}
