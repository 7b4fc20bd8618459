/**
 * A directory tree of `.eml` files as a destination. Each message is written to a temporary name, fsynced,
 * and moved to `<key>.eml` without replacing anything; its manifest line is appended (and fsynced) only
 * after every file of the batch is in place, so a crash leaves at worst a file that is not counted as present
 * and is never overwritten (keys continue above every file name in the directory). Nothing is ever removed
 * except this writer's own temporary file when a body breaks off.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TransientError, throwIfAborted } from '../../errors.js';
import type {
  AppendItem,
  AppendResult,
  DestinationCapabilities,
  EnsuredFolder,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
  StreamedMessage,
} from '../contract.js';
import { parseIdentityHeaders } from '../shared/identity-headers.js';
import { syncDir } from './file-durable.js';
import { fileError } from './file-errors.js';
import {
  appendManifest,
  manifestPath,
  readFolderHead,
  type AddLine,
  type FolderLine,
} from './file-manifest.js';
import { bodiesOf, metasOf, openView, readHeader } from './file-store.js';
import { FileTree } from './file-tree.js';

/** \Recent is a session's state, not a stored flag: never recorded. */
const stored = (flags: string[]) => flags.filter((f) => f.toLowerCase() !== '\\recent');

const KEY_IN_NAME = /^\.?(\d+)\.eml(\.tmp)?$/i;

async function exists(p: string): Promise<boolean> {
  return fsp.access(p).then(
    () => true,
    () => false,
  );
}

/** A directory tree open for writing. */
export class FileDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities = {
    maxBatchMessages: 50,
    delimiter: '/',
    supportsKeywords: true,
    reservedNames: [],
  };
  /** The next key per folder directory, once read. */
  private readonly next = new Map<string, number>();

  private readonly tree: FileTree;

  constructor(root: string) {
    this.tree = new FileTree(root);
  }

  listFolders(): Promise<FolderInfo[]> {
    return this.tree.walk();
  }

  async ensureFolder(folder: string[]): Promise<EnsuredFolder> {
    for (let d = 1; d <= folder.length; d++) {
      const dir = await this.tree.dirOf(folder.slice(0, d));
      try {
        await fsp.mkdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
          throw fileError(err, `The folder directory ${dir}`);
      }
      // A parent made for its child is a container until it is asked for itself.
      const asked = d === folder.length;
      const head = await readFolderHead(dir);
      if (head && (head.selectable || !asked)) continue;
      const line: FolderLine = {
        op: 'folder',
        folder: folder.slice(0, d),
        ...(asked ? {} : { selectable: false }),
      };
      await appendManifest(dir, [line]).catch((err: unknown) => {
        throw fileError(err, `The manifest of ${dir}`);
      });
    }
    return { path: folder };
  }

  async folderState(folder: string[]): Promise<FolderState | null> {
    const dir = await this.tree.dirOf(folder);
    if (!(await exists(dir))) return null;
    return (await openView(dir)).state;
  }

  async *listMessages(folder: string[]): AsyncIterable<MessageMeta[]> {
    const dir = await this.tree.dirOf(folder);
    if (!(await exists(dir))) return;
    yield* metasOf(await openView(dir));
  }

  async append(
    folder: string[],
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
    signal?: AbortSignal,
  ): Promise<AppendResult[]> {
    const dir = await this.tree.dirOf(folder);
    if (!(await exists(manifestPath(dir)))) await this.ensureFolder(folder);
    const lines: AddLine[] = [];
    for await (const item of items) {
      throwIfAborted(signal);
      const { uid, name, sha256 } = await this.write(dir, item);
      const header = await readHeader(path.join(dir, name)).catch((err: unknown) => {
        throw fileError(err, `The message file ${path.join(dir, name)}`);
      });
      const ids = parseIdentityHeaders(header);
      lines.push({
        op: 'add',
        folder,
        uid,
        file: name,
        flags: stored(item.flags),
        internalDate: item.internalDate.toISOString(),
        size: item.size,
        sha256,
        ...ids,
        ...(ids.messageId ? {} : { headerHash: createHash('sha256').update(header).digest('hex') }),
      });
    }
    if (lines.length)
      await appendManifest(dir, lines).catch((err: unknown) => {
        throw fileError(err, `The manifest of ${dir}`);
      });
    return lines.map((l) => ({ uid: l.uid, uidValidity: '1' }));
  }

  /** Write one body under a temporary name, fsync it, and move it to its own name. */
  private async write(dir: string, item: AppendItem): Promise<{ uid: number; name: string; sha256: string }> {
    for (;;) {
      const uid = await this.take(dir);
      const tmp = path.join(dir, `.${uid}.eml.tmp`);
      const name = `${uid}.eml`;
      let h: fsp.FileHandle;
      try {
        h = await fsp.open(tmp, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another writer took this key
        throw fileError(err, `The message file ${tmp}`);
      }
      const hash = createHash('sha256');
      let written = 0;
      try {
        const chunks = Buffer.isBuffer(item.body) ? [item.body] : item.body;
        for await (const chunk of chunks) {
          const buf = chunk as Buffer;
          hash.update(buf);
          written += buf.length;
          await h.write(buf);
        }
        if (written !== item.size)
          throw new TransientError(
            ErrorCode.ConnectionLost,
            `The body of a message for ${dir} ended after ${written} of ${item.size} bytes.`,
            'Retried: the message is read from the source again.',
          );
        await h.sync();
      } catch (err) {
        await h.close().catch(() => undefined);
        await fsp.rm(tmp, { force: true }); // this writer's own unfinished file, never a message
        throw fileError(err, `The message file ${tmp}`);
      }
      await h.close();
      const final = path.join(dir, name);
      if (await exists(final)) continue; // never replace a file; its temporary name stays, harmless
      try {
        await fsp.rename(tmp, final);
      } catch (err) {
        throw fileError(err, `The message file ${final}`);
      }
      await syncDir(dir);
      return { uid, name, sha256: hash.digest('hex') };
    }
  }

  /** The next free key of a folder directory: above every key its manifest or file names use. */
  private async take(dir: string): Promise<number> {
    let n = this.next.get(dir);
    if (n === undefined) {
      const view = await openView(dir);
      n = view.manifest ? view.state.uidNext : 1;
      for (const f of await fsp.readdir(dir)) {
        const k = KEY_IN_NAME.exec(f);
        if (k) n = Math.max(n, Number(k[1]) + 1);
      }
    }
    this.next.set(dir, n + 1);
    return n;
  }

  async setFlags(folder: string[], uids: number[], flags: string[]): Promise<void> {
    const dir = await this.tree.dirOf(folder);
    const view = await openView(dir);
    const present = uids.filter((u) => view.manifest?.messages.has(u));
    if (!present.length) return;
    await appendManifest(
      dir,
      present.map((uid) => ({ op: 'flags', uid, flags: stored(flags) })),
    ).catch((err: unknown) => {
      throw fileError(err, `The manifest of ${dir}`);
    });
  }

  async *streamBodies(folder: string[], uids: number[]): AsyncIterable<StreamedMessage> {
    yield* bodiesOf(await openView(await this.tree.dirOf(folder)), uids);
  }

  async close(): Promise<void> {}
}
