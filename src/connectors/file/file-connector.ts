/** The file connector: a directory tree of `.eml` files with manifests, as a source and as a destination. */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AuthSpec, ItemType, ServerSpec } from '../../config/types.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import type { GroupwareEndpoint } from '../groupware-contract.js';
import { FileDestination } from './file-destination.js';
import { fileError } from './file-errors.js';
import { FileGroupware } from './file-groupware.js';
import { FileSource } from './file-source.js';
import { checkRoot, FileTree, rootOf } from './file-tree.js';

export class FileConnector implements Connector {
  readonly kind = 'file';
  readonly items: readonly ItemType[] = ['mail', 'contacts', 'calendars', 'tasks'];

  async openSource(server: ServerSpec, _auth?: AuthSpec): Promise<MailSource> {
    const root = rootOf(server);
    await checkRoot(root);
    return new FileSource(root);
  }

  /** The directory is made when missing (with INBOX, which every mailbox has). */
  async openDestination(server: ServerSpec, _auth?: AuthSpec): Promise<MailDestination> {
    const root = rootOf(server);
    try {
      await fsp.mkdir(root, { recursive: true });
    } catch (err) {
      throw fileError(err, `The directory ${root}`);
    }
    await checkRoot(root);
    const dst = new FileDestination(root);
    await fsp.access(await new FileTree(root).dirOf(['INBOX'])).catch(() => dst.ensureFolder(['INBOX']));
    return dst;
  }

  /**
   * Contacts, calendars and tasks as .vcf/.ics files (file-groupware.ts, layout in groupware-layout.ts). The
   * side is not known here: an existing path must be a directory; a missing one is made by the first
   * collection written, and a source that is missing fails when it is listed.
   */
  async openGroupware(server: ServerSpec, _auth?: AuthSpec): Promise<GroupwareEndpoint> {
    const root = rootOf(server);
    const there = await fsp.stat(root).then(
      () => true,
      (err: NodeJS.ErrnoException) =>
        err.code === 'ENOENT' ? false : Promise.reject(fileError(err, `The directory ${root}`)),
    );
    if (there) await checkRoot(root);
    return new FileGroupware(root);
  }

  /**
   * An existing directory is listed. A missing one passes when the nearest directory above it exists and is
   * writable — a destination makes it on the first write — and says so; as a source it is refused when the
   * migration opens it.
   */
  async testLogin(server: ServerSpec, _auth?: AuthSpec): Promise<ConnectionReport> {
    const root = rootOf(server);
    const exists = await fsp.stat(root).then(
      () => true,
      (err: NodeJS.ErrnoException) =>
        err.code === 'ENOENT' ? false : Promise.reject(fileError(err, `The directory ${root}`)),
    );
    if (!exists) {
      let parent = path.dirname(root);
      while (
        !(await fsp.stat(parent).then(
          () => true,
          () => false,
        ))
      )
        parent = path.dirname(parent);
      await checkRoot(parent);
      await fsp.access(parent, fsp.constants.W_OK).catch((err: unknown) => {
        throw fileError(err, `The directory ${parent}`);
      });
      return {
        capabilities: [`not there yet: made in ${parent} on the first write`],
        delimiter: '/',
        folders: 0,
      };
    }
    await checkRoot(root);
    return { capabilities: [], delimiter: '/', folders: (await new FileTree(root).walk()).length };
  }
}
