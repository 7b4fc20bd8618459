/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): creating and changing messages,
 * with the documented rules enforced — a message created from MIME is always a draft; a message created
 * from JSON is a draft unless PR_MESSAGE_FLAGS (0x0E07) is given without MSGFLAG_UNSENT (8); the unsent bit
 * cannot change after the first save; attachments over 3 MB need an upload session (ordered ranges, no
 * bearer token); the mailbox's message size limit.
 */
import { randomBytes } from 'node:crypto';
import { messageJson } from './emulator-json.js';
import { fail, type EmRequest, type EmResponse, type MailContext } from './emulator-http.js';
import { customHeaders } from './emulator-headers.js';
import { propsFromMime } from './emulator-mime.js';
import { extKey, newId, type EmMessage, type EmUser } from './emulator-store.js';

const MSGFLAG_READ = 1;
const MSGFLAG_UNSENT = 8;
/** Attachments above this go through an upload session (documented: "between 3 MB and 150 MB"). */
export const ATTACHMENT_POST_MAX = 3 * 1024 * 1024;
export const UPLOAD_SESSION_MAX = 150 * 1024 * 1024;

function sizeCheck(ctx: MailContext, m: EmMessage, extra = 0): EmResponse | undefined {
  const size = ctx.store.mimeOf(m).length + extra;
  if (size > ctx.maxMessageBytes)
    return fail(
      413,
      'ErrorMessageSizeExceeded',
      `The message exceeds the maximum supported size (${size} > ${ctx.maxMessageBytes} bytes).`,
    );
  return undefined;
}

function applyExtended(m: EmMessage, props: unknown, created: boolean): void {
  for (const p of (props as Array<{ id: string; value: string }> | undefined) ?? []) {
    const key = extKey(p.id);
    if (key === 'integer 0x0e07') {
      const flags = Number(p.value);
      // MSGFLAG_UNSENT can be set or cleared only before the first save (PidTagMessageFlags).
      if (created) m.isDraft = (flags & MSGFLAG_UNSENT) !== 0;
      if (flags & MSGFLAG_READ) m.isRead = true;
    }
    if (key === 'systemtime 0x0e06') m.receivedDateTime = new Date(p.value).toISOString();
    if (key === 'systemtime 0x0039') m.sentDateTime = new Date(p.value).toISOString();
    m.ext.set(key, p.value);
  }
}

type FileAttachment = {
  '@odata.type'?: string;
  name?: string;
  contentType?: string;
  contentBytes?: string;
  isInline?: boolean;
  contentId?: string;
};

function attachmentOf(a: FileAttachment): EmMessage['attachments'][number] | EmResponse {
  if (a['@odata.type'] !== '#microsoft.graph.fileAttachment')
    return fail(400, 'ErrorInvalidRequest', 'Only fileAttachment is emulated.');
  const content = Buffer.from(a.contentBytes ?? '', 'base64');
  if (content.length > ATTACHMENT_POST_MAX)
    return fail(
      413,
      'ErrorAttachmentSizeShouldNotBeLargerThan3MB',
      'Attachments over 3 MB need an upload session (attachment: createUploadSession).',
    );
  return {
    id: newId('AAMkAtt'),
    name: a.name ?? 'attachment',
    contentType: a.contentType ?? 'application/octet-stream',
    isInline: !!a.isInline,
    contentId: a.contentId,
    content,
  };
}

export function createMessage(ctx: MailContext, user: EmUser, folderId: string, req: EmRequest): EmResponse {
  const now = new Date().toISOString();
  const m: EmMessage = {
    id: newId('AAMkMsg'),
    folderId,
    changeKey: '',
    createdDateTime: now,
    lastModifiedDateTime: now,
    receivedDateTime: now,
    body: { contentType: 'text', content: '' },
    isRead: false,
    isDraft: true,
    flag: { flagStatus: 'notFlagged' },
    categories: [],
    attachments: [],
    ext: new Map(),
  };
  if ((req.headers['content-type'] ?? '').startsWith('text/plain')) {
    // MIME: base64 of the whole message. Always a draft (documented), no extended properties possible.
    const text = req.body.toString('latin1').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
      return fail(400, 'ErrorMimeContentInvalidBase64String', 'The MIME content is not valid base64.');
    const raw = Buffer.from(text, 'base64');
    Object.assign(m, propsFromMime(raw), { givenMime: raw, isRead: true });
  } else {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(400, 'BadRequest', 'Unable to read JSON request payload.');
    }
    for (const k of [
      'subject',
      'from',
      'toRecipients',
      'ccRecipients',
      'bccRecipients',
      'internetMessageId',
      'categories',
    ] as const)
      if (j[k] !== undefined) (m as unknown as Record<string, unknown>)[k] = j[k];
    if (j.body) m.body = j.body as EmMessage['body'];
    const headers = customHeaders(j.internetMessageHeaders);
    if (!Array.isArray(headers)) return headers;
    if (headers.length) m.customHeaders = headers;
    if (j.importance !== undefined) {
      if (!['low', 'normal', 'high'].includes(j.importance as string))
        return fail(400, 'BadRequest', `Invalid importance ${JSON.stringify(j.importance)}.`);
      m.importance = j.importance as EmMessage['importance'];
    }
    if (typeof j.isRead === 'boolean') m.isRead = j.isRead;
    if (j.flag) m.flag = j.flag as EmMessage['flag'];
    if (j.isDraft !== undefined)
      return fail(400, 'ErrorInvalidPropertySet', 'isDraft cannot be set; use PR_MESSAGE_FLAGS at creation.');
    for (const a of (j.attachments as FileAttachment[] | undefined) ?? []) {
      const att = attachmentOf(a);
      if ('status' in att) return att;
      m.attachments.push(att);
    }
    applyExtended(m, j.singleValueExtendedProperties, true);
  }
  const tooBig = sizeCheck(ctx, m);
  if (tooBig) return tooBig;
  ctx.store.insert(user, m);
  return { status: 201, json: messageJson(ctx.store, m) };
}

