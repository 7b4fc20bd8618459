/**
 * The scale benchmark's worker process: `cutover worker` itself (src/cli/commands/worker.ts
 * `workerCommand`, the same function the CLI runs: PgQueue, the runner/pg/ limits, `startWorker`) with
 * the bench-only `synthetic` kind registered first, which the real command cannot know. The database, the
 * data directory and the secret key come from the environment as they would for `cutover worker`
 * (CUTOVER_DATABASE_URL, CUTOVER_DATA_DIR, CUTOVER_SECRET_KEY); the synthetic shape from argv, the same
 * as the driver's. SIGTERM hands running mailboxes back and exits 0, as the command does.
 *
 * Started by bench/scale/pg-runtime.ts: node --import tsx bench/scale/worker.ts --folders F --items M
 * --concurrency C
 */
import { parseArgs } from 'node:util';
import { workerCommand } from '../../src/cli/commands/worker.js';
import { CutoverError } from '../../src/errors.js';
import { registerSynthetic } from './synthetic-connector.js';

const { values } = parseArgs({
  options: {
    folders: { type: 'string' },
    items: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
  },
});
const folders = Number(values.folders);
const items = Number(values.items);

async function main(): Promise<void> {
  if (!Number.isInteger(folders) || !Number.isInteger(items) || folders < 1 || items < folders)
    throw new Error(
      'usage: worker.ts --folders F --items M [--concurrency C] (started by bench/scale/run.ts with the shape of its run)',
    );
  registerSynthetic({ folders, items });
  await workerCommand({ concurrency: values.concurrency });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const text =
      err instanceof CutoverError ? err.describe() : err instanceof Error ? err.stack : String(err);
    process.stderr.write(`bench worker: ${text}\n`);
    process.exit(1);
  },
);
