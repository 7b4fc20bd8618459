/**
 * EMULATOR (test code): messages.import as Google documents it — a metadata-only request (raw in JSON, up to
 * 5 MB), a simple media or multipart upload (up to 35 MB), or a resumable session (initiation with metadata
 * and X-Upload-Content-Length, then the bytes in one PUT, up to `maxImportBytes`); 413 above each limit; the
 * internal date from the Date header when internalDateSource=dateHeader.
 */
import type http from 'node:http';
import { err, type GmailEmulator } from './gmail-emulator.js';
import type { EmuMailbox } from './emulator-mailbox.js';
import { messageJson, type Answer, type EmuRequest } from './emulator-routes.js';

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

function finishImport(mb: EmuMailbox, raw: Buffer, labelIds: string[], query: URLSearchParams): Answer {
  for (const l of labelIds)
    if (!mb.labels.has(l)) return [400, err(400, `Invalid label: ${l}`, 'invalidArgument')];
  if (raw.length === 0) return [400, err(400, 'Invalid message: empty', 'invalidArgument')];
  const date =
    query.get('internalDateSource') === 'dateHeader' ? (dateHeader(raw) ?? Date.now()) : Date.now();
  const m = mb.addMessage(raw, labelIds, date);
  return [200, messageJson(m, 'minimal')];
}

export async function importMessage(emu: GmailEmulator, mb: EmuMailbox, r: EmuRequest): Promise<Answer> {
  const q = r.url.searchParams;
  const type = q.get('uploadType');
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
    const j = JSON.parse(b.buf.toString()) as { raw?: string; labelIds?: string[] };
    return finishImport(mb, Buffer.from(j.raw ?? '', 'base64url'), j.labelIds ?? [], q);
  }
  if (type === 'resumable') {
    const meta = JSON.parse((await body(r.req, MB)).buf.toString() || '{}') as { labelIds?: string[] };
    const size = Number(r.req.headers['x-upload-content-length'] ?? NaN);
    if (!Number.isFinite(size)) return [400, err(400, 'X-Upload-Content-Length required', 'invalidArgument')];
    if (size > emu.maxImportBytes) return tooLarge(emu.maxImportBytes);
    const location = emu.newSession({ user: mb.email, size, labelIds: meta.labelIds ?? [], query: q });
    return [200, undefined, { location }];
  }
  const limit = Math.min(SIMPLE_UPLOAD_MAX, emu.maxImportBytes);
  const b = await body(r.req, limit + 64 * 1024);
  if (type === 'media') return b.size > limit ? tooLarge(limit) : finishImport(mb, b.buf, [], q);
  if (type !== 'multipart') return [400, err(400, `Invalid uploadType ${type}`, 'invalidArgument')];
  const boundary = /boundary=("?)([^";]+)\1/.exec(r.req.headers['content-type'] ?? '')?.[2];
  if (!boundary) return [400, err(400, 'multipart without boundary', 'invalidArgument')];
  const parts = splitMultipart(b.buf, boundary);
  if (parts.length !== 2)
    return [400, err(400, 'multipart/related needs metadata and media', 'invalidArgument')];
  if (parts[1]!.length > limit || b.over) return tooLarge(limit);
  const meta = JSON.parse(parts[0]!.toString() || '{}') as { labelIds?: string[] };
  return finishImport(mb, parts[1]!, meta.labelIds ?? [], q);
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
  return finishImport(mb, b.buf, s.labelIds, s.query);
}
