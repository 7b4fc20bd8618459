/**
 * `cutover archive` (everything the migration moves from its source, into a compliance archive) and
 * `cutover verify --archive` (check one): thin shells over services/archive-service.ts and archive-verify.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseItemList } from '../../config/values.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import { archiveDataDir, runArchive } from '../../services/archive-service.js';
import { verifyArchive } from '../../services/archive-verify.js';
import { openStore, openStoreAt, type Store } from '../../store/db.js';
import { acquireRunLock } from '../../store/run-lock.js';
import { archiveComplete, archiveText, archiveVerifyJson, archiveVerifyText } from '../archive-format.js';
import { resolveTarget, type TargetOptions } from '../context.js';
import { ProgressDisplay } from '../progress-display.js';

interface ArchiveCliOptions extends TargetOptions {
  archiveDir?: string;
  mailbox?: string[];
  items?: string;
  progress?: boolean;
}

/** The archive directory flag, checked to be absolute. */
function absolute(dir: string | undefined, flag: string): string {
  if (!dir || !path.isAbsolute(dir))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      dir ? `${flag} ${dir} is not an absolute path.` : `${flag} is missing.`,
      `Give the archive directory as an absolute path, e.g. ${flag} /srv/archive/2026.`,
    );
  return path.normalize(dir);
}

export async function archiveCommand(o: ArchiveCliOptions): Promise<void> {
  const dir = absolute(o.archiveDir, '--archive-dir');
  const oneOff = Boolean(o.from);
  // The one-off form: the source URL, and the archive directory standing in for a destination.
  const {
    project,
    dataDir,
    store: target,
    problems,
  } = resolveTarget(oneOff ? { ...o, to: pathToFileURL(dir).href } : o);
  if (oneOff && o.items) {
    const items = parseItemList(o.items);
    if (!items.ok) throw new PermanentError(ErrorCode.ConfigInvalid, `--items: ${items.message}`, items.hint);
    for (const m of project.mailboxes) m.options.itemTypes = items.value;
  } else if (o.items)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      '--items is for the one-off form; a project takes its item types from the project file and the mailboxes CSV.',
      'Leave out --items, or set `items:` in the project file.',
    );
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  const own = archiveDataDir(dataDir, dir);
  fs.mkdirSync(own, { recursive: true, mode: 0o700 });
  const unlock = acquireRunLock(own);
  let archiveStore: Store | undefined;
  let projectStore: Store | undefined;
  const controller = new AbortController();
  const stop = () => {
    process.stderr.write('\nStopping cleanly; what was archived is chained. Rerun to go on.\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const display = new ProgressDisplay(process.stderr, o.progress !== false && Boolean(process.stderr.isTTY));
  try {
    archiveStore = await openStore(own);
    // The archive keeps its own ledger in the data directory; the project's store may be PostgreSQL.
    if (!oneOff) projectStore = await openStoreAt(target);
    const result = await runArchive(archiveStore, projectStore, project, {
      dir,
      only: o.mailbox,
      progress: display,
      signal: controller.signal,
    });
    display.stop();
    process.stdout.write(archiveText(result));
    process.exitCode = controller.signal.aborted ? 130 : archiveComplete(result) ? 0 : 1;
  } finally {
    display.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await projectStore?.close();
    await archiveStore?.close();
    unlock();
  }
}

interface ArchiveVerifyOptions {
  archive: string;
  expectHead?: string;
  format: 'text' | 'json';
}

export async function archiveVerifyCommand(o: ArchiveVerifyOptions): Promise<void> {
  const v = await verifyArchive(absolute(o.archive, '--archive'), {
    ...(o.expectHead !== undefined ? { expectHead: o.expectHead } : {}),
  });
  process.stdout.write(o.format === 'json' ? archiveVerifyJson(v) : archiveVerifyText(v));
  process.exitCode = v.holds ? 0 : 1;
}
