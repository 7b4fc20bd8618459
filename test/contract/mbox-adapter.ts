/**
 * mbox files as a contract target (source side only): a Thunderbird-style tree in a temporary directory,
 * seeded by appending messages to a folder's file with the envelope date and X-Mozilla-Status flags, as
 * Thunderbird stores them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServerUrl } from '../../src/config/server-url.js';
import { MboxConnector } from '../../src/connectors/mbox/mbox-connector.js';
import { mboxFile } from '../harness/mbox.js';
import type { ContractAdapter } from './targets.js';

/** Thunderbird's X-Mozilla-Status bits for IMAP flags. */
const BITS: Record<string, number> = {
  '\\Seen': 0x1,
  '\\Answered': 0x2,
  '\\Flagged': 0x4,
  $Forwarded: 0x1000,
};

export const mboxFilesAdapter: ContractAdapter = {
  name: 'mbox (Thunderbird-style tree)',
  sourceOnly: true,
  async start() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-mbox-contract-'));
    const { server, auth } = parseServerUrl(`mbox://${encodeURI(root)}`);
    const connector = new MboxConnector();
    return {
      openSource: () => connector.openSource(server, auth),
      seed: async (folder, messages) => {
        const file = path.join(root, ...folder.slice(0, -1).map((p) => `${p}.sbd`), folder.at(-1)!);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const bits = (flags: string[] = []) => flags.reduce((b, f) => b | (BITS[f] ?? 0), 0);
        fs.appendFileSync(
          file,
          mboxFile(
            messages.map((m) => ({
              raw: m.raw,
              date: m.internalDate,
              sender: '-',
              status: [`X-Mozilla-Status: ${bits(m.flags).toString(16).padStart(4, '0')}`],
            })),
          ),
        );
      },
      specialUses: [],
      largeBytes: 5 * 1024 * 1024,
      stop: async () => fs.rmSync(root, { recursive: true, force: true }),
    };
  },
};
