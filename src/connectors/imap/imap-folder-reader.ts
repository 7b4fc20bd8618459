/**
 * Reading back a destination folder through imapflow (keys and metadata, for duplicate prevention by
 * fingerprint), plus the helpers both IMAP read paths share. Never issues a command inside a fetch loop
 * (imapflow deadlocks): every page is fetched whole with fetchAll, then yielded.
 */
import type { ImapFlow, FetchMessageObject, MailboxObject } from 'imapflow';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { FolderState, ListOptions, MessageMeta } from '../contract.js';
import { mapImapError } from './imap-errors.js';
import { refusalOf } from './imap-session.js';
import { parseIdentityHeaders, setHeaderHashes } from '../shared/identity-headers.js';

const PAGE = 500;

/** Compact an ascending UID list into an IMAP sequence set ("1:5,7,9:12"). */
export function toSequenceSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length;) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(j > i ? `${uids[i]}:${uids[j]}` : `${uids[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** State of a selected mailbox. */
export function stateOf(mb: MailboxObject): FolderState {
  return {
    uidValidity: String(mb.uidValidity),
    uidNext: mb.uidNext,
    messages: mb.exists,
    highestModseq: mb.highestModseq !== undefined ? String(mb.highestModseq) : undefined,
  };
}

/** Reader over the folder currently selected on `client`. */
/** Keys and metadata of the folder selected on an imapflow client (the destination's read-back). */
export class ImapFolderReader {
  constructor(
    private readonly client: ImapFlow,
    readonly state: FolderState,
    private readonly where: string,
  ) {}

  async listUids(signal?: AbortSignal): Promise<number[]> {
    throwIfAborted(signal);
    if (this.state.messages === 0) return [];
    let r: Awaited<ReturnType<typeof refusalOf<number[] | undefined>>>;
    try {
      r = await refusalOf(this.client, () => this.client.search({ all: true }, { uid: true }));
    } catch (err) {
      throw mapImapError(err, this.where);
    }
    // A NO [UNAVAILABLE] or a throttled SEARCH is retried; only a plain refusal is this folder's failure.
    const why = 'value' in r ? undefined : mapImapError(r.refused ?? {}, this.where);
    if (why && why.code !== ErrorCode.ProtocolError) throw why;
    const uids = 'value' in r ? r.value : undefined;
    if (!uids)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${this.where}: the server refused to list the folder's messages (UID SEARCH failed).`,
      );
    return uids.sort((a, b) => a - b);
  }

  async *listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    if (opts.changedSince) {
      // CONDSTORE: one response with only the changed messages' flags.
      const changed = await this.fetch(
        '1:*',
        { uid: true, flags: true },
        { uid: true, changedSince: BigInt(opts.changedSince) },
      );
      yield changed
        .filter((m) => opts.fromUid === undefined || m.uid < opts.fromUid)
        .map((m) => this.toMeta(m));
      return;
    }
    let uids = opts.uids ?? (await this.listUids(signal));
    if (opts.fromUid !== undefined) uids = uids.filter((u) => u >= opts.fromUid!);
    for (let i = 0; i < uids.length; i += PAGE) {
      throwIfAborted(signal);
      const chunk = uids.slice(i, i + PAGE);
      const query = opts.flagsOnly
        ? { uid: true, flags: true }
        : { uid: true, flags: true, size: true, internalDate: true, headers: ['message-id', 'date'] };
      const msgs = await this.fetch(toSequenceSet(chunk), query, { uid: true });
      const metas = msgs.map((m) => this.toMeta(m));
      const noId = metas.filter((m) => !opts.flagsOnly && !m.messageId).map((m) => m.uid);
      if (noId.length) {
        // Fingerprint fallback: hash the whole header block of messages without a Message-ID.
        const full = await this.fetch(toSequenceSet(noId), { uid: true, headers: true }, { uid: true });
        setHeaderHashes(
          metas,
          full.map((m) => [m.uid, m.headers]),
        );
      }
      yield metas.sort((a, b) => a.uid - b.uid);
    }
  }

  /**
   * Nothing to send: the next SELECT/EXAMINE or LOGOUT leaves the folder without expunging. Never CLOSE,
   * which expunges \Deleted messages when the selection is read-write (RFC 3501 §6.4.2).
   */
  async close(): Promise<void> {}

  private toMeta(m: FetchMessageObject): MessageMeta {
    const ids = parseIdentityHeaders(m.headers);
    return {
      uid: m.uid,
      size: m.size ?? 0,
      internalDate: m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0),
      flags: [...(m.flags ?? [])],
      ...ids,
    };
  }

  private async fetch(range: string, query: object, options: object): Promise<FetchMessageObject[]> {
    try {
      return await this.client.fetchAll(range, query, options);
    } catch (err) {
      throw mapImapError(err, this.where);
    }
  }
}
