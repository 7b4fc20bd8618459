/** File-system errors of an mbox source, mapped once into Cutover's errors with what to do about them. */
import {
  ErrorCode,
  PermanentError,
  TransientError,
  type CutoverError,
  CutoverError as Base,
} from '../../errors.js';

/** A file-system error (ENOENT, EACCES, …) about `file` as a Cutover error; Cutover errors pass through. */
export function mapFsError(err: unknown, file: string): CutoverError {
  if (err instanceof Base) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const said = (err as Error)?.message ?? String(err);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new PermanentError(
        ErrorCode.SourceReadFailed,
        `${file} does not exist.`,
        'Check the path: mbox:// takes an absolute path (mbox:///home/alice/export.mbox, three slashes), with spaces as %20.',
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new PermanentError(
        ErrorCode.SourceReadFailed,
        `Cutover may not read ${file} (${code}).`,
        'Give the user running Cutover read permission on the file and its directories (chmod/chown), or run Cutover as its owner.',
        { cause: err },
      );
    case 'EMFILE':
    case 'ENFILE':
    case 'EAGAIN':
    case 'EBUSY':
      return new TransientError(
        ErrorCode.SourceReadFailed,
        `${file}: ${said}`,
        'Cutover retries on its own.',
        {
          cause: err,
        },
      );
    default:
      return new PermanentError(
        ErrorCode.SourceReadFailed,
        `${file} could not be read: ${said}`,
        'Check the disk and the file (a damaged disk, a file removed while it was read); then rerun.',
        { cause: err },
      );
  }
}
