/** Google Workspace (Gmail API) as a connector kind; its settings are in gmail-settings.ts. */
import type { ConnectorDescriptor } from '../descriptor.js';
import { GmailConnector } from './gmail-connector.js';
import { googleProvider } from './gmail-oauth.js';
import { gmailSettingsToFile, GmailIn, GmailOut } from './gmail-settings.js';
import { readGmailSettings, gmailFromUrl } from './gmail-settings-read.js';

export const gmailDescriptor: ConnectorDescriptor = {
  kind: 'gmail',
  label: 'Google Workspace (Gmail)',
  name: 'Google Workspace',
  roles: ['source', 'destination'],
  urlSchemes: { gmail: 'tls' },
  urlForm: { tokenLogin: true, complete: gmailFromUrl },
  urlParams: ['key-file', 'http'],
  defaultPort: () => 443,
  defaultHost: 'gmail.googleapis.com',
  hosted: 'google',
  settingsKey: 'gmail',
  settings: GmailIn,
  settingsOut: GmailOut,
  readSettings: (r, block, _server, side) => readGmailSettings(r, block, side),
  oauthProvider: googleProvider,
  endpointKeys: ['tokenUrl', 'apiUrl', 'directoryUrl'],
  settingsToFile: gmailSettingsToFile,
  discovery: true,
  create: (context) => new GmailConnector(context),
};
