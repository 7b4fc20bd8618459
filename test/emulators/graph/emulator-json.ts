/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): resource representations —
 * messages and folders as Graph returns them, with `$select` and `$expand=singleValueExtendedProperties`
 * honoured the way Graph does (an extended property is returned only when it exists on the item).
 */
import { headerFields } from './emulator-mime.js';
import { extKey, type EmFolder, type EmMessage, type EmUser, type EmulatorStore } from './emulator-store.js';

/** The property ids named in `$expand=singleValueExtendedProperties($filter=id eq '…' or id eq '…')`. */
export function expandedIds(expand: string | null): string[] | undefined {
  if (!expand || !/singleValueExtendedProperties/i.test(expand)) return undefined;
  return [...expand.matchAll(/id eq '([^']+)'/gi)].map((m) => m[1]!);
}

/** A message as Graph returns it. */
export function messageJson(
  store: EmulatorStore,
  m: EmMessage,
  select?: string[],
  expand?: string[],
): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: m.id,
    '@odata.etag': `W/"${m.changeKey}"`,
    changeKey: m.changeKey,
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.lastModifiedDateTime,
    receivedDateTime: m.receivedDateTime,
    sentDateTime: m.sentDateTime ?? null,
    subject: m.subject ?? null,
    internetMessageId: m.internetMessageId ?? null,
    parentFolderId: m.folderId,
    from: m.from ?? null,
    toRecipients: m.toRecipients ?? [],
    ccRecipients: m.ccRecipients ?? [],
    isRead: m.isRead,
    isDraft: m.isDraft,
    flag: m.flag,
    categories: m.categories,
    hasAttachments: m.attachments.length > 0,
    body: m.body,
  };
  if (select?.some((s) => s.toLowerCase() === 'internetmessageheaders'))
    all.internetMessageHeaders = headerFields(store.mimeOf(m)).map((f) => ({ name: f.name, value: f.value }));
  const out: Record<string, unknown> = select ? { id: m.id, '@odata.etag': all['@odata.etag'] } : all;
  if (select) for (const s of select) if (s in all || s === 'internetMessageHeaders') out[s] = all[s];
  if (expand) {
    const props: Array<{ id: string; value: string }> = [];
    for (const id of expand) {
      const key = extKey(id);
      // PidTagMessageSize is computed by the store; the emulator uses the size of the MIME it serves.
      const value = key === 'integer 0x0e08' ? String(store.mimeOf(m).length) : m.ext.get(key);
      if (value !== undefined) props.push({ id, value });
    }
    if (props.length) out.singleValueExtendedProperties = props;
  }
  return out;
}

/** A folder as Graph returns it (v1.0 has no well-known name on the resource: ask by name instead). */
export function folderJson(store: EmulatorStore, user: EmUser, f: EmFolder): Record<string, unknown> {
  const msgs = store.messagesIn(user, f.id);
  return {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
    childFolderCount: store.children(user, f.id).length,
    totalItemCount: msgs.length,
    unreadItemCount: msgs.filter((m) => !m.isRead).length,
    isHidden: false,
  };
}
