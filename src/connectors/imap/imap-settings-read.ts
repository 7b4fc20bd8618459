/** The imap: block of a project file's IMAP server (see ImapSettings): `imap: { sievePort: 4190 }`. */
import type { SettingsField, SettingsReader } from '../descriptor.js';
import type { ImapSettings } from './imap-settings.js';

/** Read the block; undefined when absent or empty. */
export function readImapSettings(r: SettingsReader, f: SettingsField | undefined): ImapSettings | undefined {
  if (!f) return undefined;
  const m = r.map(f, ['sievePort']);
  const sievePort = r.int(m?.get('sievePort'), 1, 65535, 'Write the ManageSieve port, e.g. sievePort: 4190.');
  return sievePort === undefined ? undefined : { sievePort };
}
