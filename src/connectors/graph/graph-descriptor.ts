/** Microsoft 365 (Microsoft Graph) as a connector kind; its settings are in graph-settings.ts. */
import type { ConnectorDescriptor } from '../descriptor.js';
import { GraphConnector } from './graph-connector.js';
import { microsoftProvider } from './graph-oauth.js';
import { graphSettingsToFile, GraphIn, GraphOut } from './graph-settings.js';
import { readGraphSettings, graphFromUrl } from './graph-settings-read.js';

export const graphDescriptor: ConnectorDescriptor = {
  kind: 'graph',
  label: 'Microsoft 365 (Graph)',
  name: 'Microsoft 365',
  roles: ['source', 'destination'],
  urlSchemes: { graph: 'tls' },
  urlForm: { complete: graphFromUrl },
  urlParams: ['tenant', 'client-id'],
  defaultPort: () => 443,
  defaultHost: 'graph.microsoft.com',
  hosted: 'microsoft365',
  settingsKey: 'graph',
  settings: GraphIn,
  settingsOut: GraphOut,
  readSettings: readGraphSettings,
  oauthProvider: microsoftProvider,
  // Tokens for the mailboxes also go to the IMAP endpoint of the imap/auto write paths.
  endpointKeys: ['tenantId', 'baseUrl', 'authorityHost', 'imapHost'],
  settingsToFile: graphSettingsToFile,
  discovery: true,
  create: (context) => new GraphConnector(context),
};
