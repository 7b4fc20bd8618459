/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the mailbox import/export API as
 * documented (learn.microsoft.com/graph/api/resources/mailbox-import-export-api-overview):
 * - GET /users/{id}/settings/exchange → { primaryMailboxId } (mailbox discovery);
 * - GET /admin/exchange/mailboxes/{id}/folders (MailboxFolder.Read.All or .ReadWrite.All) → mailboxFolder;
 * - GET .../folders/{fid}/items/delta (MailboxItem.Read.All) → mailboxItem (id, changeKey, size, type...);
 * - POST .../exportItems { itemIds } (MailboxItem.Export.All or .ImportExport.All): 1 to 20 ids, each
 *   answered with { itemId, changeKey, data } or { itemId, error } (an id not in this mailbox);
 * - POST .../createImportSession (MailboxItem.ImportExport.All only) → { importUrl, expirationDateTime };
 * - POST importUrl { FolderId, Mode: create|update, Data, ItemId?, ChangeKey? } with NO Authorization header
 *   (the URL is pre-authenticated) → { itemId, changeKey }.
 * The app's application permissions are a set a test grants (none of these by default). `data` is opaque:
 * this emulator's own full-fidelity serialisation of the item with a checksum, so an altered stream is
 * refused and any emulator instance (another tenant) can import what one exported. No size limit is
 * documented for either call; the emulator enforces none beyond the mailbox's message size limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fail, type EmRequest, type EmResponse, type MailContext } from './emulator-http.js';
import { newId, type EmMessage, type EmUser } from './emulator-store.js';

/** Documented: "The maximum size of this collection is 20 strings." */
export const EXPORT_MAX_ITEMS = 20;
const MAGIC = 'EMU-FTS/1\n';

const denied = (perm: string) =>
  fail(403, 'ErrorAccessDenied', `Access is denied. The application needs the ${perm} permission.`);

/** The item as an opaque, checksummed stream (base64). */
export function exportStream(m: EmMessage): string {
  const body = JSON.stringify({
    ...m,
    ext: [...m.ext],
    attachments: m.attachments.map((a) => ({ ...a, content: a.content.toString('base64') })),
    givenMime: m.givenMime?.toString('base64'),
    rendered: undefined,
  });
  const sum = createHash('sha256').update(body).digest('hex');
  return Buffer.from(`${MAGIC}${sum}\n${body}`, 'utf8').toString('base64');
}

/** The item an opaque stream holds, or undefined when it is not one (or was altered). */
function importStream(data: string): EmMessage | undefined {
  const text = Buffer.from(data, 'base64').toString('utf8');
  if (!text.startsWith(MAGIC)) return undefined;
  const [sum, ...rest] = text.slice(MAGIC.length).split('\n');
  const body = rest.join('\n');
  if (createHash('sha256').update(body).digest('hex') !== sum) return undefined;
  const o = JSON.parse(body) as EmMessage & { ext: Array<[string, string]>; givenMime?: string };
  return {
    ...o,
    ext: new Map(o.ext),
    attachments: o.attachments.map((a) => ({
      ...a,
      content: Buffer.from(a.content as unknown as string, 'base64'),
    })),
    givenMime: o.givenMime ? Buffer.from(o.givenMime, 'base64') : undefined,
  };
}

/** The mailbox API's state: granted permissions and open import sessions. */
export class EmMailboxApi {
  /** Application permissions the app holds for this API (a test grants them). */
  readonly roles = new Set<string>();
  /** How long an import URL stays valid. */
  sessionTtlMs = 15 * 60_000;
  /** Items imported (create or update), for tests. */
  imports = 0;
  /** Item exports answered with data, for tests. */
  exports = 0;
  /** Item listings that expanded an extended property, for tests. */
  expandedListings = 0;
  /** The next this many imports are done but their answer is lost (the connection is cut). */
  cutImportAnswers = 0;
  private readonly sessions = new Map<string, { user: EmUser; expires: number }>();

  constructor(private readonly tenantId: string) {}

  grant(...perms: string[]): void {
    for (const p of perms) this.roles.add(p);
  }

  revoke(...perms: string[]): void {
    for (const p of perms) this.roles.delete(p);
  }

  /** Every import URL handed out so far stops working (as when its token expires). */
  expireSessions(): void {
    this.sessions.clear();
  }

