/**
 * A Gmail mailbox open for writing. Folders are labels: INBOX, Sent, Drafts, Trash and Spam are Gmail's
 * system labels, every other folder a user label whose name joins the path with "/" (nested labels, each
 * parent created first). One messages.import per message (so a batch is one message: all-or-nothing),
 * labelled with its folder, UNREAD unless \Seen and STARRED when \Flagged. Keywords become labels (see
 * labelForKeyword): the labels a Gmail source recorded on a message come back as labels on the one copy.
 *
 * Read-back (duplicate prevention) fetches each message raw, because Gmail's sizeEstimate is not the exact
 * size the engine's fingerprints hold: exact, but one messages.get per message in the folder. The same raw
 * read gives `verify --deep` the stored bytes.
 */
import { Readable } from 'node:stream';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type {
  AppendItem,
  AppendResult,
  DestinationCapabilities,
  EnsuredFolder,
  FolderInfo,
  FolderState,
  MailDestination,
  MessageMeta,
  StreamedMessage,
} from '../contract.js';
import type { GmailApi, GmailLabel } from './gmail-api.js';
import { importMessage } from './gmail-import.js';
import {
  GMAIL_RESERVED,
  SYSTEM_FOLDERS,
  destinationFlags,
  keptFlags,
  labelForKeyword,
  labelPath,
  NOT_MANUAL,
  systemLabelFor,
} from './gmail-labels.js';
import { GMAIL_FOLDER_NAMING, gmailLabelPath } from './gmail-label-names.js';
import { FALLBACK_LABEL, writeDraft, writeSent } from './gmail-sent-drafts.js';
import { fetchBody, fetchMeta, META_PARALLEL } from './gmail-message.js';
import { listIds } from './gmail-snapshot.js';
import { itemKey } from '../shared/item-key.js';

export { GMAIL_RESERVED };

/** User label names are unique regardless of case in Gmail: "Work" and "work" are one label. */
const userKey = (name: string) => `user:${name.toLowerCase()}`;

/** IMAP flags → the labels that carry them. */
function flagLabels(flags: string[]): { add: string[]; remove: string[] } {
  const seen = flags.some((f) => /^\\seen$/i.test(f));
  const flagged = flags.some((f) => /^\\flagged$/i.test(f));
  return {
    add: [...(seen ? [] : ['UNREAD']), ...(flagged ? ['STARRED'] : [])],
    remove: [...(seen ? ['UNREAD'] : []), ...(flagged ? [] : ['STARRED'])],
  };
}

/** Flags a draft cannot keep (Gmail applies no label to a draft): \\Flagged and keywords that are labels. */
const takesLabel = (f: string) => /^\\flagged$/i.test(f) || labelForKeyword(f) !== undefined;

export class GmailDestination implements MailDestination {
  readonly capabilities: DestinationCapabilities;
  private labels?: Map<string, GmailLabel>; // by name
  /** Keys of messages seen or written, → Gmail ids (setFlags takes keys). */
  private readonly ids = new Map<number, string>();

  constructor(private readonly api: GmailApi) {
    this.capabilities = {
      maxMessageBytes: api.target.maxMessageBytes,
      maxBatchMessages: 1,
      delimiter: '/',
      supportsKeywords: true,
      reservedNames: [],
      folderNaming: GMAIL_FOLDER_NAMING,
      labelsAreFolders: true,
    };
  }

  private async labelMap(signal?: AbortSignal, fresh = false): Promise<Map<string, GmailLabel>> {
    if (!this.labels || fresh) {
      const { labels = [] } = await this.api.json<{ labels?: GmailLabel[] }>(
        { op: 'labels.list', path: '/labels' },
        signal,
      );
      this.labels = new Map(labels.map((l) => [l.type === 'system' ? l.id : userKey(l.name), l]));
    }
    return this.labels;
  }

  /** The label id of a folder path, or undefined when it does not exist. */
  private async labelId(path: string[], signal?: AbortSignal, fresh = false): Promise<string | undefined> {
    const sys = systemLabelFor(path);
    const map = await this.labelMap(signal, fresh);
    return sys && map.has(sys) ? sys : map.get(userKey(path.join('/')))?.id;
  }

