/** `cutover serve`: the HTTP API (and later the web UI) over the embedded store, until interrupted. */
import { ErrorCode, PermanentError } from '../../errors.js';
import { buildServer } from '../../server/app.js';
import { keepTokensIn, resolveDataDir } from '../context.js';

export interface ServeOptions {
  project?: string;
  dataDir?: string;
  port: string;
  host: string;
}

export async function serveCommand(o: ServeOptions): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `--port ${o.port} is not a port number.`,
      'Use 0–65535 (0: any free port).',
    );
  const dataDir = resolveDataDir(o);
  keepTokensIn(dataDir);
  const app = await buildServer({ dataDir, projectFile: o.project, logger: true });
  const address = await app.listen({ port, host: o.host });
  process.stdout.write(`cutover: web UI on ${address}/ (API reference: ${address}/api/docs)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
}
