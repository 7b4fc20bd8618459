/**
 * A POP3 mailbox open for reading: one session, one folder (INBOX), the maildrop as listed at login.
 * Read-only: messages are retrieved, never deleted (there is no DELE in this connector). Note that some
 * servers mark retrieved messages as read for their IMAP side (Dovecot sets \Seen on RETR).
 */
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError, TransientError, throwIfAborted } from '../../errors.js';
import type {
  FolderInfo,
  FolderState,
  MailSource,
  SourceCapabilities,
  SourceFolderReader,
} from '../contract.js';
import { Pop3Client } from './pop3-client.js';
import { describe } from './pop3-config.js';
import { resolveLogin } from '../shared/login.js';
import { Pop3ReplyError, mapPop3Error } from './pop3-errors.js';
import { Pop3FolderReader } from './pop3-folder-reader.js';
import { buildListing, type Pop3Listing } from './pop3-listing.js';

/** The only folder a POP3 mailbox has. */
const INBOX = 'INBOX';

/** Log in and read the listing (UIDL, LIST). The session is closed again if anything fails. */
export async function openPop3(
  server: ServerSpec,
  auth: AuthSpec,
  signal?: AbortSignal,
): Promise<{ client: Pop3Client; listing: Pop3Listing; where: string }> {
  const where = describe(server, auth);
  const client = await Pop3Client.connect(server, resolveLogin(auth), where, signal);
  try {
    let uidl: string[];
    try {
      uidl = await client.lines('UIDL', signal);
    } catch (err) {
      if (!(err instanceof Pop3ReplyError)) throw err;
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${where}: the server does not support UIDL (${err.text}), so messages cannot be recognised from one pass to the next.`,
        'Migrate this mailbox over IMAP if the server offers it.',
        { cause: err },
      );
    }
    const listing = buildListing(uidl, await client.lines('LIST', signal), where);
    return { client, listing, where };
  } catch (err) {
    client.destroy();
    throw mapPop3Error(err, where);
  }
}

export class Pop3Source implements MailSource {
  readonly capabilities: SourceCapabilities = { supportsCondstore: false };

  constructor(
    private readonly client: Pop3Client,
    private readonly listing: Pop3Listing,
    private readonly where: string,
  ) {}

  /** A POP3 mailbox is one folder; the folder mapping decides where it lands (e.g. INBOX → Imported). */
  async listFolders(): Promise<FolderInfo[]> {
    return [{ path: [INBOX], selectable: true }];
  }

  async folderState(path: string[]): Promise<FolderState> {
    this.checkPath(path);
    return this.listing.state;
  }

  async openFolder(path: string[], signal?: AbortSignal): Promise<SourceFolderReader> {
    throwIfAborted(signal);
    this.checkPath(path);
    if (!this.client.usable)
      throw new TransientError(
        ErrorCode.ConnectionLost,
        `${this.where}: the POP3 session was closed.`,
        'Cutover reconnects on its own.',
      );
    return new Pop3FolderReader(this.client, this.listing, this.where);
  }

  close(): Promise<void> {
    return this.client.quit();
  }

  private checkPath(path: string[]): void {
    if (path.length !== 1 || path[0]!.toUpperCase() !== INBOX)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${this.where}: a POP3 mailbox has only INBOX, not "${path.join('/')}".`,
      );
  }
}
