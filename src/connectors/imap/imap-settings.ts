/**
 * The IMAP server's optional settings block (`imap:` in the project file and the API): its type and API
 * schema. Read from a project file by imap-settings-read.ts (apart, so this type imports nothing that
 * imports it back).
 */
import { Type } from '@sinclair/typebox';

/** IMAP settings. */
export interface ImapSettings {
  /**
   * The ManageSieve (RFC 5804) port of the same host, where the mailboxes' Sieve filters are (item type
   * `filters`); absent = Cutover cannot move this server's filters.
   */
  sievePort?: number;
}

/** The block as the API takes and shows it. */
export const ImapIn = Type.Object(
  {
    sievePort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description:
          'ManageSieve port on the same host (usually 4190), for --items filters; same login as IMAP. Absent: filters are not moved.',
      }),
    ),
  },
  { additionalProperties: false },
);
