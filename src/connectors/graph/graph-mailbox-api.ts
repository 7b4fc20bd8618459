/**
 * Graph's mailbox import/export API, the full-fidelity path between two Exchange Online mailboxes (tenant to
 * tenant): items leave as Exchange's own opaque stream (exportItems) and are recreated from it (an import
 * session's pre-authenticated URL), with nothing converted in between. Documented at
 * learn.microsoft.com/graph/api/resources/mailbox-import-export-api-overview and the pages it links:
 * - the mailbox: GET /users/{id}/settings/exchange → primaryMailboxId;
 * - its folders: GET /admin/exchange/mailboxes/{id}/folders (MailboxFolder.Read.All);
 * - a folder's items: GET .../folders/{folderId}/items/delta (MailboxItem.Read.All);
 * - export: POST .../exportItems { itemIds } — at most 20 ids per request, all of this mailbox; each answer
 *   carries data or an error of its own (MailboxItem.Export.All or MailboxItem.ImportExport.All);
 * - import: POST .../createImportSession (MailboxItem.ImportExport.All) → importUrl + expirationDateTime, then
 *   POST importUrl { FolderId, Mode: "create", Data } with no Authorization header → { itemId, changeKey }.
 * No size limit per item or per request is documented for either call.
 */
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { graphError, type GraphErrorBody } from './graph-errors.js';
import { readAll, send } from './graph-transport.js';

/** Documented maximum of itemIds in one exportItems request. */
export const EXPORT_BATCH = 20;
/** An import URL is renewed this long before it expires. */
const SESSION_MARGIN_MS = 60_000;

/** A folder as the mailbox API lists it (ids of this API, used for export and import alike). */
export interface MailboxFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  wellKnownName?: string | null;
  totalItemCount: number;
}

/** An item as the mailbox API lists it: no headers, only what identifies and sizes it. */
export interface MailboxItem {
  id: string;
  changeKey: string;
  size: number;
  type: string;
}

/** One exported item: its opaque stream (base64), or why the service would not export it. */
export type ExportedItem =
  { itemId: string; changeKey: string; data: string } | { itemId: string; error: string };

const mailbox = (id: string) => `/admin/exchange/mailboxes/${encodeURIComponent(id)}`;

/** The id of a user's primary mailbox in this API ("MBX:…@…"). */
export async function primaryMailboxId(
  client: GraphClient,
  user: string,
  signal?: AbortSignal,
): Promise<string> {
  const r = await client.json<{ primaryMailboxId?: string }>(
    'GET',
    `/users/${encodeURIComponent(user)}/settings/exchange`,
    { what: 'GET settings/exchange' },
    signal,
  );
  if (!r.primaryMailboxId)
    throw new PermanentError(
      ErrorCode.ProtocolError,
      `${client.target.where}: settings/exchange named no primary mailbox.`,
      'Check that the user has an Exchange Online mailbox.',
    );
  return r.primaryMailboxId;
}

/** Every folder of the mailbox, as this API names them. */
export async function mailboxFolders(
  client: GraphClient,
  mbx: string,
  signal?: AbortSignal,
): Promise<MailboxFolder[]> {
  const out: MailboxFolder[] = [];
  for await (const page of client.pages<MailboxFolder>(`${mailbox(mbx)}/folders`, signal)) out.push(...page);
  return out;
}

/** Every item of a folder (one full delta round). */
export async function folderItems(
  client: GraphClient,
  mbx: string,
  folderId: string,
  signal?: AbortSignal,
): Promise<MailboxItem[]> {
  const out: MailboxItem[] = [];
  const path = `${mailbox(mbx)}/folders/${encodeURIComponent(folderId)}/items/delta`;
  for await (const page of client.pages<MailboxItem>(path, signal)) out.push(...page);
  return out;
}

