/**
 * The systems the contract suites run against. To add one (Gmail emulator, ...), append an adapter to
 * `adapters`: a name and a start() that returns a ContractTarget (see targets.ts).
 */
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { ImapConnector } from '../../src/connectors/imap/imap-connector.js';
import { parseServerUrl } from '../../src/config/server-url.js';
import { startGraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { seedMessages, startDovecot } from '../harness/dovecot.js';
import { gmailEmulatorAdapter } from '../emulators/gmail/gmail-contract-adapter.js';
import { mboxFilesAdapter } from './mbox-adapter.js';
import { fileTree } from './file-adapter.js';
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

/**
 * Microsoft 365 through Graph, against the LOCAL EMULATOR of Graph (test/emulators/graph; the real
 * service cannot be reached from here). 12 MB mailbox limit so the limit case is cheap; the large case
 * (a 6 MB attachment) takes the upload-session path.
 */
export const graphEmulator: ContractAdapter = {
  name: 'graph (Microsoft 365, local emulator)',
  async start() {
    const limit = 12 * 1024 * 1024;
    const emu = await startGraphEmulator({ maxMessageBytes: limit });
    const user = 'contract@contoso.test';
    emu.store.addUser(user);
    const server = emulatorServer(emu, limit);
    const auth = appLogin(emu, user);
    const connector = new GraphConnector();
    return {
      openDestination: () => connector.openDestination(server, auth),
      openSource: () => connector.openSource(server, auth),
      seed: async (path, messages) => void emu.seed(user, path, messages),
      specialUses: ['inbox', 'sent', 'drafts', 'trash', 'junk', 'archive'],
      largeBytes: 6 * 1024 * 1024,
      stop: () => emu.stop(),
    };
  },
};

/** Every adapter, in the order the suites run them. */
export const adapters: ContractAdapter[] = [
  dovecotImap,
  gmailEmulatorAdapter,
  graphEmulator,
  mboxFilesAdapter,
  fileTree,
];
