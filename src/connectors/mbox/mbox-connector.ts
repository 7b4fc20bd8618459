/**
 * The mbox connector: a source only. The mailbox's login is the absolute path of an mbox file or of a
 * directory holding an mbox tree; nothing is logged into and nothing is ever written to the files.
 */
import path from 'node:path';
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import { folderPath, type MboxSettings } from './mbox-settings.js';
import { MboxSource } from './mbox-source.js';
import { discoverMbox } from './mbox-tree.js';

/** Why an mbox cannot be written to. */
export const MBOX_SOURCE_ONLY = 'mbox files can only be a source: Cutover reads them and never writes them.';

/** The file or directory a login names, refused when it is not an absolute path. */
function rootOf(auth: AuthSpec): string {
  if (!path.isAbsolute(auth.user))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `"${auth.user}" is not an absolute path to an mbox file or directory.`,
      'Give the absolute path, e.g. mbox:///home/alice/export.mbox or, in a project, /home/alice/export.mbox as the source user.',
    );
  return auth.user;
}

const settingsOf = (server: ServerSpec) => (server as ServerSpec & { mbox?: MboxSettings }).mbox;

/** Opens mbox sources and checks that a path holds mbox folders; refuses to be a destination. */
export class MboxConnector implements Connector {
  readonly kind = 'mbox';

  async openSource(server: ServerSpec, auth: AuthSpec): Promise<MailSource> {
    const root = rootOf(auth);
    return new MboxSource(root, await discoverMbox(root, folderPath(settingsOf(server))));
  }

  async openDestination(): Promise<MailDestination> {
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      MBOX_SOURCE_ONLY,
      'Use an imap:// or imaps:// destination (or another system that can store mail).',
    );
  }

  async testLogin(server: ServerSpec, auth: AuthSpec): Promise<ConnectionReport> {
    const folders = await discoverMbox(rootOf(auth), folderPath(settingsOf(server)));
    return {
      capabilities: ['mboxrd'],
      delimiter: '/',
      namespace: '',
      folders: folders.filter((f) => f.file).length,
    };
  }
}
