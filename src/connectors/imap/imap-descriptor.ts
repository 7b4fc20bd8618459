/** IMAP as a connector kind: a source or destination on any IMAP server. */
import type { ConnectorDescriptor } from '../descriptor.js';
import { ImapConnector } from './imap-connector.js';
import { ImapIn } from './imap-settings.js';
import { readImapSettings } from './imap-settings-read.js';

export const imapDescriptor: ConnectorDescriptor = {
  kind: 'imap',
  label: 'IMAP server',
  name: 'IMAP',
  roles: ['source', 'destination'],
  urlSchemes: { imap: 'none', imaps: 'tls' },
  defaultPort: (tls) => (tls === 'tls' ? 993 : 143),
  // Optional: imap: { sievePort } says where the mailboxes' Sieve filters are (no secret: shown as taken).
  settingsKey: 'imap',
  settings: ImapIn,
  settingsOut: ImapIn,
  readSettings: (r, block) => readImapSettings(r, block),
  discovery: false,
  create: () => new ImapConnector(),
};
