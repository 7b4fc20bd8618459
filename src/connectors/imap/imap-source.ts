/** An IMAP mailbox open for reading over one connection (one selected folder at a time). */
import type { ImapFlow } from 'imapflow';
import type {
  FolderInfo,
  FolderState,
  MailSource,
  SourceCapabilities,
  SourceFolderReader,
} from '../contract.js';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import { mapImapError } from './imap-errors.js';
import { ExactReader } from './exact-reader.js';
import { RawFolderReader } from './raw-folder-reader.js';
import { closeImap, fullName, listFolders, refusalOf, wireName } from './imap-session.js';
import type { RawFetcher } from './raw-fetcher.js';

/** Reads folders and messages; opens folders read-only (EXAMINE) so nothing at the source changes. */
export class ImapSource implements MailSource {
  readonly capabilities: SourceCapabilities;

  private fetcher: RawFetcher | undefined;
  private fetcherOpening: Promise<RawFetcher> | undefined;

  constructor(
    private readonly client: ImapFlow,
    private readonly where: string,
    /** Opens the raw connection bodies stream over (one per source, opened on first use). */
    private readonly openFetcher: () => Promise<RawFetcher>,
  ) {
    this.capabilities = { supportsCondstore: client.capabilities.has('CONDSTORE') };
  }

  /**
   * Counters that came with the last listing (LIST-STATUS): each is used once, by the `folderState` that
   * follows the listing, so planning a pass costs one round trip instead of one STATUS per folder; any
   * later call asks the server again.
   */
  private listed = new Map<string, FolderState>();

  listFolders(): Promise<FolderInfo[]> {
    this.listed = new Map();
    return listFolders(this.client, this.where, this.listed);
  }

  async folderState(path: string[]): Promise<FolderState> {
    const key = path.join('\u0000');
    const listed = this.listed.get(key);
    if (listed) {
      this.listed.delete(key);
      return listed;
    }
    try {
      const r = await refusalOf(this.client, () =>
        this.client.status(fullName(this.client, path), {
          messages: true,
          uidNext: true,
          uidValidity: true,
          highestModseq: this.capabilities.supportsCondstore,
        }),
      );
      if (!('value' in r)) throw r.refused ?? new Error('STATUS failed');
      const s = r.value;
      return {
        uidValidity: String(s.uidValidity),
        uidNext: s.uidNext ?? 0,
        messages: s.messages ?? 0,
        highestModseq: s.highestModseq !== undefined ? String(s.highestModseq) : undefined,
      };
    } catch (err) {
      throw mapImapError(err, `${this.where} folder "${path.join('/')}"`);
    }
  }

  async openFolder(path: string[], signal?: AbortSignal): Promise<SourceFolderReader> {
    throwIfAborted(signal);
    const where = `${this.where} folder "${path.join('/')}"`;
    try {
      // NUL bytes hide behind 0x80 in BODY[]; only a source with BINARY (RFC 3516) can serve them.
      const exact = this.client.capabilities.has('BINARY')
        ? new ExactReader(this.client, fullName(this.client, path), where)
        : undefined;
      return await RawFolderReader.open(await this.bodyFetcher(), wireName(this.client, path), exact);
    } catch (err) {
      const text = String((err as Error)?.message) + String((err as { responseText?: string }).responseText);
      if (/nonexistent|doesn't exist|not exist/i.test(text))
        throw new PermanentError(
          ErrorCode.SourceReadFailed,
          `${where}: the folder no longer exists at the source.`,
          'It was probably deleted or renamed during the migration; rerun to pick up the new name.',
          { cause: err },
        );
      throw mapImapError(err, where);
    }
  }

  /** The raw connection bodies are read over starts logging in now (the first folder finds it ready). */
  warmUp(): void {
    this.bodyFetcher().catch(() => undefined);
  }

  /** The raw connection, opened once; concurrent callers share one opening (a failed one is opened again). */
  private async bodyFetcher(): Promise<RawFetcher> {
    if (this.fetcher?.usable) return this.fetcher;
    this.fetcherOpening ??= this.openFetcher().finally(() => (this.fetcherOpening = undefined));
    this.fetcher = await this.fetcherOpening;
    return this.fetcher;
  }

  async close(): Promise<void> {
    // A raw connection still logging in (warmUp) is waited for, so it is closed too.
    const opening = this.fetcherOpening?.catch(() => undefined);
    const late = opening ? await opening : undefined;
    await Promise.all([
      closeImap(this.client),
      this.fetcher?.close(),
      late !== this.fetcher && late?.close(),
    ]);
  }
}
