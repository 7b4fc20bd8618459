/**
 * Child process of graph-memory.test.ts: writes one large message file to a mailbox of the LOCAL EMULATOR of
 * Microsoft Graph (test code) through Cutover's Graph destination and prints its peak RSS (KiB) before and
 * after the write as one JSON line. Run alone so the figure is the connector's, not the emulator's.
 * Input (env GRAPH_MEMORY_JOB, JSON): { server, auth, file, size }.
 */
import fs from 'node:fs';
import type { AuthSpec, ServerSpec } from '../../src/config/types.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { makeMessage } from '../harness/messages.js';

const job = JSON.parse(process.env.GRAPH_MEMORY_JOB ?? '{}') as {
  server: ServerSpec;
  auth: AuthSpec;
  file: string;
  size: number;
};
const dst = await new GraphConnector().openDestination(job.server, job.auth);
// Warm up every code path (token, folder, a small write) so the baseline holds the code already loaded.
const small = makeMessage({ subject: 'warm-up' });
await dst.append(['Big'], [{ size: small.length, body: small, flags: [], internalDate: new Date() }]);
const before = process.resourceUsage().maxRSS;
await dst.append(
  ['Big'],
  [
    {
      size: job.size,
      body: fs.createReadStream(job.file, { highWaterMark: 256 * 1024 }),
      flags: ['\\Seen'],
      internalDate: new Date('2021-03-04T05:06:07Z'),
    },
  ],
);
const after = process.resourceUsage().maxRSS;
await dst.close();
process.stdout.write(JSON.stringify({ before, after }) + '\n');