/** Export items in requests of at most 20, answers in the order of `ids`. */
export async function exportItems(
  client: GraphClient,
  mbx: string,
  ids: string[],
  signal?: AbortSignal,
): Promise<ExportedItem[]> {
  const out: ExportedItem[] = [];
  for (let i = 0; i < ids.length; i += EXPORT_BATCH) {
    throwIfAborted(signal);
    const r = await client.json<{
      value: Array<{ itemId: string; changeKey?: string; data?: string; error?: GraphErrorBody }>;
    }>(
      'POST',
      `${mailbox(mbx)}/exportItems`,
      { body: { itemIds: ids.slice(i, i + EXPORT_BATCH) }, what: 'POST exportItems' },
      signal,
    );
    for (const v of r.value)
      out.push(
        v.data !== undefined && !v.error
          ? { itemId: v.itemId, changeKey: v.changeKey ?? '', data: v.data }
          : {
              itemId: v.itemId,
              error: `${v.error?.code ?? 'no data'}${v.error?.message ? `: ${v.error.message}` : ''}`,
            },
      );
  }
  return out;
}

/** Whether this app may import into (and export from) `mbx`: creating an import session is the test. */
export async function canImportExport(
  client: GraphClient,
  mbx: string,
  signal?: AbortSignal,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await client.json(
      'POST',
      `${mailbox(mbx)}/createImportSession`,
      { what: 'POST createImportSession' },
      signal,
    );
    return { ok: true };
  } catch (err) {
    if (err instanceof PermanentError && err.code === ErrorCode.AuthFailed)
      return {
        ok: false,
        reason: `${client.target.where}: the app lacks MailboxItem.ImportExport.All (${err.message})`,
      };
    throw err;
  }
}

/** An import session of one mailbox; its URL is renewed before it expires, and once more if refused. */
export class ImportSession {
  private session?: { url: string; expires: number };

  constructor(
    private readonly client: GraphClient,
    private readonly mbx: string,
  ) {}

  private async url(fresh: boolean, signal?: AbortSignal): Promise<string> {
    if (!fresh && this.session && this.session.expires - SESSION_MARGIN_MS > Date.now())
      return this.session.url;
    const r = await this.client.json<{ importUrl: string; expirationDateTime: string }>(
      'POST',
      `${mailbox(this.mbx)}/createImportSession`,
      { what: 'POST createImportSession' },
      signal,
    );
    this.session = { url: r.importUrl, expires: Date.parse(r.expirationDateTime) };
    return r.importUrl;
  }

  /** Create one item in `folderId` from an exported stream; the new item's id and change key. */
  async create(
    folderId: string,
    data: string,
    signal?: AbortSignal,
  ): Promise<{ itemId: string; changeKey: string }> {
    const body = JSON.stringify({ FolderId: folderId, Mode: 'create', Data: data });
    const { target } = this.client;
    for (const fresh of [false, true]) {
      const url = await this.url(fresh, signal);
      const release = await this.client.gate.acquire(1, signal);
      try {
        // Pre-authenticated: no bearer token goes with it (import-exchange-mailbox-item, step 2).
        const res = await send(
          url,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            insecure: target.insecure,
          },
          target.where,
          signal,
        );
        const text = (await readAll(res)).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 401 && !fresh) continue; // the session expired early: one new session
        const parsed = text
          ? (JSON.parse(text) as { itemId?: string; changeKey?: string; error?: GraphErrorBody })
          : {};
        if (status >= 300 || !parsed.itemId)
          throw graphError(
            status,
            parsed.error ?? {},
            res.headers['retry-after'],
            target.where,
            'POST importItem',
          );
        return { itemId: parsed.itemId, changeKey: parsed.changeKey ?? '' };
      } finally {
        release();
      }
    }
    throw new PermanentError(
      ErrorCode.AuthFailed,
      `${target.where}: two import sessions in a row were refused.`,
      'Check that the app holds MailboxItem.ImportExport.All in the destination tenant.',
    );
  }
}
