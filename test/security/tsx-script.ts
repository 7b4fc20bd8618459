/** Running a snippet of TypeScript in a child Node process, for what only a separate process shows (logs, races). */
import { spawn } from 'node:child_process';

/** Run `script` (an ES module, TypeScript through tsx) in a new process; resolves with its stdout, rejects with its stderr. */
export function runTsxScript(script: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}