  private async requireLabel(path: string[], signal?: AbortSignal): Promise<string> {
    const id = (await this.labelId(path, signal)) ?? (await this.labelId(path, signal, true));
    if (id) return id;
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `${this.api.where}: there is no label "${path.join('/')}".`,
      'It was deleted while the pass ran; the next pass creates it again.',
    );
  }

  async listFolders(signal?: AbortSignal): Promise<FolderInfo[]> {
    const map = await this.labelMap(signal, true);
    const out = new Map<string, FolderInfo>();
    for (const f of SYSTEM_FOLDERS)
      if (map.has(f.id)) out.set(f.path.join('/'), { path: f.path, specialUse: f.use, selectable: true });
    for (const l of map.values()) {
      if (l.type === 'system') continue;
      const path = labelPath(l.name);
      for (let d = 1; d < path.length; d++)
        if (!out.has(path.slice(0, d).join('/')))
          out.set(path.slice(0, d).join('/'), { path: path.slice(0, d), selectable: false });
      out.set(path.join('/'), { path, selectable: true });
    }
    return [...out.values()];
  }

  async ensureFolder(path: string[], signal?: AbortSignal): Promise<EnsuredFolder> {
    if (systemLabelFor(path)) return { path };
    const placed = gmailLabelPath(path);
    let at = placed.path;
    const notes = placed.renamed ? [placed.renamed] : [];
    for (let d = 1; d <= at.length; d++) {
      const name = at.slice(0, d).join('/');
      if ((await this.labelMap(signal)).has(userKey(name))) continue;
      const refused = await this.createLabel(name, signal);
      if (!refused) continue;
      // A name Gmail keeps that no list has (a system name in the account's language): its level gets '_'.
      if (d > 1 || at[0]!.endsWith('__'))
        throw new PermanentError(
          ErrorCode.FolderCreateFailed,
          `${this.api.where}: the label "${name}" cannot be created (${refused}).`,
          'Rename the folder with a folder mapping.',
        );
      notes.push(`Gmail refused the label '${at[0]}' (${refused}); it is '${at[0]}_'`);
      at = [`${at[0]}_`, ...at.slice(1)];
      d = 0;
    }
    return notes.length ? { path: at, renamed: notes.join('; ') } : { path: at };
  }

  /** labels.create; resolves with Gmail's words when it refuses the name (400), undefined once it exists. */
  private async createLabel(name: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const made = await this.api.json<GmailLabel>(
        {
          op: 'labels.create',
          path: '/labels',
          json: { name, labelListVisibility: 'labelShow', messageListVisibility: 'show' },
        },
        signal,
      );
      this.labels!.set(userKey(name), made);
      return undefined;
    } catch (err) {
      if (
        err instanceof PermanentError &&
        /HTTP 400/.test(err.message) &&
        /invalid label name/i.test(err.message)
      )
        return 'Invalid label name';
      // 409: made meanwhile by another connection. Anything else is a real refusal.
      if (!(err instanceof PermanentError && /HTTP 409/.test(err.message))) throw err;
      if (!(await this.labelMap(signal, true)).has(userKey(name)))
        throw new PermanentError(
          ErrorCode.FolderCreateFailed,
          `${this.api.where}: the label "${name}" cannot be created (${err.message}).`,
          'Rename the folder with a folder mapping.',
        );
      return undefined;
    }
  }

  async folderState(path: string[], signal?: AbortSignal): Promise<FolderState | null> {
    const id = await this.labelId(path, signal, true);
    if (!id) return null;
    let messages = 0;
    for (const l of this.folderLabels(id)) {
      const label = await this.api.json<GmailLabel>(
        { op: 'labels.get', path: `/labels/${encodeURIComponent(l)}` },
        signal,
      );
      messages += label.messagesTotal ?? 0;
    }
    return { uidValidity: id, uidNext: messages + 1, messages };
  }

  /** The labels a folder's messages carry: its own, and for Sent and Drafts the fallback label too. */
  private folderLabels(id: string): string[] {
    const fallback = id === 'SENT' || id === 'DRAFT' ? FALLBACK_LABEL[id] : undefined;
    const other = fallback && this.labels?.get(userKey(fallback))?.id;
    return other ? [id, other] : [id];
  }

  /** The id of the label that keeps what Gmail would not put in Sent or Drafts, created when missing. */
  private async fallbackLabel(id: 'SENT' | 'DRAFT', signal?: AbortSignal): Promise<string> {
    const made = await this.ensureFolder([FALLBACK_LABEL[id]], signal);
    return this.requireLabel(made.path, signal);
  }

  async *listMessages(path: string[], signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    const folder = await this.labelId(path, signal, true);
    if (!folder) return;
    for (const id of this.folderLabels(folder))
      for await (const ids of listIds(this.api, id, signal)) {
        const page: MessageMeta[] = [];
        // Several messages.get in flight, as the source does (gmail-folder-reader.ts): the quota gate paces them.
        for (let i = 0; i < ids.length; i += META_PARALLEL) {
          throwIfAborted(signal);
          const metas = await Promise.all(
            ids.slice(i, i + META_PARALLEL).map((mid) => {
              const uid = itemKey(mid);
              this.ids.set(uid, mid);
              return fetchMeta(this.api, mid, uid, (labels) => this.flagsOf(labels, id), signal);
            }),
          );
          for (const meta of metas) if (meta) page.push(meta);
        }
        if (page.length) yield page;
      }
  }

  async append(
    path: string[],
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
    signal?: AbortSignal,
  ): Promise<AppendResult[]> {
    const label = await this.requireLabel(path, signal);
    const out: AppendResult[] = [];
    for await (const item of items) {
      if (item.size > this.capabilities.maxMessageBytes!) {
        if (item.body instanceof Readable) item.body.resume();
        throw new PermanentError(
          ErrorCode.MessageTooLarge,
          `${this.api.where}: a message of ${item.size} bytes is over Gmail's import limit of ${this.capabilities.maxMessageBytes} bytes.`,
          'It is reported as failed; move it by hand (e.g. its attachments to Drive).',
        );
      }
      const kw = await this.keywordLabels(item.flags, signal);
      const labels = [...new Set([...flagLabels(item.flags).add, ...kw.ids])];
      const special = label === 'SENT' || label === 'DRAFT' ? label : undefined;
      const w = special && { item, labels, fallback: () => this.fallbackLabel(special, signal) };
      const written = !w
        ? { id: await importMessage(this.api, item, [label, ...labels.filter((l) => l !== label)], signal) }
        : special === 'SENT'
          ? await writeSent(this.api, w, signal)
          : await writeDraft(this.api, { ...w, dropped: item.flags.filter(takesLabel) }, signal);
      const uid = itemKey(written.id);
      this.ids.set(uid, written.id);
      const altered = [kw.note, written.altered].filter(Boolean).join('; ');
      out.push({ uid, uidValidity: label, ...(altered ? { altered } : {}) });
    }
    return out;
  }

  async setFlags(path: string[], uids: number[], flags: string[], signal?: AbortSignal): Promise<void> {
    if (uids.some((u) => !this.ids.has(u))) {
      const label = await this.requireLabel(path, signal);
      for (const l of this.folderLabels(label))
        for await (const ids of listIds(this.api, l, signal))
          for (const id of ids) this.ids.set(itemKey(id), id);
    }
    const ids = uids.flatMap((u) => this.ids.get(u) ?? []);
    const folder = await this.requireLabel(path, signal);
    if (folder === 'DRAFT') return; // Gmail applies no label to a draft: nothing to change
    const flagged = flagLabels(flags);
    const add = [...flagged.add, ...(await this.keywordLabels(flags, signal)).ids];
    // "Replace the flags": every label a keyword could stand for goes, except the folder's and those set.
    // SENT and DRAFT are never named: Gmail answers 400 "Invalid label: SENT" (not manually applicable).
    const keywordable = [...this.labels!.values()]
      .filter((l) => l.type === 'user' || ['INBOX', 'IMPORTANT'].includes(l.id))
      .map((l) => l.id);
    const own = new Set(this.folderLabels(folder));
    const remove = [...flagged.remove, ...keywordable].filter((l) => !own.has(l) && !add.includes(l));
    for (let i = 0; i < ids.length; i += 1000)
      await this.api.json(
        {
          op: 'messages.batchModify',
          path: '/messages/batchModify',
          json: { ids: ids.slice(i, i + 1000), addLabelIds: add, removeLabelIds: remove },
        },
        signal,
      );
  }

  /** Stored bodies of messages this connection listed (`verify --deep`), one messages.get each, spooled. */
  async *streamBodies(_path: string[], uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    for (const uid of uids) {
      const id = this.ids.get(uid);
      const got = id === undefined ? undefined : await fetchBody(this.api, id, signal);
      if (got) yield { uid, size: got.size, body: got.body };
    }
  }

  /** What a read-back shows of these flags (labels for \\Seen, \\Flagged and keywords; see gmail-labels). */
  keptFlags(path: string[], flags: string[]): string[] {
    return keptFlags(flags, path);
  }

  async close(): Promise<void> {}

  /** Flags of a message in the folder labelled `folder`, from its labels. */
  private flagsOf(labelIds: string[], folder: string): string[] {
    const byId = new Map([...(this.labels?.values() ?? [])].map((l) => [l.id, l]));
    return destinationFlags(labelIds, folder, (id) => byId.get(id));
  }

  /**
   * The labels the keywords among `flags` stand for, user labels created (with parents) when missing; `$Sent`
   * is left out (Gmail applies SENT only itself), and the note says so.
   */
  private async keywordLabels(
    flags: string[],
    signal?: AbortSignal,
  ): Promise<{ ids: string[]; note?: string }> {
    const ids: string[] = [];
    let note: string | undefined;
    for (const f of flags) {
      const target = labelForKeyword(f);
      if (!target) continue;
      if ('system' in target) {
        if (!NOT_MANUAL.has(target.system)) ids.push(target.system);
        else note = `${f} is not a label Gmail lets anyone apply (${target.system}); not kept`;
      } else if (!GMAIL_RESERVED.some((r) => r.toLowerCase() === target.user.split('/')[0]!.toLowerCase())) {
        const path = labelPath(target.user);
        if (systemLabelFor(path)) continue; // "Sent", "Trash"… as keywords: not a user label
        const made = await this.ensureFolder(path, signal);
        ids.push(await this.requireLabel(made.path, signal));
      }
    }
    return { ids, ...(note ? { note } : {}) };
  }
}
