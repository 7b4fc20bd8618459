/**
 * The systems the contract suites run against. To add one (Gmail emulator, ...), append an adapter to
 * `adapters`: a name and a start() that returns a ContractTarget (see targets.ts).
 */
import { ImapConnector } from '../../src/connectors/imap/imap-connector.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { seedMessages, startDovecot } from '../harness/dovecot.js';
import { gmailEmulatorAdapter } from '../emulators/gmail/gmail-contract-adapter.js';
import type { ContractAdapter } from './targets.js';

/** Real Dovecot IMAP (fs layout, '/' delimiter), with an 8 MB APPENDLIMIT so the limit case is cheap. */
export const dovecotImap: ContractAdapter = {
  name: 'imap (Dovecot)',
  async start() {
    const user = { user: 'contract', password: 'pw-contract' };
    const server = await startDovecot({ layout: 'fs', users: [user], maxMailSize: 8 * 1024 * 1024 });
    const { server: spec, auth } = parseServerUrl(`imap://contract:pw-contract@127.0.0.1:${server.imapPort}`);
    const connector = new ImapConnector();
    return {
      openDestination: () => connector.openDestination(spec, auth),
      openSource: () => connector.openSource(spec, auth),
      seed: (path, messages) => seedMessages(server, user.user, user.password, path.join('/'), messages),
      specialUses: [],
      largeBytes: 5 * 1024 * 1024,
      stop: () => server.stop(),
    };
  },
};

/** Every adapter, in the order the suites run them. */
export const adapters: ContractAdapter[] = [dovecotImap, gmailEmulatorAdapter];