  private has(...perms: string[]): boolean {
    return perms.some((p) => this.roles.has(p));
  }

  /** The primary mailbox id of a user, in the documented "MBX:<guid>@<tenant>" shape. */
  mailboxId(user: EmUser): string {
    const t = createHash('sha256').update(this.tenantId).digest('hex').slice(0, 8);
    return `MBX:${user.id.slice(0, 8)}@${t}`;
  }

  /** GET /users/{id}/settings/exchange. */
  settings(user: EmUser): EmResponse {
    return { status: 200, json: { primaryMailboxId: this.mailboxId(user) } };
  }

  /** A route under /admin/exchange/mailboxes/{id}; `rest` starts after the id. */
  route(ctx: MailContext, user: EmUser, rest: string, req: EmRequest, origin: string): EmResponse {
    const { store } = ctx;
    if (req.method === 'GET' && rest === '/folders') {
      if (!this.has('MailboxFolder.Read.All', 'MailboxFolder.ReadWrite.All'))
        return denied('MailboxFolder.Read.All');
      const value = [...user.folders.values()]
        .filter((f) => f.wellKnown !== 'msgfolderroot')
        .map((f) => ({
          id: f.id,
          displayName: f.displayName,
          parentFolderId: f.parentFolderId,
          childFolderCount: store.children(user, f.id).length,
          totalItemCount: store.messagesIn(user, f.id).length,
          type: 'IPF.Note',
          wellKnownName: f.wellKnown ?? null,
        }));
      return { status: 200, json: { value } };
    }
    const list = /^\/folders\/([^/]+)\/items$/.exec(rest);
    if (req.method === 'GET' && list) return this.listItems(ctx, user, list[1]!, req);
    const delta = /^\/folders\/([^/]+)\/items\/delta$/.exec(rest);
    if (req.method === 'GET' && delta) {
      if (!this.has('MailboxItem.Read.All')) return denied('MailboxItem.Read.All');
      const folder = store.folder(user, delta[1]!);
      if (!folder) return fail(404, 'ErrorItemNotFound', 'The specified folder could not be found.');
      const value = store.messagesIn(user, folder.id).map((m) => ({
        '@odata.type': '#microsoft.graph.mailboxItem',
        id: m.id,
        changeKey: m.changeKey,
        createdDateTime: m.createdDateTime,
        lastModifiedDateTime: m.lastModifiedDateTime,
        categories: m.categories,
        type: 'IPM.Note',
        size: store.mimeOf(m).length,
      }));
      return {
        status: 200,
        json: { value, '@odata.deltaLink': `${origin}${req.path}?$deltatoken=${store.sequence}` },
      };
    }
    if (req.method === 'POST' && rest === '/exportItems') {
      if (!this.has('MailboxItem.Export.All', 'MailboxItem.ImportExport.All'))
        return denied('MailboxItem.Export.All');
      const ids = (JSON.parse(req.body.toString('utf8') || '{}') as { itemIds?: unknown }).itemIds;
      if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== 'string'))
        return fail(400, 'ErrorInvalidRequest', 'itemIds must be a non-empty collection of strings.');
      if (ids.length > EXPORT_MAX_ITEMS)
        return fail(400, 'ErrorInvalidRequest', `At most ${EXPORT_MAX_ITEMS} itemIds per request.`);
      const value = (ids as string[]).map((id) => {
        const m = user.messages.get(id);
        if (!m)
          return {
            itemId: id,
            error: { code: 'ErrorItemNotFound', message: 'The item is not in this mailbox.' },
          };
        this.exports++;
        return { itemId: id, changeKey: m.changeKey, data: exportStream(m) };
      });
      return { status: 200, json: { value } };
    }
    if (req.method === 'POST' && rest === '/createImportSession') {
      if (!this.has('MailboxItem.ImportExport.All')) return denied('MailboxItem.ImportExport.All');
      const token = randomBytes(16).toString('base64url');
      const expires = Date.now() + this.sessionTtlMs;
      this.sessions.set(token, { user, expires });
      return {
        status: 200,
        json: {
          importUrl: `${ctx.origin}/emu-outlook/api/gv1.0/Mailboxes('${this.mailboxId(user)}')/importItem?authtoken=${token}`,
          expirationDateTime: new Date(expires).toISOString(),
        },
      };
    }
    return fail(400, 'BadRequest', `Unsupported mailbox API path ${rest}.`);
  }

  /**
   * GET .../folders/{fid}/items (MailboxItem.Read.All): $top, and $expand of single-value extended properties
   * with an `id eq` filter (mailboxitem resource: "Get single-value property"); this emulator knows
   * PidTagInternetMessageId (String 0x1035) and the properties set on the message. No paging beyond $top.
   */
  private listItems(ctx: MailContext, user: EmUser, folderId: string, req: EmRequest): EmResponse {
    if (!this.has('MailboxItem.Read.All')) return denied('MailboxItem.Read.All');
    const { store } = ctx;
    const folder = store.folder(user, folderId);
    if (!folder) return fail(404, 'ErrorItemNotFound', 'The specified folder could not be found.');
    const expand = req.query.get('$expand');
    let prop: string | undefined;
    if (expand) {
      const m = /^singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)$/.exec(expand);
      if (!m) return fail(400, 'BadRequest', `Unsupported $expand ${expand}.`);
      prop = m[1]!;
      this.expandedListings++;
    }
    const top = Number(req.query.get('$top') ?? '0');
    let items = store.messagesIn(user, folder.id);
    if (top > 0) items = items.slice(0, top);
    const value = items.map((m) => {
      const v =
        prop === undefined
          ? undefined
          : prop.toLowerCase() === 'string 0x1035'
            ? m.internetMessageId
            : m.ext.get(prop);
      return {
        '@odata.type': '#microsoft.graph.mailboxItem',
        id: m.id,
        changeKey: m.changeKey,
        type: 'IPM.Note',
        size: store.mimeOf(m).length,
        ...(prop !== undefined ? { singleValueExtendedProperties: v ? [{ id: prop, value: v }] : [] } : {}),
      };
    });
    return { status: 200, json: { value } };
  }

  /** POST importUrl: pre-authenticated by its authtoken; an Authorization header is not to be sent. */
  importItem(ctx: MailContext, req: EmRequest): EmResponse {
    if (req.method !== 'POST') return fail(405, 'MethodNotAllowed', 'POST only.');
    if (req.headers['authorization'])
      return fail(
        400,
        'ErrorInvalidRequest',
        'The import URL is pre-authenticated: send no Authorization header.',
      );
    const s = this.sessions.get(req.query.get('authtoken') ?? '');
    if (!s || s.expires < Date.now())
      return fail(401, 'InvalidAuthenticationToken', 'The import session is unknown or has expired.');
    const b = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
    const { FolderId, Mode, Data, ItemId, ChangeKey } = b;
    if (typeof FolderId !== 'string' || typeof Data !== 'string' || (Mode !== 'create' && Mode !== 'update'))
      return fail(400, 'ErrorInvalidRequest', 'FolderId, Mode (create or update) and Data are required.');
    if (Mode === 'create' && (ItemId !== undefined || ChangeKey !== undefined))
      return fail(400, 'ErrorInvalidRequest', 'ItemId and ChangeKey are not allowed in create mode.');
    const folder = ctx.store.folder(s.user, FolderId);
    if (!folder) return fail(404, 'ErrorFolderNotFound', 'The folder is not in this mailbox.');
    const item = importStream(Data);
    if (!item) return fail(400, 'ErrorCorruptData', 'Data is not an item exported by exportItems.');
    if (Data.length * 0.75 > ctx.maxMessageBytes)
      return fail(413, 'ErrorMessageSizeExceeded', 'The item is over the mailbox size limit.');
    let id = newId('AAMkAG');
    if (Mode === 'update') {
      const old = typeof ItemId === 'string' ? s.user.messages.get(ItemId) : undefined;
      if (!old || old.changeKey !== ChangeKey || old.folderId !== folder.id)
        return fail(409, 'ErrorIrresolvableConflict', 'ItemId and ChangeKey match no item in the folder.');
      id = old.id;
    }
    const m: EmMessage = { ...item, id, folderId: folder.id };
    ctx.store.insert(s.user, m);
    this.imports++;
    if (this.cutImportAnswers > 0) {
      this.cutImportAnswers--;
      return { status: 200, cut: true };
    }
    return { status: 200, json: { itemId: m.id, changeKey: m.changeKey } };
  }
}
