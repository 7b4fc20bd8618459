/**
 * Test support: a connector kind `synthetic-slow`, the scale benchmark's synthetic source and null
 * destination (bench/scale/) with every message body held back `delayMs`, so a mailbox keeps running for
 * seconds (long enough to be paused, or to be counted in a run's window). It counts the bodies it hands
 * out, so a test can see that reading stopped. Added to this process's registry with `addKind`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthSpec } from '../../src/config/types.js';
import type {
  ConnectionReport,
  Connector,
  ListOptions,
  MailDestination,
  MailSource,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../../src/connectors/contract.js';
import { addKind } from '../../src/connectors/registry.js';
import { NullDestination } from '../../bench/scale/null-destination.js';
import type { SyntheticShape } from '../../bench/scale/synthetic-messages.js';
import { SyntheticSource } from '../../bench/scale/synthetic-source.js';

export const SLOW_KIND = 'synthetic-slow';

/** Bodies handed out so far, over every mailbox. */
export const streamed = { bodies: 0 };

class SlowFolder implements SourceFolderReader {
  constructor(
    private readonly inner: SourceFolderReader,
    private readonly delayMs: number,
  ) {}
  get state() {
    return this.inner.state;
  }
  listUids(): Promise<number[]> {
    return this.inner.listUids();
  }
  listMessages(opts: ListOptions): AsyncIterable<MessageMeta[]> {
    return this.inner.listMessages(opts);
  }
  async *streamBodies(uids: number[]): AsyncIterable<StreamedMessage> {
    for await (const m of this.inner.streamBodies(uids)) {
      await sleep(this.delayMs);
      streamed.bodies++;
      yield m;
    }
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

class SlowSource implements MailSource {
  readonly capabilities;
  constructor(
    private readonly inner: SyntheticSource,
    private readonly delayMs: number,
  ) {
    this.capabilities = inner.capabilities;
  }
  listFolders() {
    return this.inner.listFolders();
  }
  folderState(path: string[]) {
    return this.inner.folderState(path);
  }
  async openFolder(path: string[]): Promise<SourceFolderReader> {
    return new SlowFolder(await this.inner.openFolder(path), this.delayMs);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

class SlowConnector implements Connector {
  readonly kind = SLOW_KIND;
  constructor(
    private readonly shape: SyntheticShape,
    private readonly delayMs: number,
  ) {}
  async openSource(_server: unknown, auth: AuthSpec): Promise<MailSource> {
    return new SlowSource(new SyntheticSource(this.shape, auth.user), this.delayMs);
  }
  async openDestination(_server: unknown, auth: AuthSpec): Promise<MailDestination> {
    return new NullDestination(auth.user);
  }
  async testLogin(): Promise<ConnectionReport> {
    return { capabilities: ['CONDSTORE', 'UIDPLUS'], delimiter: '/', folders: this.shape.folders };
  }
}

/** Make `kind: synthetic-slow` known in this process; returns its removal. */
export function registerSlowSynthetic(shape: SyntheticShape, delayMs: number): () => void {
  const connector = new SlowConnector(shape, delayMs);
  return addKind({
    kind: SLOW_KIND,
    label: 'Slow synthetic mailboxes (tests)',
    name: 'synthetic-slow',
    roles: ['source', 'destination'],
    urlSchemes: {},
    defaultPort: () => 0,
    discovery: false,
    create: () => connector,
  });
}
