/**
 * CalDAV/CardDAV servers as a connector kind (`dav://USER:PASS@HOST:PORT/PATH`, `davs://` for HTTPS): the
 * URL's path is where discovery starts — the server root, a principal or a home — and reaches the connector
 * as the `dav` settings block (urlForm.serverPath). Contacts, calendars and tasks only.
 */
import type { ConnectorDescriptor } from '../descriptor.js';
import { DavConnector } from './dav-connector.js';

export const davDescriptor: ConnectorDescriptor = {
  kind: 'dav',
  label: 'CalDAV/CardDAV server',
  name: 'CalDAV/CardDAV',
  roles: ['source', 'destination'],
  urlOnly: 'a project file cannot name a CalDAV/CardDAV server yet',
  urlSchemes: { dav: 'none', davs: 'tls' },
  urlForm: {
    serverPath: true,
    complete: (u) => ({ settings: { path: u.path === '' ? '/' : u.path } }),
  },
  defaultPort: (tls) => (tls === 'none' ? 80 : 443),
  settingsKey: 'dav',
  discovery: false,
  create: () => new DavConnector(),
};
