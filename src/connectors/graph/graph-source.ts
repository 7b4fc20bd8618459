/** A Microsoft 365 mailbox open for reading through Graph: folders, delta-derived folder state, readers. */
import type {
  FolderInfo,
  FolderState,
  MailSource,
  NativeCheck,
  SourceCapabilities,
  SourceFolderReader,
} from '../contract.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { checkedListing, stateOf } from './graph-delta.js';
import { GraphFolderReader } from './graph-folder-reader.js';
import { FolderTree } from './graph-folders.js';
import { EXCHANGE_ITEM, MailboxApiLink, type PairMemo } from './graph-native.js';

/** One mailbox open for reading. */
export class GraphSource implements MailSource {
  /**
   * No CONDSTORE: flag changes show as a changed folder state (change keys), then flags are re-read. Items
   * leave in Exchange's own form through the mailbox API when the app may export (graph-native.ts).
   */
  readonly capabilities: SourceCapabilities = { supportsCondstore: false, nativeFormat: EXCHANGE_ITEM };
  private readonly tree: FolderTree;
  private readonly link: MailboxApiLink;

  constructor(private readonly client: GraphClient) {
    this.tree = new FolderTree(client);
    this.link = new MailboxApiLink(client);
  }

  /** The mailbox API's export permissions, probed once. */
  checkNative(signal?: AbortSignal): Promise<NativeCheck> {
    return this.link.checkExport(signal);
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
    const pairs: PairMemo = {};
    return GraphFolderReader.open(
      this.client,
      f,
      `${this.client.target.where} "${path.join('/')}"`,
      signal,
      (metas, sig) => this.link.exportPaired(path, metas, pairs, sig),
    );
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
