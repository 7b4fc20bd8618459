/**
 * An mbox file or tree open for reading. Read-only: the files are never written. Each folder's file is
 * scanned once (mbox-scan.ts) and the scan kept while the file stays the same (inode, size, modification
 * time). The folder's generation (UIDVALIDITY) is a hash of the file's identity (device and inode): a file a
 * mail client compacts or rewrites into a new file starts a new generation, which the engine re-matches
 * against the destination by fingerprint instead of copying again.
 */
import { stat } from 'node:fs/promises';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type {
  FolderInfo,
  FolderState,
  MailSource,
  SourceCapabilities,
  SourceFolderReader,
} from '../contract.js';
import { itemKey } from '../shared/item-key.js';
import { mapFsError } from './mbox-errors.js';
import { MboxFolderReader, type MboxIndex } from './mbox-folder-reader.js';
import { scanMbox } from './mbox-scan.js';
import type { MboxFolder } from './mbox-tree.js';

/** Index a scanned file: keys ascending, each key once. */
export async function indexMbox(file: string, signal?: AbortSignal): Promise<MboxIndex> {
  try {
    const s = await stat(file);
    const entries = await scanMbox(file, signal);
    const byUid = new Map<number, (typeof entries)[number]>();
    for (const e of entries) {
      const other = byUid.get(e.uid);
      if (other)
        throw new PermanentError(
          ErrorCode.SourceReadFailed,
          `${file}: the messages at bytes ${other.offset} and ${e.offset} map to the same key; the two cannot be told apart.`,
          'The folder stops here rather than risk skipping one of them. Report this.',
        );
      byUid.set(e.uid, e);
    }
    const uids = [...byUid.keys()].sort((a, b) => a - b);
    const state: FolderState = {
      uidValidity: String(itemKey(`${s.dev}:${s.ino}`)),
      uidNext: (uids.at(-1) ?? 0) + 1,
      messages: uids.length,
    };
    return { file, byUid, uids, state, fallbackDate: s.mtime };
  } catch (err) {
    throw mapFsError(err, file);
  }
}

/** The folders of one mbox file or tree, read-only; scans are kept while their file is unchanged. */
export class MboxSource implements MailSource {
  readonly capabilities: SourceCapabilities = { supportsCondstore: false };
  private readonly scans = new Map<string, { stamp: string; index: Promise<MboxIndex> }>();

  constructor(
    private readonly root: string,
    private readonly folders: MboxFolder[],
  ) {}

  async listFolders(): Promise<FolderInfo[]> {
    return this.folders.map((f) => ({
      path: f.path,
      selectable: f.file !== undefined,
      ...(f.specialUse ? { specialUse: f.specialUse } : {}),
    }));
  }

  async folderState(path: string[], signal?: AbortSignal): Promise<FolderState> {
    return (await this.indexOf(path, signal)).state;
  }

  async openFolder(path: string[], signal?: AbortSignal): Promise<SourceFolderReader> {
    return new MboxFolderReader(await this.indexOf(path, signal));
  }

  async close(): Promise<void> {
    this.scans.clear();
  }

  /** The scan of a folder's file, made again when the file changed since the last one. */
  private async indexOf(path: string[], signal?: AbortSignal): Promise<MboxIndex> {
    throwIfAborted(signal);
    const key = JSON.stringify(path);
    const file = this.folders.find((f) => JSON.stringify(f.path) === key)?.file;
    if (!file)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${this.root} has no mbox folder "${path.join('/')}".`,
        'List the folders again (the files may have been moved); folders without a file only hold other folders.',
      );
    let s;
    try {
      s = await stat(file);
    } catch (err) {
      throw mapFsError(err, file);
    }
    const stamp = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    const had = this.scans.get(file);
    if (had?.stamp === stamp) return had.index;
    const index = indexMbox(file, signal);
    this.scans.set(file, { stamp, index });
    index.catch(() => {
      if (this.scans.get(file)?.index === index) this.scans.delete(file);
    });
    return index;
  }
}
