/** ManageSieve (RFC 5804) as a connector kind: Sieve filters on either side, in the one-off URL form. */
import type { ConnectorDescriptor } from '../descriptor.js';
import { SieveConnector } from './sieve-connector.js';
import { sieveFromUrl } from './sieve-settings.js';

/** The sieve kind: sieve://USER:PASS@HOST[:4190][?delimiter=.&require-tls=1], STARTTLS when offered. */
export const sieveDescriptor: ConnectorDescriptor = {
  kind: 'sieve',
  label: 'ManageSieve server',
  name: 'ManageSieve',
  roles: ['source', 'destination'],
  urlOnly:
    "in a project, the IMAP server's settings name the ManageSieve port (imap: { sievePort: 4190 }), and --items mail,filters moves both",
  // 'starttls' here: upgrade when the server offers STARTTLS, plain otherwise unless require-tls=1 (sieve-settings.ts).
  urlSchemes: { sieve: 'starttls' },
  urlParams: ['delimiter', 'require-tls'],
  urlForm: { complete: sieveFromUrl },
  defaultPort: () => 4190,
  settingsKey: 'sieve',
  discovery: false,
  create: () => new SieveConnector(),
};
