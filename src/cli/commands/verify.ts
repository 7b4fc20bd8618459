/**
 * `cutover verify`: read every destination back and compare it with the source and the ledger; exit 0
 * when everything matches, 1 otherwise. Takes the run lock: what it finds is marked in the ledger for the
 * next pass, which must not run meanwhile.
 */
import type { ProjectConfig } from '../../config/types.js';
import type { ProgressSink } from '../../engine/progress.js';
import { runVerification, type VerifyOutcome } from '../../services/verify-service.js';
import { openStoreAt, type Store } from '../../store/db.js';
import { resolveTarget, type TargetOptions } from '../context.js';
import { ProgressDisplay } from '../progress-display.js';
import { verifyJson, verifyText } from '../verify-format.js';

/** Options of `cutover verify`. */
export interface VerifyCliOptions extends TargetOptions {
  mailbox?: string[];
  deep?: boolean;
  format: 'text' | 'json';
  progress?: boolean;
}

export async function verifyCommand(o: VerifyCliOptions): Promise<void> {
  const { project, store: target, problems } = resolveTarget(o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  const store = await openStoreAt(target);
  const unlock = await store.lockRun(project.name).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const display = new ProgressDisplay(process.stderr, o.progress !== false && Boolean(process.stderr.isTTY));
  try {
    const outcomes = await verifyAndPrint(store, project, o, display, controller.signal);
    process.exitCode = controller.signal.aborted ? 130 : verifiedExitCode(outcomes);
  } finally {
    display.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await unlock();
    await store.close();
  }
}

/** Verify, stop the display, print in the chosen format (also the end of `migrate --verify`). */
export async function verifyAndPrint(
  store: Store,
  project: ProjectConfig,
  o: { mailbox?: string[]; deep?: boolean; format: 'text' | 'json' },
  display: ProgressSink & { stop(): void },
  signal: AbortSignal,
): Promise<VerifyOutcome[]> {
  const outcomes = await runVerification(store, project, {
    only: o.mailbox,
    deep: o.deep,
    progress: display,
    signal,
  });
  display.stop();
  process.stdout.write(o.format === 'json' ? verifyJson(outcomes) : verifyText(outcomes));
  return outcomes;
}

/** 0 when every mailbox matches, else 1. */
export const verifiedExitCode = (outcomes: VerifyOutcome[]): number =>
  outcomes.length && outcomes.every((x) => x.verification.result === 'matches') ? 0 : 1;
