/** IMAP as a connector kind: a source or destination on any IMAP server. */
import type { ConnectorDescriptor } from '../descriptor.js';
import { ImapConnector } from './imap-connector.js';

export const imapDescriptor: ConnectorDescriptor = {
  kind: 'imap',
  label: 'IMAP server',
  name: 'IMAP',
  roles: ['source', 'destination'],
  urlSchemes: { imap: 'none', imaps: 'tls' },
  defaultPort: (tls) => (tls === 'tls' ? 993 : 143),
  discovery: false,
  create: () => new ImapConnector(),
};
