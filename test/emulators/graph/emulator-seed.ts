/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): mail put into a mailbox behind
 * the API's back, as if it had been delivered — the MIME kept as given, flags as Graph properties
 * (\\Seen = isRead, \\Flagged = flag, \\Draft = isDraft, keywords = categories).
 */
import { propsFromMime } from './emulator-mime.js';
import { newId, type EmMessage, type EmulatorStore } from './emulator-store.js';

/** One message to deliver. */
export interface SeedMessage {
  raw: Buffer;
  flags?: string[];
  internalDate?: Date;
  categories?: string[];
}

/** Deliver messages into a folder (display-name path from the root, created when missing; Inbox by name). */
export function seedMessages(
  store: EmulatorStore,
  upn: string,
  folder: string[],
  messages: SeedMessage[],
): EmMessage[] {
  const user = store.user(upn);
  if (!user) throw new Error(`no emulated user ${upn}`);
  const f =
    /^inbox$/i.test(folder[0] ?? '') && folder.length === 1
      ? store.folder(user, 'inbox')!
      : store.folderByPath(user, folder)!;
  return messages.map((s) => {
    const now = (s.internalDate ?? new Date()).toISOString();
    const flags = s.flags ?? [];
    const m: EmMessage = {
      id: newId('AAMkMsg'),
      folderId: f.id,
      changeKey: '',
      createdDateTime: now,
      lastModifiedDateTime: now,
      receivedDateTime: now,
      body: { contentType: 'text', content: '' },
      isRead: flags.includes('\\Seen'),
      isDraft: flags.includes('\\Draft'),
      flag: { flagStatus: flags.includes('\\Flagged') ? 'flagged' : 'notFlagged' },
      categories: [
        ...(s.categories ?? []),
        ...flags.filter((x) => !x.startsWith('\\') && !x.startsWith('$')),
      ],
      attachments: [],
      ext: new Map(),
      ...propsFromMime(s.raw),
      givenMime: s.raw,
    };
    store.insert(user, m);
    return m;
  });
}
