/**
 * Durable writes of the file store: a file is written under a temporary name beside its place, fsynced, and
 * renamed onto its name (atomic on one file system), then the directory is fsynced so the rename survives a
 * crash. A reader sees the old bytes or the new ones, never part of either.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Make a rename or a new file durable in its directory, where the platform allows it. */
export async function syncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, 'r').catch(() => undefined);
  if (!h) return;
  await h.sync().catch(() => undefined); // not every file system syncs a directory (e.g. on Windows)
  await h.close();
}

/**
 * Write `data` to `file` through `.NAME.tmp` beside it, replacing what is there. The temporary file is
 * this writer's own: it is removed when the write fails.
 */
export async function writeDurably(file: string, data: string | Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  const h = await fsp.open(tmp, 'w');
  try {
    await h.writeFile(data);
    await h.sync();
  } catch (err) {
    await h.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await h.close();
  await fsp.rename(tmp, file);
  await syncDir(path.dirname(file));
}
