/**
 * A directory tree of `.eml` files as a source: every directory is a folder, each message is read from its
 * file exactly as stored, with the flags and internal date its manifest recorded (see file-store.ts for a
 * plain EML folder without one).
 */
import { throwIfAborted } from '../../errors.js';
import type {
  FolderInfo,
  FolderState,
  ListOptions,
  MailSource,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../contract.js';
import { bodiesOf, metasOf, openView, uidsOf, type FolderView } from './file-store.js';
import { FileTree } from './file-tree.js';

/** The messages of one folder directory, read as they were when it was opened. */
class FileFolderReader implements SourceFolderReader {
  constructor(private readonly view: FolderView) {}

  get state(): FolderState {
    return this.view.state;
  }

  async listUids(): Promise<number[]> {
    return uidsOf(this.view);
  }

  listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    throwIfAborted(signal);
    return metasOf(this.view, opts);
  }

  streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    throwIfAborted(signal);
    return bodiesOf(this.view, uids);
  }

  async close(): Promise<void> {}
}

/** A directory tree open for reading. */
export class FileSource implements MailSource {
  readonly capabilities = { supportsCondstore: false };

  private readonly tree: FileTree;

  constructor(root: string) {
    this.tree = new FileTree(root);
  }

  listFolders(): Promise<FolderInfo[]> {
    return this.tree.walk();
  }

  async folderState(path: string[]): Promise<FolderState> {
    return (await openView(await this.tree.dirOf(path))).state;
  }

  async openFolder(path: string[]): Promise<SourceFolderReader> {
    return new FileFolderReader(await openView(await this.tree.dirOf(path)));
  }

  async close(): Promise<void> {}
}
