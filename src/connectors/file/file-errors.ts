/** File-system errors mapped once into Cutover's error model, each saying what is wrong and what to do. */
import { CutoverError, ErrorCode, PermanentError, TransientError } from '../../errors.js';

/** A Node.js file-system error (or anything else) as a CutoverError naming `where`. */
export function fileError(err: unknown, where: string): CutoverError {
  if (err instanceof CutoverError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const text = (err as Error)?.message ?? String(err);
  switch (code) {
    case 'ENOENT':
      return new PermanentError(
        ErrorCode.NotFound,
        `${where} does not exist.`,
        'Check the path (file:///ABS/DIR names an absolute directory).',
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new PermanentError(
        ErrorCode.ConfigInvalid,
        `No permission for ${where} (${code}).`,
        'Give the user that runs Cutover read access to a source directory and write access to a destination directory.',
        { cause: err },
      );
    case 'ENOTDIR':
      return new PermanentError(
        ErrorCode.ConfigInvalid,
        `${where}: a part of the path is a file, not a directory.`,
        'Name a directory in file:///ABS/DIR.',
        { cause: err },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new PermanentError(
        ErrorCode.QuotaExceeded,
        `No space left for ${where} (${code}).`,
        'Free space on that file system or write to another directory, then run again: what was written is kept.',
        { cause: err },
      );
    case 'ENAMETOOLONG':
      return new PermanentError(
        ErrorCode.FolderCreateFailed,
        `${where}: the path is longer than this file system allows.`,
        'Use a shorter base directory, or exclude or map deeply nested folders (--include/--exclude, folder maps).',
        { cause: err },
      );
    default:
      return new TransientError(
        ErrorCode.ServerUnavailable,
        `${where}: ${text}`,
        'Retried; check the disk if it persists.',
        {
          cause: err,
        },
      );
  }
}
