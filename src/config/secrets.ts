/** Resolves a SecretRef (inline value, environment variable or file) to the secret itself, at the moment it is needed. */
import { readFileSync } from 'node:fs';
import { ErrorCode, PermanentError } from '../errors.js';
import type { SecretRef } from './types.js';

/** The secret a reference points to: the value, the variable's value, or the file's first line (without CR/LF). */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('value' in ref) return ref.value;
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined) {
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `The environment variable ${ref.env} is not set (it should hold a password).`,
        `Set it before running Cutover, e.g. export ${ref.env}='…', or give the password another way.`,
      );
    }
    if (value === '') {
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `The environment variable ${ref.env} is set but empty (it should hold a password).`,
        `Put the password in it, e.g. export ${ref.env}='…'.`,
      );
    }
    return value;
  }
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `Cannot read the password file ${ref.file} (${reason}).`,
      'Check the path (relative paths start from the project file or the current directory) and that Cutover may read it.',
      { cause: err },
    );
  }
  const first = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)[0] ?? '';
  if (first === '') {
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `The password file ${ref.file} is empty (the password is read from its first line).`,
      'Write the password on the first line of the file.',
    );
  }
  return first;
}
