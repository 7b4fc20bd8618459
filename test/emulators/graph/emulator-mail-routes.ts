/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the routing table of the mailbox
 * endpoints Cutover uses — contacts, calendars and To Do (emulator-groupware.ts), settings and inbox rules (emulator-rules.ts), folders (by id or well-known name), message lists with paging, delta
 * rounds with skip and delta tokens, single messages and their MIME. Writes are in emulator-messages.ts.
 */
import { randomBytes } from 'node:crypto';
import { expandedIds, folderJson, messageJson } from './emulator-json.js';
import { fail, type Cursor, type EmRequest, type EmResponse, type MailContext } from './emulator-http.js';
import { addAttachment, createMessage, createUploadSession, patchMessage } from './emulator-messages.js';
import { rulesRoute, settingsRoute } from './emulator-rules.js';
import type { EmUser } from './emulator-store.js';

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

  const groupware = ctx.groupware.route(user, seg, req, ctx.origin);
  if (groupware) return groupware;
  const rulesOrSettings = rulesRoute(ctx, user, seg, req) ?? settingsRoute(ctx, user, seg, req);
  if (rulesOrSettings) return rulesOrSettings;
  switch (key) {
    case 'GET mailFolders':
      return list(store.children(user, store.root(user).id).map((f) => folderJson(store, user, f)));
    case 'GET mailFolders/{}': {
      const f = folder();
      return f
        ? { status: 200, json: folderJson(store, user, f) }
        : fail(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    }
    case 'DELETE mailFolders/{}': {
      const f = folder();
      if (!f) return fail(404, 'ErrorItemNotFound', 'Folder not found.');
      if (f.wellKnown)
        return fail(403, 'ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.');
      // The folder, its subfolders and their messages (Graph moves it to Deleted Items; gone here).
      const doomed = [f.id];
      for (let i = 0; i < doomed.length; i++)
        doomed.push(...store.children(user, doomed[i]!).map((c) => c.id));
      for (const id of doomed) {
        for (const m of store.messagesIn(user, id)) store.remove(user, m.id);
        user.folders.delete(id);
      }
      return { status: 204 };
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
      // The one $filter Cutover sends: internetMessageId eq '<…>' (quotes doubled inside).
      // The $filters Cutover sends: internetMessageId eq '<…>' (quotes doubled inside), or a received range.
      const text = q.get('$filter');
      const byId = /^internetMessageId eq '((?:[^']|'')*)'$/.exec(text ?? '');
      const byTime = /^receivedDateTime ge (\S+) and receivedDateTime lt (\S+)$/.exec(text ?? '');
      if (text && !byId && !byTime) return fail(400, 'BadRequest', `$filter not emulated: ${text}`);
      const wanted = byId?.[1]!.replace(/''/g, "'");
      const [from, to] = byTime ? [Date.parse(byTime[1]!), Date.parse(byTime[2]!)] : [-Infinity, Infinity];
      return list(
        store
          .messagesIn(user, f.id)
          .filter((m) => wanted === undefined || m.internetMessageId === wanted)
          .filter((m) => Date.parse(m.receivedDateTime) >= from && Date.parse(m.receivedDateTime) < to)
          .map((m) => messageJson(store, m, selectOf(q), ids)),
      );
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
    case 'PATCH messages/{}':
      return patchMessage(ctx, user, seg[1]!, req);
    case 'DELETE messages/{}': {
      if (!msg()) return fail(404, 'ErrorItemNotFound', 'Not found.');
      store.remove(user, seg[1]!);
      return { status: 204 };
    }
    case 'POST messages/{}/attachments':
      return addAttachment(ctx, user, seg[1]!, req);
    case 'POST messages/{}/attachments/createUploadSession':
      return createUploadSession(ctx, user, seg[1]!, req);
  }
  return fail(400, 'BadRequest', `Resource not found for the segment '${seg.join('/')}' (not emulated).`);
}
