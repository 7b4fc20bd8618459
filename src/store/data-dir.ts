/** The default data directory: $CUTOVER_DATA_DIR, else ./.cutover in the current directory. */
import path from 'node:path';

/** Default data directory: $CUTOVER_DATA_DIR, else ./.cutover in the current directory. */
export function defaultDataDir(): string {
  return process.env.CUTOVER_DATA_DIR || path.resolve('.cutover');
}
