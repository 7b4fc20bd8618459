/**
 * An in-memory mail system implementing the connector contract, for engine tests that need to inject
 * faults a real server will not produce on demand (throttling responses). I/O code is tested against
 * real Dovecot servers elsewhere; this proves the engine's scheduling and bookkeeping.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  AppendItem,
  AppendResult,
  Connector,
  FolderState,
  MailDestination,
  MailSource,
  MessageMeta,
  SourceFolderReader,
} from '../../src/connectors/contract.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';

export interface MemMessage {
  uid: number;
  raw: Buffer;
  flags: string[];
  internalDate: Date;
  /** The source cannot deliver its body (a corrupt file on a real server). */
  unreadable?: boolean;
}

/** One mailbox: folders by '/'-joined path. */
export class MemMailbox {
  folders = new Map<string, { uidValidity: string; uidNext: number; messages: MemMessage[] }>();
  /** As a destination: folders it refuses to create ('/'-joined paths). */
  refuseFolders = new Set<string>();
  /** As a destination: how long the answer to a write takes after the messages are stored. */
  answerDelayMs = 0;

  add(path: string, raw: Buffer, flags: string[] = []): void {
    const f = this.folders.get(path) ?? { uidValidity: '1', uidNext: 1, messages: [] };
    f.messages.push({ uid: f.uidNext++, raw, flags, internalDate: new Date('2024-01-01T00:00:00Z') });
    this.folders.set(path, f);
  }
}

function meta(m: MemMessage): MessageMeta {
  const head = m.raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  const id = /^message-id:\s*<([^>]*)>/im.exec(head)?.[1];
  const date = /^date:\s*(.*)$/im.exec(head)?.[1]?.trim();
  return {
    uid: m.uid,
    size: m.raw.length,
    internalDate: m.internalDate,
    flags: [...m.flags],
    messageId: id,
    dateHeader: date,
    headerHash: id ? undefined : createHash('sha256').update(head).digest('hex'),
  };
}

function state(f: { uidValidity: string; uidNext: number; messages: MemMessage[] }): FolderState {
  return { uidValidity: f.uidValidity, uidNext: f.uidNext, messages: f.messages.length };
}

/**
 * Faults to inject into the destination's appends, by call number. `before` fails the write (nothing
 * stored); `after` stores the messages and then fails, as when a connection drops after the server
 * committed but before its answer arrived.
 */
export type Fault =
  ((callNo: number) => { error: Error; when?: 'before' | 'after' } | Error | undefined) | undefined;

export function memoryConnector(
  source: MemMailbox,
  dest: MemMailbox,
  fault?: Fault,
): Connector & { appendCalls: number } {
  const c = {
    kind: 'memory',
    appendCalls: 0,
    async openSource(): Promise<MailSource> {
      return {
        capabilities: { supportsCondstore: false },
        listFolders: async () =>
          [...source.folders.keys()].map((p) => ({ path: p.split('/'), selectable: true })),
        folderState: async (path) => state(source.folders.get(path.join('/'))!),
        openFolder: async (path): Promise<SourceFolderReader> => {
          const f = source.folders.get(path.join('/'))!;
          return {
            state: state(f),
            listUids: async () => f.messages.map((m) => m.uid),
            async *listMessages(opts) {
              const want = opts.uids ? new Set(opts.uids) : undefined;
              yield f.messages.filter((m) => !want || want.has(m.uid)).map(meta);
            },
            async *streamBodies(uids) {
              for (const m of f.messages)
                if (uids.includes(m.uid))
                  yield m.unreadable
                    ? {
                        uid: m.uid,
                        unreadable: 'the source server would not read it: [SERVERBUG] broken file',
                      }
                    : { uid: m.uid, size: m.raw.length, body: Readable.from([m.raw]) };
            },
            close: async () => undefined,
          };
        },
        close: async () => undefined,
      };
    },
    async openDestination(): Promise<MailDestination> {
      return {
        capabilities: { maxBatchMessages: 10, delimiter: '/', supportsKeywords: true, reservedNames: [] },
        listFolders: async () =>
          [...dest.folders.keys()].map((p) => ({ path: p.split('/'), selectable: true })),
        ensureFolder: async (path) => {
          if (dest.refuseFolders.has(path.join('/')))
            throw new PermanentError(
              ErrorCode.FolderCreateFailed,
              `CREATE "${path.join('/')}" refused: [CANNOT] reserved`,
            );
          if (!dest.folders.has(path.join('/')))
            dest.folders.set(path.join('/'), { uidValidity: '7', uidNext: 1, messages: [] });
          return { path };
        },
        folderState: async (path) => {
          const f = dest.folders.get(path.join('/'));
          return f ? state(f) : null;
        },
        async *listMessages(path) {
          yield (dest.folders.get(path.join('/'))?.messages ?? []).map(meta);
        },
        append: async (
          path,
          items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
        ): Promise<AppendResult[]> => {
          const call = ++c.appendCalls;
          const got: MemMessage[] = [];
          for await (const it of items) {
            const chunks: Buffer[] = [];
            if (Buffer.isBuffer(it.body)) chunks.push(it.body);
            else for await (const ch of it.body as AsyncIterable<Buffer>) chunks.push(ch);
            got.push({ uid: 0, raw: Buffer.concat(chunks), flags: it.flags, internalDate: it.internalDate });
          }
          const injected = fault?.(call);
          const err = injected instanceof Error ? { error: injected, when: 'before' } : injected;
          if (err && err.when !== 'after') throw err.error;
          const f = dest.folders.get(path.join('/'))!;
          const results = got.map((m) => {
            f.messages.push({ ...m, uid: f.uidNext });
            return { uid: f.uidNext++, uidValidity: f.uidValidity };
          });
          if (dest.answerDelayMs) await new Promise((r) => setTimeout(r, dest.answerDelayMs));
          if (err) throw err.error;
          return results;
        },
        setFlags: async (path, uids, flags) => {
          for (const m of dest.folders.get(path.join('/'))!.messages)
            if (uids.includes(m.uid)) m.flags = flags;
        },
        close: async () => undefined,
      };
    },
    async testLogin() {
      return { capabilities: [] };
    },
  };
  return c;
}
