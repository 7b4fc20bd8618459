/**
 * A directory tree of `.eml` files as a connector kind (`file:///ABS/DIR`): one directory per folder, one
 * file per message, a manifest per folder. No host, port or login: the URL names a local path.
 */
import type { ConnectorDescriptor } from '../descriptor.js';
import { FileConnector } from './file-connector.js';

export const fileDescriptor: ConnectorDescriptor = {
  kind: 'file',
  label: 'Directory of .eml files',
  name: 'File directory',
  roles: ['source', 'destination'],
  urlOnly: 'a project file or the web form cannot name a local directory yet',
  urlSchemes: { file: 'none' },
  urlForm: {
    localPath: true,
    // The mailbox is the directory: it names the mailbox in reports and the ledger.
    complete: (u) => ({
      settings: { path: u.path },
      auth: { kind: 'password', user: u.path, password: { value: '' } },
    }),
  },
  defaultPort: () => 0,
  settingsKey: 'file',
  discovery: false,
  create: () => new FileConnector(),
};
