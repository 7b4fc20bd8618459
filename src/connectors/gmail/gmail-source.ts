/**
 * A Gmail mailbox open for reading. Folders are labels (see gmail-labels.ts for how a message with several
 * labels is filed once); the mailbox is read once per connection into a snapshot, and its historyId is the
 * CONDSTORE-like modification sequence: an unchanged historyId means an unchanged mailbox, and
 * history.list gives the flag changes of a delta pass.
 */
import { throwIfAborted } from '../../errors.js';
import type {
  FolderInfo,
  FolderState,
  MailSource,
  SourceCapabilities,
  SourceFolderReader,
} from '../contract.js';
import type { GmailApi } from './gmail-api.js';
import { GmailFolderReader } from './gmail-folder-reader.js';
import { MailboxSnapshot } from './gmail-snapshot.js';

export class GmailSource implements MailSource {
  readonly capabilities: SourceCapabilities = { supportsCondstore: true };
  private snap?: Promise<MailboxSnapshot>;

  constructor(private readonly api: GmailApi) {}

  private snapshot(signal?: AbortSignal): Promise<MailboxSnapshot> {
    this.snap ??= MailboxSnapshot.build(this.api, signal);
    // A failed read is not kept: the next call tries again.
    this.snap.catch(() => (this.snap = undefined));
    return this.snap;
  }

  async listFolders(signal?: AbortSignal): Promise<FolderInfo[]> {
    return (await this.snapshot(signal)).folderInfos;
  }

  async folderState(path: string[], signal?: AbortSignal): Promise<FolderState> {
    return (await this.snapshot(signal)).state(path, this.api.where);
  }

  async openFolder(path: string[], signal?: AbortSignal): Promise<SourceFolderReader> {
    throwIfAborted(signal);
    const snap = await this.snapshot(signal);
    return new GmailFolderReader(
      this.api,
      snap.state(path, this.api.where),
      snap.messages(path, this.api.where),
    );
  }

  async close(): Promise<void> {}
}
