/**
 * Reading a mailbox's contacts, calendars and tasks back from the destination (`cutover verify`): every item
 * the item ledger says was copied or already present must be in its destination collection, with the
 * version (ETag) Cutover wrote — another version means it changed there since. Findings come as one
 * pseudo-folder per item type ("contacts", "calendars", "tasks") beside the mail folders.
 */
import type { AuthSpec, ServerSpec } from '../config/types.js';
import type { Connector } from '../connectors/contract.js';
import { connectorFor } from '../connectors/registry.js';
import type { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import type { GroupwareType } from './groupware-sync.js';
import type { FolderFindings } from './verify-match.js';

interface Endpoint {
  connector: Connector;
  server: ServerSpec;
  auth: AuthSpec;
}

const BATCH = 100;

/** What reading the destination's items back found, per item type that has copied items. */
export async function verifyGroupware(
  mailboxId: number,
  types: GroupwareType[],
  dest: Endpoint,
  items: ItemLedgerRepo,
  signal?: AbortSignal,
): Promise<FolderFindings[]> {
  const out: FolderFindings[] = [];
  const beside = dest.server.groupware;
  const connector = beside ? connectorFor(beside.kind) : dest.connector;
  if (!connector.openGroupware) return out;
  const dst = await connector.openGroupware(beside ?? dest.server, dest.auth, signal);
  try {
    for (const type of types) {
      const rows = await items.list(mailboxId, type);
      const collections = new Map(
        rows.filter((r) => r.collection === '' && r.destRef).map((r) => [r.key, r.destRef!]),
      );
      const copied = rows.filter(
        (r) => r.collection !== '' && r.destRef && (r.status === 'copied' || r.status === 'present'),
      );
      if (!copied.length) continue;
      const f: FolderFindings = {
        source: type,
        destination: type,
        checked: 0,
        missing: [],
        flagsDiffer: [],
        extra: [],
        altered: [],
      };
      const byCollection = new Map<string, typeof copied>();
      for (const r of copied) byCollection.set(r.collection, [...(byCollection.get(r.collection) ?? []), r]);
      for (const [source, list] of byCollection) {
        const target = collections.get(source);
        for (let i = 0; i < list.length; i += BATCH) {
          const part = list.slice(i, i + BATCH);
          const found = new Map<string, string>();
          if (target)
            for await (const it of dst.readItems(
              target,
              part.map((r) => r.destRef!),
              signal,
            ))
              found.set(it.key, it.etag);
          for (const r of part) {
            f.checked++;
            const item = { sourceUid: null, destUid: null, messageId: null, item: `${r.kind} ${r.key}` };
            const etag = found.get(r.destRef!);
            if (etag === undefined) f.missing.push({ ...item, cause: 'lost' });
            else if (r.destHash && etag !== r.destHash)
              f.altered.push({
                ...item,
                reason: 'changed at the destination since Cutover wrote it (another version there)',
              });
          }
        }
      }
      out.push(f);
    }
    return out;
  } finally {
    await dst.close().catch(() => undefined);
  }
}
