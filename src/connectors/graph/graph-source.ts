/** A Microsoft 365 mailbox open for reading through Graph: folders, delta-derived folder state, readers. */
import type {
  FolderInfo,
  FolderState,
  MailSource,
  SourceCapabilities,
  SourceFolderReader,
} from '../contract.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { checkedListing, stateOf } from './graph-delta.js';
import { GraphFolderReader } from './graph-folder-reader.js';
import { FolderTree } from './graph-folders.js';

/** One mailbox open for reading. */
export class GraphSource implements MailSource {
  /** No CONDSTORE: flag changes show as a changed folder state (change keys), then flags are re-read. */
  readonly capabilities: SourceCapabilities = { supportsCondstore: false };
  private readonly tree: FolderTree;

  constructor(private readonly client: GraphClient) {
    this.tree = new FolderTree(client);
  }

  listFolders(signal?: AbortSignal): Promise<FolderInfo[]> {
    return this.tree.infos(signal);
  }

  async folderState(path: string[], signal?: AbortSignal): Promise<FolderState> {
    const f = await this.folder(path, signal);
    return stateOf(f, await checkedListing(this.client, f, signal));
  }

  async openFolder(path: string[], signal?: AbortSignal): Promise<SourceFolderReader> {
    const f = await this.folder(path, signal);
    return GraphFolderReader.open(this.client, f, `${this.client.target.where} "${path.join('/')}"`, signal);
  }

  async close(): Promise<void> {}

  private async folder(path: string[], signal?: AbortSignal): Promise<string> {
    const f = await this.tree.find(path, signal);
    if (!f)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${this.client.target.where}: folder "${path.join('/')}" is gone.`,
        'It was deleted or renamed at the source since the pass started; the next pass sees the new tree.',
      );
    return f.id;
  }
}
