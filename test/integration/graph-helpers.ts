/**
 * Projects between a real Dovecot and the LOCAL EMULATOR of Microsoft Graph (test code; the real service
 * cannot be reached from here), and read-backs of what the emulator holds.
 */
import type { ProjectConfig } from '../../src/config/types.js';
import type { ProgressSink } from '../../src/engine/progress.js';
import type { EmMessage } from '../emulators/graph/emulator-store.js';
import type { GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { emulatorServer } from '../emulators/graph/graph-project.js';
import type { DovecotServer } from '../harness/dovecot.js';
import { oneOff } from './helpers.js';

/** Dovecot user → Microsoft 365 mailbox (app-only), one mailbox. */
export function imapToGraph(
  src: DovecotServer,
  user: string,
  password: string,
  emu: GraphEmulator,
  upn: string,
): ProjectConfig {
  const p = oneOff(src, user, password, src, user, password);
  return {
    ...p,
    destination: emulatorServer(emu),
    mailboxes: p.mailboxes.map((m) => ({ ...m, destUser: upn, destAuth: undefined })),
  };
}

/** Microsoft 365 mailbox (app-only) → Dovecot user, one mailbox. */
export function graphToImap(
  emu: GraphEmulator,
  upn: string,
  dst: DovecotServer,
  user: string,
  password: string,
): ProjectConfig {
  const p = oneOff(dst, user, password, dst, user, password);
  return {
    ...p,
    source: emulatorServer(emu),
    mailboxes: p.mailboxes.map((m) => ({ ...m, sourceUser: upn, sourceAuth: undefined })),
  };
}

/** Every message of a mailbox by folder display-name path ('/'-joined). */
export function emulatedFolders(emu: GraphEmulator, upn: string): Map<string, EmMessage[]> {
  const user = emu.store.user(upn)!;
  const out = new Map<string, EmMessage[]>();
  const walk = (id: string, prefix: string[]) => {
    for (const f of emu.store.children(user, id)) {
      const path = [...prefix, f.displayName];
      out.set(path.join('/'), emu.store.messagesIn(user, f.id));
      walk(f.id, path);
    }
  };
  walk(emu.store.root(user).id, []);
  return out;
}

/** A progress sink that starts a throttling storm (`count` answers of 429, Retry-After 1 s) after `after` items. */
export function stormAfter(
  emu: GraphEmulator,
  after: number,
  count: number,
): ProgressSink & { fired: boolean } {
  let seen = 0;
  const sink = {
    fired: false,
    planned: () => undefined,
    advanced: (_id: number, n: number) => {
      seen += n;
      if (!sink.fired && seen >= after) {
        sink.fired = true;
        emu.throttleNext(count, 1);
      }
    },
    note: () => undefined,
    finished: () => undefined,
  };
  return sink;
}