/** PATCH of a message: flags, categories, extended properties; isDraft is read-only. */
export function patchMessage(ctx: MailContext, user: EmUser, id: string, req: EmRequest): EmResponse {
  const { store } = ctx;
  const m = user.messages.get(id);
  if (!m) return fail(404, 'ErrorItemNotFound', 'Not found.');
  const j = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
  if (j.isDraft !== undefined) return fail(400, 'ErrorInvalidPropertySet', 'isDraft is read-only.');
  if (j.internetMessageHeaders !== undefined)
    return fail(
      400,
      'ErrorInvalidPropertySet',
      'internetMessageHeaders can be set only when the message is created.',
    );
  if (typeof j.isRead === 'boolean') m.isRead = j.isRead;
  if (j.flag) m.flag = j.flag as EmMessage['flag'];
  if (Array.isArray(j.categories)) m.categories = j.categories as string[];
  applyExtended(m, j.singleValueExtendedProperties, false);
  store.touch(user, m);
  return { status: 200, json: messageJson(store, m) };
}

/** The refusal of an attachment step on a non-draft message, when the emulator is set to refuse it. */
function nonDraftRefusal(ctx: MailContext, m: EmMessage): EmResponse | undefined {
  if (m.isDraft || ctx.nonDraftAttachments === 'allow') return undefined;
  return fail(400, 'ErrorInvalidOperation', 'Attachments can be added only to a draft message.');
}

/** POST of one small file attachment (the 3 MB rule applies). */
export function addAttachment(ctx: MailContext, user: EmUser, id: string, req: EmRequest): EmResponse {
  const { store } = ctx;
  const m = user.messages.get(id);
  if (!m) return fail(404, 'ErrorItemNotFound', 'Not found.');
  const refused = nonDraftRefusal(ctx, m);
  if (refused) return refused;
  const att = attachmentOf(JSON.parse(req.body.toString('utf8')) as FileAttachment);
  if ('status' in att) return att;
  const tooBig = sizeCheck(ctx, m, Math.ceil((att.content.length * 4) / 3));
  if (tooBig) return tooBig;
  m.attachments.push(att);
  store.touch(user, m);
  return { status: 201, json: { id: att.id, name: att.name } };
}

/** An upload session for one large attachment (up to 150 MB), within the mailbox size limit. */
export function createUploadSession(ctx: MailContext, user: EmUser, id: string, req: EmRequest): EmResponse {
  const m = user.messages.get(id);
  if (!m) return fail(404, 'ErrorItemNotFound', 'Not found.');
  const refused = nonDraftRefusal(ctx, m);
  if (refused) return refused;
  const item = (JSON.parse(req.body.toString('utf8')) as { AttachmentItem?: Record<string, unknown> })
    .AttachmentItem;
  if (!item || item.attachmentType !== 'file' || typeof item.size !== 'number' || !item.name)
    return fail(
      400,
      'ErrorInvalidRequest',
      'AttachmentItem with attachmentType file, name and size is required.',
    );
  if (item.size > UPLOAD_SESSION_MAX)
    return fail(413, 'ErrorAttachmentSizeLimitExceeded', 'Attachments are limited to 150 MB.');
  const tooBig = sizeCheck(ctx, m, Math.ceil((item.size * 4) / 3));
  if (tooBig) return tooBig;
  const tok = randomBytes(12).toString('base64url');
  ctx.uploads.set(tok, {
    user,
    messageId: m.id,
    name: item.name as string,
    contentType: (item.contentType as string | undefined) ?? 'application/octet-stream',
    isInline: !!item.isInline,
    contentId: item.contentId as string | undefined,
    size: item.size,
    parts: [],
    received: 0,
  });
  return {
    status: 201,
    json: {
      uploadUrl: `${ctx.origin}/upload/${tok}?authtoken=emu`,
      expirationDateTime: new Date(Date.now() + 3600e3).toISOString(),
      nextExpectedRanges: ['0-'],
    },
  };
}

/** PUT of one byte range to an upload session (no Authorization header: the URL carries its token). */
export function uploadChunk(ctx: MailContext, tok: string, req: EmRequest): EmResponse {
  const up = ctx.uploads.get(tok);
  if (!up) return fail(404, 'ErrorItemNotFound', 'The upload session does not exist or has expired.');
  if (req.headers['authorization'])
    return fail(401, 'InvalidAuthenticationToken', 'Do not send an Authorization header to an upload URL.');
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
  if (!m) return fail(400, 'ErrorInvalidRequest', 'Content-Range is required.');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (start !== up.received || end - start + 1 !== req.body.length || total !== up.size)
    return fail(416, 'ErrorInvalidRange', `Expected range starting at ${up.received} of ${up.size}.`);
  up.parts.push(req.body);
  up.received += req.body.length;
  if (up.received < up.size) return { status: 200, json: { nextExpectedRanges: [`${up.received}-`] } };
  ctx.uploads.delete(tok);
  const msg = up.user.messages.get(up.messageId);
  if (!msg) return fail(404, 'ErrorItemNotFound', 'The message is gone.');
  const att = {
    id: newId('AAMkAtt'),
    name: up.name,
    contentType: up.contentType,
    isInline: up.isInline,
    contentId: up.contentId,
    content: Buffer.concat(up.parts),
  };
  msg.attachments.push(att);
  ctx.store.touch(up.user, msg);
  return {
    status: 201,
    headers: { location: `${ctx.origin}/v1.0/users/${up.user.id}/messages/${msg.id}/attachments/${att.id}` },
  };
}
