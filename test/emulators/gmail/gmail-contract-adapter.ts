/**
 * The Gmail EMULATOR as a target of the shared connector contract suite (test/contract): the real Gmail
 * connector against the local emulator of the Gmail API, with a 40 MB import limit so the over-limit case
 * runs, and large messages at 6 MB (over the 5 MB multipart cut-over, so the resumable upload is used).
 */
import { GmailConnector } from '../../../src/connectors/gmail/gmail-connector.js';
import type { ContractAdapter } from '../../contract/targets.js';
import { GmailEmulator } from './gmail-emulator.js';
import { gmailServer, labelsFor, serviceAccountLogin } from './gmail-fixture.js';

export const gmailEmulatorAdapter: ContractAdapter = {
  name: 'gmail (emulator)',
  async start() {
    const user = 'contract@example.test';
    const emu = await GmailEmulator.start({
      users: [user],
      maxImportBytes: 40 * 1024 * 1024,
      unitsPerSecond: 2500,
    });
    const server = gmailServer(emu, { maxMessageBytes: 40 * 1024 * 1024 });
    const auth = serviceAccountLogin(emu, user);
    const connector = new GmailConnector();
    return {
      openDestination: () => connector.openDestination(server, auth),
      openSource: () => connector.openSource(server, auth),
      seed: async (path, messages) => {
        for (const m of messages) emu.seed(user, m.raw, labelsFor(path, m.flags), m.internalDate?.getTime());
      },
      specialUses: ['inbox', 'sent', 'drafts', 'trash', 'junk'],
      largeBytes: 6 * 1024 * 1024,
      stop: () => emu.stop(),
    };
  },
};
