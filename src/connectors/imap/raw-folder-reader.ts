/**
 * A source folder read over the raw connection: state from EXAMINE, keys from UID SEARCH, metadata and
 * bodies from UID FETCH. Pages are fetched whole before they are yielded, so a consumer may issue the next
 * command (bodies) between pages.
 */
import { blame, throwIfAborted } from '../../errors.js';
import type {
  FolderState,
  ListOptions,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../contract.js';
import { toSequenceSet } from './imap-folder-reader.js';
import { parseIdentityHeaders, setHeaderHashes } from '../shared/identity-headers.js';
import type { FetchFacts } from './fetch-response.js';
import type { RawFetcher } from './raw-fetcher.js';
import type { ExactReader } from './exact-reader.js';
import { mayHideNul } from './nul-restore.js';

const PAGE = 500;
const META = 'UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]';

function toMeta(f: FetchFacts & { uid: number }): MessageMeta {
  return {
    uid: f.uid,
    size: f.size ?? 0,
    internalDate: f.internalDate ?? new Date(0),
    flags: f.flags ?? [],
    ...parseIdentityHeaders(f.section),
  };
}

const withUid = (f: FetchFacts): f is FetchFacts & { uid: number } => f.uid !== undefined;

export class RawFolderReader implements SourceFolderReader {
  private constructor(
    private readonly fetcher: RawFetcher,
    private readonly wireName: string,
    readonly state: FolderState,
    private readonly exact: ExactReader | undefined,
  ) {}

  /**
   * EXAMINE the folder on `fetcher`. With `exact` (a source that has BINARY), a body whose BODY[] bytes may
   * hide NUL bytes is read again exactly before it is handed over.
   */
  static async open(fetcher: RawFetcher, wireName: string, exact?: ExactReader): Promise<RawFolderReader> {
    return new RawFolderReader(fetcher, wireName, await fetcher.examine(wireName), exact);
  }

  private async ready(): Promise<void> {
    await this.fetcher.examine(this.wireName, this.state.uidValidity);
  }

  async listUids(signal?: AbortSignal): Promise<number[]> {
    throwIfAborted(signal);
    if (this.state.messages === 0) return [];
    await this.ready();
    return this.fetcher.search();
  }

  async *listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    await this.ready();
    if (opts.changedSince) {
      const changed = await this.fetcher.meta('1:*', 'UID FLAGS', `(CHANGEDSINCE ${opts.changedSince})`);
      yield changed.filter(withUid).map(toMeta);
      return;
    }
    let uids = opts.uids ?? (await this.listUids(signal));
    if (opts.fromUid !== undefined) uids = uids.filter((u) => u >= opts.fromUid!);
    for (let i = 0; i < uids.length; i += PAGE) {
      throwIfAborted(signal);
      const page = uids.slice(i, i + PAGE);
      const metas = (await this.metaOf(page, opts.flagsOnly ? 'UID FLAGS' : META))
        .filter(withUid)
        .map(toMeta);
      const noId = metas.filter((m) => !opts.flagsOnly && !m.messageId).map((m) => m.uid);
      if (noId.length) {
        // Fingerprint fallback: hash the whole header block of messages without a Message-ID.
        const full = await this.metaOf(noId, 'UID BODY.PEEK[HEADER]');
        setHeaderHashes(
          metas,
          full.filter(withUid).map((f) => [f.uid, f.section]),
        );
      }
      yield metas.sort((a, b) => a.uid - b.uid);
    }
  }

  /**
   * One metadata FETCH over `uids`. If it fails midway (a server that drops the connection on a message
   * it cannot read), the error names the first message whose answer did not arrive whole.
   */
  private async metaOf(uids: number[], items: string): Promise<FetchFacts[]> {
    try {
      return await this.fetcher.meta(toSequenceSet(uids), items);
    } catch (err) {
      const whole = new Set(
        this.fetcher.partialFacts.filter((f) => (/BODY/.test(items) ? f.section : f.flags)).map((f) => f.uid),
      );
      const suspect = [...uids].sort((a, b) => a - b).find((u) => !whole.has(u));
      throw blame(err, suspect, suspect === undefined ? undefined : this.fetcher.breakPointOf(suspect));
    }
  }

  async *streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    if (uids.length === 0) return;
    await this.ready();
    const sorted = [...uids].sort((a, b) => a - b);
    const delivered = new Set<number>();
    try {
      for await (const m of this.fetcher.bodies(toSequenceSet(sorted), signal)) {
        delivered.add(m.uid);
        if (this.exact && m.unreadable === undefined && Buffer.isBuffer(m.body) && mayHideNul(m.body)) {
          // Read again on the other connection while this one goes on receiving.
          const fixed = await this.exact.read(m.uid, m.body);
          yield { uid: m.uid, size: fixed.body.length, body: fixed.body, altered: fixed.altered };
          continue;
        }
        yield m;
      }
    } catch (err) {
      // Failed between bodies: the next one is the one the server could not send.
      const suspect = sorted.find((u) => !delivered.has(u));
      throw blame(err, suspect, suspect === undefined ? undefined : this.fetcher.breakPointOf(suspect));
    }
    const refused = this.fetcher.refused;
    const missing = uids.filter((u) => !delivered.has(u));
    if (!refused || missing.length === 0) return;
    // The server said NO to part of the batch: what still exists is unreadable there, the rest was expunged.
    for (const uid of await this.fetcher.search(toSequenceSet(missing)))
      yield { uid, unreadable: `the source server would not read it: ${refused}` };
  }

  async close(): Promise<void> {}
}
