/** mbox files (a Thunderbird or Apple Mail profile's tree, an export) as a connector kind: a source only. */
import type { ConnectorDescriptor } from '../descriptor.js';
import { MboxConnector } from './mbox-connector.js';
import { mboxFromUrl, readMboxSettings } from './mbox-settings.js';

/** The mbox kind: mbox:///ABS/PATH[?folder=NAME], a source only. */
export const mboxDescriptor: ConnectorDescriptor = {
  kind: 'mbox',
  label: 'mbox files (source only)',
  name: 'mbox',
  roles: ['source'],
  roleNote: 'Cutover reads mbox files, it does not write them',
  urlOnly: 'a project file or the web form cannot name a local file yet',
  urlSchemes: { mbox: 'none' },
  urlParams: ['folder'],
  urlForm: { localPath: true, complete: mboxFromUrl },
  defaultPort: () => 0,
  // The folder= block is read from URLs and project files only: the API has no schema for it (see mbox-settings.ts).
  settingsKey: 'mbox',
  readSettings: (r, block) => readMboxSettings(r, block),
  discovery: false,
  create: () => new MboxConnector(),
};
