/**
 * One source pass's view of a Gmail mailbox: which folder each message is filed under (see gmail-labels.ts),
 * its flags, and the numeric keys the engine uses. Built from label listings (messages.list per label, 500
 * ids a page) — no per-message request — after reading the mailbox's historyId, so every change made while
 * it is built is also newer than that historyId and seen by the next delta pass.
 *
 * Keys: a Gmail id is 64-bit hex; the key is the first 48 bits of its SHA-256 (a safe integer, the same in
 * every pass). Two ids with one key would be taken for one message: that refuses the mailbox loudly.
 */
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { FolderInfo, FolderState } from '../contract.js';
import { itemKey } from '../shared/item-key.js';
import type { GmailApi, GmailLabel } from './gmail-api.js';
import {
  ARCHIVE_PATH,
  SYSTEM_FOLDERS,
  chooseFolderLabel,
  flagsFromLabels,
  isFolderLabel,
  labelPath,
} from './gmail-labels.js';

/** Every Gmail key has this generation: keys come from ids, which never change. */
export const GMAIL_UID_VALIDITY = '1';

/** A message as the snapshot knows it. */
export interface SnapMessage {
  id: string;
  uid: number;
  labelIds: string[];
  flags: string[];
}

const folderKey = (path: string[]) => path.join('\u0000');

/** List every id carrying `labelId` (or every id when absent), trash and spam included. */
export async function* listIds(
  api: GmailApi,
  labelId: string | undefined,
  signal?: AbortSignal,
): AsyncIterable<string[]> {
  let pageToken: string | undefined;
  do {
    throwIfAborted(signal);
    const page = await api.json<{ messages?: Array<{ id: string }>; nextPageToken?: string }>(
      {
        op: 'messages.list',
        path: '/messages',
        query: { labelIds: labelId, includeSpamTrash: true, maxResults: 500, pageToken },
      },
      signal,
    );
    yield (page.messages ?? []).map((m) => m.id);
    pageToken = page.nextPageToken;
  } while (pageToken);
}

export class MailboxSnapshot {
  private constructor(
    readonly historyId: string,
    readonly labels: Map<string, GmailLabel>,
    /** Folder (joined path) → its messages, ascending by key. */
    readonly folders: Map<string, SnapMessage[]>,
    readonly folderInfos: FolderInfo[],
  ) {}

  /** Read the mailbox. */
  static async build(api: GmailApi, signal?: AbortSignal): Promise<MailboxSnapshot> {
    const profile = await api.json<{ historyId: string }>({ op: 'getProfile', path: '/profile' }, signal);
    const { labels: list = [] } = await api.json<{ labels?: GmailLabel[] }>(
      { op: 'labels.list', path: '/labels' },
      signal,
    );
    const labels = new Map(list.map((l) => [l.id, l]));
    const byId = new Map<string, string[]>();
    for await (const ids of listIds(api, undefined, signal)) for (const id of ids) byId.set(id, []);
    const wanted = list.filter(
      (l) => isFolderLabel(l) || ['UNREAD', 'STARRED', 'IMPORTANT', 'CHAT'].includes(l.id),
    );
    for (const l of wanted)
      for await (const ids of listIds(api, l.id, signal))
        // A message that arrived after the full listing is left for the next pass (its history is newer).
        for (const id of ids) byId.get(id)?.push(l.id);

    const pathOf = (labelId: string | undefined): string[] => {
      const sys = SYSTEM_FOLDERS.find((f) => f.id === labelId);
      return labelId === undefined ? ARCHIVE_PATH : (sys?.path ?? labelPath(labels.get(labelId)!.name));
    };
    const isUser = (id: string) => labels.get(id)?.type === 'user';
    const folders = new Map<string, SnapMessage[]>();
    const infos = new Map<string, FolderInfo>();
    const addFolder = (path: string[], selectable: boolean, specialUse?: FolderInfo['specialUse']) => {
      for (let d = 1; d < path.length; d++)
        if (!infos.has(folderKey(path.slice(0, d))))
          infos.set(folderKey(path.slice(0, d)), { path: path.slice(0, d), selectable: false });
      const prev = infos.get(folderKey(path));
      infos.set(folderKey(path), { path, selectable: selectable || !!prev?.selectable, specialUse });
      if (selectable && !folders.has(folderKey(path))) folders.set(folderKey(path), []);
    };
    for (const f of SYSTEM_FOLDERS) if (labels.has(f.id)) addFolder(f.path, true, f.use);
    for (const l of list)
      if (l.type === 'user' && labelPath(l.name).length) addFolder(labelPath(l.name), true);
    addFolder(ARCHIVE_PATH, true, 'archive');

    const seen = new Map<number, string>();
    for (const [id, labelIds] of byId) {
      if (labelIds.includes('CHAT')) continue; // chats are not mail
      const uid = itemKey(id);
      const other = seen.get(uid);
      if (other !== undefined)
        throw new PermanentError(
          ErrorCode.SourceReadFailed,
          `${api.where}: the messages ${other} and ${id} map to the same key; the two cannot be told apart.`,
          'The mailbox stops here rather than risk skipping one of them; report this.',
        );
      seen.set(uid, id);
      const filed = chooseFolderLabel(labelIds, isUser, (l) => labels.get(l)?.name ?? l);
      const flags = flagsFromLabels(labelIds, filed, (l) => labels.get(l));
      folders.get(folderKey(pathOf(filed)))!.push({ id, uid, labelIds, flags });
    }
    for (const msgs of folders.values()) msgs.sort((a, b) => a.uid - b.uid);
    return new MailboxSnapshot(profile.historyId, labels, folders, [...infos.values()]);
  }

  /** The messages filed under a folder; a folder Gmail does not have fails clearly. */
  messages(path: string[], where: string): SnapMessage[] {
    const msgs = this.folders.get(folderKey(path));
    if (!msgs)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${where}: there is no label "${path.join('/')}" (renamed or deleted since the pass started?).`,
        'The next pass picks up the current labels.',
      );
    return msgs;
  }

  /** The engine's state of a folder: the mailbox's historyId stands in for HIGHESTMODSEQ. */
  state(path: string[], where: string): FolderState {
    const msgs = this.messages(path, where);
    return {
      uidValidity: GMAIL_UID_VALIDITY,
      uidNext: (msgs.at(-1)?.uid ?? 0) + 1,
      messages: msgs.length,
      highestModseq: this.historyId,
    };
  }
}
