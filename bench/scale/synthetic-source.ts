/**
 * The synthetic source: a mailbox of generated messages (synthetic-messages.ts) behind the connector
 * contract, with no server. It behaves as a CONDSTORE IMAP server whose folders never change, so a second
 * pass finds every folder unchanged and settles it from the ledger.
 */
import type {
  FolderInfo,
  FolderState,
  ListOptions,
  MailSource,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../../src/connectors/contract.js';
import { NotFoundError } from '../../src/errors.js';
import {
  messagesIn,
  syntheticBody,
  syntheticFolders,
  syntheticMeta,
  syntheticState,
  type SyntheticShape,
} from './synthetic-messages.js';

const PAGE = 500;

/**
 * Give the event loop a turn, as the network would: a source that answers every call at once keeps a
 * worker's chain of awaits going without ever letting a timer run (heartbeats, the run's poll).
 */
export const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The index of a folder path in the shape, or a NotFound error as a server would answer. */
export function folderIndex(shape: SyntheticShape, path: string[]): number {
  const i = syntheticFolders(shape).findIndex((f) => f.path.join('/') === path.join('/'));
  if (i < 0)
    throw new NotFoundError(
      `The synthetic mailbox has no folder "${path.join('/')}".`,
      'Only INBOX and Folder-02 … Folder-NN exist; check the benchmark shape.',
    );
  return i;
}

/** One open folder: every key 1..n, metadata in pages, bodies generated on demand. */
class SyntheticFolder implements SourceFolderReader {
  readonly state: FolderState;
  private readonly count: number;

  constructor(
    shape: SyntheticShape,
    private readonly user: string,
    private readonly index: number,
  ) {
    this.state = syntheticState(shape, user, index);
    this.count = messagesIn(shape, index);
  }

  async listUids(): Promise<number[]> {
    return Array.from({ length: this.count }, (_, i) => i + 1);
  }

  async *listMessages(opts: ListOptions): AsyncIterable<MessageMeta[]> {
    // Nothing ever changes: no flag changed since any modseq.
    if (opts.changedSince !== undefined) return;
    const uids = opts.uids ?? (await this.listUids()).filter((u) => u >= (opts.fromUid ?? 1));
    for (let i = 0; i < uids.length; i += PAGE) {
      await ioTurn();
      yield uids
        .slice(i, i + PAGE)
        .filter((u) => u >= 1 && u <= this.count)
        .map((u) => syntheticMeta(this.user, this.index, u));
    }
  }

  async *streamBodies(uids: number[]): AsyncIterable<StreamedMessage> {
    for (const uid of [...uids].sort((a, b) => a - b)) {
      if (uid < 1 || uid > this.count) continue; // not there: as an expunged message
      await ioTurn();
      const body = syntheticBody(this.user, this.index, uid);
      yield { uid, size: body.length, body };
    }
  }

  async close(): Promise<void> {}
}

/** A synthetic mailbox open for reading (one "connection"). */
export class SyntheticSource implements MailSource {
  readonly capabilities = { supportsCondstore: true };

  constructor(
    private readonly shape: SyntheticShape,
    private readonly user: string,
  ) {}

  async listFolders(): Promise<FolderInfo[]> {
    return syntheticFolders(this.shape);
  }

  async folderState(path: string[]): Promise<FolderState> {
    await ioTurn();
    return syntheticState(this.shape, this.user, folderIndex(this.shape, path));
  }

  async openFolder(path: string[]): Promise<SourceFolderReader> {
    return new SyntheticFolder(this.shape, this.user, folderIndex(this.shape, path));
  }

  async close(): Promise<void> {}
}
