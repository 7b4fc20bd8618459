/** `cutover schedule [--run] [--once]`: the plan's phases, and a foreground scheduler that runs them when due. */
import { openStoreAt } from '../../store/db.js';
import { runSchedule, scheduleStatus } from '../../services/scheduler.js';
import { ProgressDisplay } from '../progress-display.js';
import { resolveTarget, type TargetOptions } from '../context.js';

export interface ScheduleOptions extends TargetOptions {
  run?: boolean;
  once?: boolean;
  progress?: boolean;
}

export async function scheduleCommand(o: ScheduleOptions): Promise<void> {
  const { project, store: target, problems } = resolveTarget(o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  const store = await openStoreAt(target);
  const unlock = o.run
    ? await store.lockRun(project.name).catch(async (err: unknown) => {
        await store.close();
        throw err;
      })
    : async () => undefined;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping the scheduler after the current pass stops cleanly.\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    if (o.run) {
      const display = new ProgressDisplay(
        process.stderr,
        o.progress !== false && Boolean(process.stderr.isTTY),
      );
      const ran = await runSchedule(store, project, {
        progress: display,
        signal: controller.signal,
        once: o.once,
        onPhase: (p, outcomes, err) => {
          display.stop();
          process.stdout.write(
            `${new Date().toISOString()} ${p.phase} (${p.key}): ${err ? `failed: ${err instanceof Error ? err.message : JSON.stringify(err)}` : `${outcomes?.filter((x) => x.status === 'done').length ?? 0}/${outcomes?.length ?? 0} mailboxes done`}\n`,
          );
        },
      });
      display.stop();
      process.stderr.write(`${ran} phase(s) run.\n`);
    }
    for (const p of await scheduleStatus(store, project))
      process.stdout.write(
        `${p.at.toISOString().slice(0, 16)}  ${p.phase.padEnd(9)} ${p.status.padEnd(10)} ${p.note ?? ''}\n`,
      );
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await unlock();
    await store.close();
  }
}
