/**
 * One writer per data directory: two `cutover migrate` processes on the same store would copy the same
 * messages twice. The lock is a file holding the owner's PID, created exclusively; a lock whose process
 * is gone (killed, crashed) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, PermanentError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the run lock of `dataDir`; returns the function that releases it. */
export function acquireRunLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'cutover.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner))
        throw new PermanentError(
          ErrorCode.Busy,
          `Another Cutover process (PID ${owner}) is migrating with this data directory (${dataDir}).`,
          'Wait for it to finish or stop it (Ctrl-C); two runs on one store would copy the same messages twice.',
        );
      fs.rmSync(file, { force: true });
    }
  }
  throw new PermanentError(
    ErrorCode.Internal,
    `Could not take the lock ${file}.`,
    'Remove the file if no Cutover process is running.',
  );
}
