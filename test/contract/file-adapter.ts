/**
 * A directory tree of `.eml` files as a target of the shared connector contract suite: the file connector on a
 * fresh temporary directory, seeded by writing files and manifest lines directly (not through the connector).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServerUrl } from '../../src/config/server-url.js';
import { FileConnector } from '../../src/connectors/file/file-connector.js';
import { dirNameOf } from '../../src/connectors/file/file-names.js';
import { parseIdentityHeaders } from '../../src/connectors/shared/identity-headers.js';
import type { ContractAdapter } from './targets.js';

export const fileTree: ContractAdapter = {
  name: 'file (directory of .eml files)',
  async start() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-file-contract-'));
    const { server, auth } = parseServerUrl(`file://${root}`);
    const connector = new FileConnector();
    return {
      openDestination: () => connector.openDestination(server, auth),
      openSource: () => connector.openSource(server, auth),
      seed: async (folder, messages) => {
        let dir = root;
        for (const [d, seg] of folder.entries()) {
          dir = path.join(dir, dirNameOf(seg));
          if (fs.existsSync(dir)) continue;
          fs.mkdirSync(dir);
          fs.writeFileSync(
            path.join(dir, 'manifest.jsonl'),
            `${JSON.stringify({ op: 'folder', folder: folder.slice(0, d + 1) })}\n`,
          );
        }
        const have = fs.readdirSync(dir).filter((f) => /^\d+\.eml$/.test(f)).length;
        for (const [i, m] of messages.entries()) {
          const uid = have + i + 1;
          fs.writeFileSync(path.join(dir, `${uid}.eml`), m.raw);
          const head = m.raw.subarray(0, m.raw.indexOf('\r\n\r\n') + 4);
          const line = {
            op: 'add',
            folder,
            uid,
            file: `${uid}.eml`,
            flags: m.flags ?? [],
            internalDate: (m.internalDate ?? new Date()).toISOString(),
            size: m.raw.length,
            sha256: createHash('sha256').update(m.raw).digest('hex'),
            ...parseIdentityHeaders(head),
          };
          fs.appendFileSync(path.join(dir, 'manifest.jsonl'), `${JSON.stringify(line)}\n`);
        }
      },
      specialUses: [],
      largeBytes: 5 * 1024 * 1024,
      stop: async () => fs.rmSync(root, { recursive: true, force: true }),
    };
  },
};
