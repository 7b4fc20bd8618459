/** The file connector: a directory tree of `.eml` files with manifests, as a source and as a destination. */
import fsp from 'node:fs/promises';
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import { FileDestination } from './file-destination.js';
import { fileError } from './file-errors.js';
import { FileSource } from './file-source.js';
import { checkRoot, FileTree, rootOf } from './file-tree.js';

export class FileConnector implements Connector {
  readonly kind = 'file';

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

  async testLogin(server: ServerSpec, _auth?: AuthSpec): Promise<ConnectionReport> {
    const root = rootOf(server);
    await checkRoot(root);
    return { capabilities: [], delimiter: '/', folders: (await new FileTree(root).walk()).length };
  }
}
