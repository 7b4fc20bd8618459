/**
 * Child process of graph-token-cache.test.ts: one "run" of Cutover against the LOCAL EMULATOR of Microsoft
 * Graph (test code) — opens a mailbox app-only and lists its folders, then exits. Input (env
 * GRAPH_CACHE_JOB, JSON): { server, auth }; the data directory handed to the connector (where it keeps the
 * token cache) comes from GRAPH_CACHE_DIR, unset = none.
 */
import type { AuthSpec, ServerSpec } from '../../src/config/types.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';

const job = JSON.parse(process.env.GRAPH_CACHE_JOB ?? '{}') as { server: ServerSpec; auth: AuthSpec };
const dataDir = process.env.GRAPH_CACHE_DIR || undefined;
const src = await new GraphConnector({ dataDir }).openSource(job.server, job.auth);
const folders = await src.listFolders();
await src.close();
process.stdout.write(`${folders.length}\n`);
