/** POP3 as a connector kind: a source only (the protocol has no way to store messages on the server). */
import type { ConnectorDescriptor } from '../descriptor.js';
import { Pop3Connector } from './pop3-connector.js';

export const pop3Descriptor: ConnectorDescriptor = {
  kind: 'pop3',
  label: 'POP3 server (source only)',
  name: 'POP3',
  roles: ['source'],
  roleNote: 'it has no way to store messages on the server',
  urlSchemes: { pop3: 'none', pop3s: 'tls' },
  defaultPort: (tls) => (tls === 'tls' ? 995 : 110),
  discovery: false,
  create: () => new Pop3Connector(),
};
