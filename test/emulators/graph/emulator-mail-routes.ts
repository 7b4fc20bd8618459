/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the mailbox endpoints Cutover
 * uses, with the documented rules enforced — a message created from MIME is always a draft; a message
 * created from JSON is a draft unless PR_MESSAGE_FLAGS (0x0E07) is given without MSGFLAG_UNSENT (8); the
 * unsent bit cannot change after the first save; attachments over 3 MB need an upload session; the
 * mailbox's message size limit; paging and delta tokens.
 */
import { randomBytes } from 'node:crypto';
import { propsFromMime } from './emulator-mime.js';
import { expandedIds, folderJson, messageJson } from './emulator-json.js';
import { extKey, newId, type EmMessage, type EmUser, type EmulatorStore } from './emulator-store.js';

export interface EmRequest {
  method: string;
  /** Path after /v1.0, without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
}
export interface EmResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  raw?: Buffer;
}

/** Graph's error body. */
export const fail = (status: number, code: string, message: string): EmResponse => ({
  status,
  json: { error: { code, message } },
});

const MSGFLAG_READ = 1;
const MSGFLAG_UNSENT = 8;
/** Attachments above this go through an upload session (documented: "between 3 MB and 150 MB"). */
export const ATTACHMENT_POST_MAX = 3 * 1024 * 1024;
export const UPLOAD_SESSION_MAX = 150 * 1024 * 1024;

interface Cursor {
  items: unknown[];
  pos: number;
  /** For delta: the token the last page hands out; for lists: undefined. */
  deltaSince?: number;
  base: string;
}

export interface MailContext {
  store: EmulatorStore;
  /** Requests by route shape ("GET mailFolders/{}/messages"), for tests. */
  routes: Map<string, number>;
  origin: string;
  pageSize: number;
  maxMessageBytes: number;
  cursors: Map<string, Cursor>;
  deltaTokens: Map<string, { since: number; select?: string[] }>;
  uploads: Map<
    string,
    {
      user: EmUser;
      messageId: string;
      name: string;
      contentType: string;
      isInline: boolean;
      contentId?: string;
      size: number;
      parts: Buffer[];
      received: number;
    }
  >;
}

const selectOf = (q: URLSearchParams) =>
  q
    .get('$select')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const pageSizeOf = (req: EmRequest, dflt: number) => {
  const m = /odata\.maxpagesize=(\d+)/.exec(req.headers['prefer'] ?? '');
  return Math.min(Number(m?.[1] ?? dflt), 1000);
};

function page(ctx: MailContext, cursor: Cursor, size: number): EmResponse {
  const items = cursor.items.slice(cursor.pos, cursor.pos + size);
  cursor.pos += items.length;
  const body: Record<string, unknown> = { value: items };
  if (cursor.pos < cursor.items.length) {
    const tok = randomBytes(9).toString('base64url');
    ctx.cursors.set(tok, cursor);
    body['@odata.nextLink'] = `${cursor.base}?$skiptoken=${tok}`;
  } else if (cursor.deltaSince !== undefined) {
    const tok = randomBytes(9).toString('base64url');
    ctx.deltaTokens.set(tok, { since: cursor.deltaSince });
    body['@odata.deltaLink'] = `${cursor.base}?$deltatoken=${tok}`;
  }
  return { status: 200, json: body };
}

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

function createMessage(ctx: MailContext, user: EmUser, folderId: string, req: EmRequest): EmResponse {
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

/** Routes under /users/{id}/…; `rest` is the path after the user segment. */
export function mailRoute(ctx: MailContext, user: EmUser, rest: string, req: EmRequest): EmResponse {
  const { store } = ctx;
  const seg = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const q = req.query;
  const base = `${ctx.origin}/v1.0/users/${user.id}/${seg.join('/')}`;
  const key = `${req.method} ${seg.map((s, i) => (i === 1 ? '{}' : s)).join('/')}`;
  ctx.routes.set(key, (ctx.routes.get(key) ?? 0) + 1);
  const folder = () => store.folder(user, seg[1]!);
  const msg = () => user.messages.get(seg[1]!);
  const list = (items: unknown[], b = base) => {
    const skip = q.get('$skiptoken');
    const cur = skip ? ctx.cursors.get(skip) : { items, pos: 0, base: b };
    if (!cur) return fail(400, 'ErrorInvalidSkipToken', 'The skip token is unknown or expired.');
    return page(ctx, cur, Number(q.get('$top') ?? 0) || pageSizeOf(req, ctx.pageSize));
  };

  switch (key) {
    case 'GET mailboxSettings':
      return { status: 200, json: { userPurpose: user.mailbox, timeZone: 'UTC' } };
    case 'GET mailFolders':
      return list(store.children(user, store.root(user).id).map((f) => folderJson(store, user, f)));
    case 'GET mailFolders/{}': {
      const f = folder();
      return f
        ? { status: 200, json: folderJson(store, user, f) }
        : fail(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    }
    case 'GET mailFolders/{}/childFolders': {
      const f = folder();
      return f
        ? list(store.children(user, f.id).map((c) => folderJson(store, user, c)))
        : fail(404, 'ErrorItemNotFound', 'Folder not found.');
    }
    case 'POST mailFolders':
    case 'POST mailFolders/{}/childFolders': {
      const parent = seg.length === 1 ? store.root(user) : folder();
      if (!parent) return fail(404, 'ErrorItemNotFound', 'Parent folder not found.');
      const name = String(
        (JSON.parse(req.body.toString('utf8') || '{}') as { displayName?: string }).displayName ?? '',
      );
      if (!name) return fail(400, 'ErrorInvalidRequest', 'displayName is required.');
      if (store.children(user, parent.id).some((c) => c.displayName.toLowerCase() === name.toLowerCase()))
        return fail(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
      return { status: 201, json: folderJson(store, user, store.addFolder(user, parent.id, name)) };
    }
    case 'GET mailFolders/{}/messages': {
      const f = folder();
      if (!f) return fail(404, 'ErrorItemNotFound', 'Folder not found.');
      const ids = expandedIds(q.get('$expand'));
      return list(store.messagesIn(user, f.id).map((m) => messageJson(store, m, selectOf(q), ids)));
    }
    case 'GET mailFolders/{}/messages/delta': {
      const f = folder();
      if (!f) return fail(404, 'ErrorItemNotFound', 'Folder not found.');
      const skip = q.get('$skiptoken');
      if (skip) return list([]);
      const dt = q.get('$deltatoken');
      const prev = dt ? ctx.deltaTokens.get(dt) : undefined;
      if (dt && !prev)
        return fail(410, 'SyncStateNotFound', 'The sync state is not found; restart the sync from scratch.');
      const select = prev?.select ?? selectOf(q);
      const since = prev?.since ?? -1;
      const items: unknown[] = [];
      if (since < 0) for (const m of store.messagesIn(user, f.id)) items.push(messageJson(store, m, select));
      else
        for (const [id, s] of user.changes.get(f.id) ?? []) {
          if (s <= since) continue;
          const m = user.messages.get(id);
          items.push(
            m && m.folderId === f.id
              ? messageJson(store, m, select)
              : { id, '@removed': { reason: 'deleted' } },
          );
        }
      const cur: Cursor = {
        items,
        pos: 0,
        deltaSince: store.sequence,
        base: `${ctx.origin}/v1.0/users/${user.id}/mailFolders/${f.id}/messages/delta`,
      };
      const res = page(ctx, cur, pageSizeOf(req, ctx.pageSize));
      const link = (res.json as Record<string, string>)['@odata.deltaLink'];
      if (link) ctx.deltaTokens.get(link.split('$deltatoken=')[1]!)!.select = select;
      return res;
    }
    case 'POST mailFolders/{}/messages': {
      const f = folder();
      return f ? createMessage(ctx, user, f.id, req) : fail(404, 'ErrorItemNotFound', 'Folder not found.');
    }
    case 'GET messages/{}': {
      const m = msg();
      return m
        ? { status: 200, json: messageJson(store, m, selectOf(q), expandedIds(q.get('$expand'))) }
        : fail(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    }
    case 'GET messages/{}/$value': {
      const m = msg();
      return m
        ? { status: 200, headers: { 'content-type': 'text/plain' }, raw: store.mimeOf(m) }
        : fail(404, 'ErrorItemNotFound', 'Not found.');
    }
    case 'PATCH messages/{}': {
      const m = msg();
      if (!m) return fail(404, 'ErrorItemNotFound', 'Not found.');
      const j = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
      if (j.isDraft !== undefined) return fail(400, 'ErrorInvalidPropertySet', 'isDraft is read-only.');
      if (typeof j.isRead === 'boolean') m.isRead = j.isRead;
      if (j.flag) m.flag = j.flag as EmMessage['flag'];
      if (Array.isArray(j.categories)) m.categories = j.categories as string[];
      applyExtended(m, j.singleValueExtendedProperties, false);
      store.touch(user, m);
      return { status: 200, json: messageJson(store, m) };
    }
    case 'DELETE messages/{}': {
      if (!msg()) return fail(404, 'ErrorItemNotFound', 'Not found.');
      store.remove(user, seg[1]!);
      return { status: 204 };
    }
    case 'POST messages/{}/attachments': {
      const m = msg();
      if (!m) return fail(404, 'ErrorItemNotFound', 'Not found.');
      const att = attachmentOf(JSON.parse(req.body.toString('utf8')) as FileAttachment);
      if ('status' in att) return att;
      const tooBig = sizeCheck(ctx, m, Math.ceil((att.content.length * 4) / 3));
      if (tooBig) return tooBig;
      m.attachments.push(att);
      store.touch(user, m);
      return { status: 201, json: { id: att.id, name: att.name } };
    }
    case 'POST messages/{}/attachments/createUploadSession': {
      const m = msg();
      if (!m) return fail(404, 'ErrorItemNotFound', 'Not found.');
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
  }
  return fail(400, 'BadRequest', `Resource not found for the segment '${seg.join('/')}' (not emulated).`);
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
