/**
 * Where an mbox source reads from. The path is the mailbox's login (`user`): in the one-off form it is the
 * URL's path (mbox:///home/alice/export.mbox), in a project each mailbox row names its own file or tree.
 * The optional `folder` (URL parameter `folder=`, or the project's `mbox: { folder }`) is where a single file
 * lands (default INBOX), or the folder a tree goes under. The block has no API schema: the API shows each
 * kind's block through a list in services/project-settings.ts (showServer), so a block there would be more
 * than this folder and a registry line; through the API an mbox source lands in INBOX (a file) or at the top.
 */
import path from 'node:path';
import type { AuthSpec } from '../../config/types.js';
import type { SettingsField, SettingsReader, UrlContext } from '../descriptor.js';

/** The `mbox` block of a server. */
export interface MboxSettings {
  /** Folder (segments joined with '/') a single file is imported into, or a tree is put under. */
  folder?: string;
}

/** The folder as path segments (empty: none given). */
export function folderPath(s: MboxSettings | undefined): string[] {
  return (s?.folder ?? '').split('/').filter((x) => x !== '');
}

/** The one-off form: mbox:///ABS/PATH[?folder=NAME]. */
export function mboxFromUrl(u: UrlContext): { settings?: MboxSettings; auth: AuthSpec } {
  const file = u.path ?? '';
  if (!path.isAbsolute(file) || file === '/')
    u.fail(
      `${u.shown} does not name a file or directory.`,
      'Write mbox:///ABSOLUTE/PATH (three slashes), e.g. mbox:///home/alice/export.mbox?folder=Archive/2019.',
    );
  const folder = u.params.folder;
  return {
    settings: folder ? { folder } : undefined,
    auth: { kind: 'password', user: path.resolve(file), password: { value: '' } },
  };
}

/** The project file's optional `mbox:` block. */
export function readMboxSettings(
  r: SettingsReader,
  block: SettingsField | undefined,
): MboxSettings | undefined {
  if (!block) return undefined;
  const m = r.map(block, ['folder']);
  const folder = r.str(m?.get('folder'));
  return folder ? { folder } : undefined;
}
