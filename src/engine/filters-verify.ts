/**
 * Reading a mailbox's filters back from the destination (`cutover verify`): every script, rule, vacation
 * reply and signature the item ledger says was copied or already present must be there, and a script must
 * hold exactly the bytes Cutover wrote (its SHA-256 in the ledger). Findings come as one pseudo-folder,
 * "filters", beside the mail folders; a finding is fixed by the next pass, which compares every item again.
 */
import { createHash } from 'node:crypto';
import type { AuthSpec, ServerSpec } from '../config/types.js';
import type { Connector } from '../connectors/contract.js';
import type { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import type { FolderFindings } from './verify-match.js';

/** The destination side, as the mail verification's Endpoint. */
interface Endpoint {
  connector: Connector;
  server: ServerSpec;
  auth: AuthSpec;
}

const FILTERS = 'filters';
const item = (kind: string, name: string) => ({
  sourceUid: null,
  destUid: null,
  messageId: null,
  item: `${kind} '${name}'`,
});

/** What reading the destination's filters back found; undefined when no filter item was copied. */
export async function verifyFilters(
  mailboxId: number,
  dest: Endpoint,
  items: ItemLedgerRepo,
  signal?: AbortSignal,
): Promise<FolderFindings | undefined> {
  const entries = (await items.list(mailboxId, FILTERS)).filter(
    (e) => (e.status === 'copied' || e.status === 'present') && e.kind !== 'activation',
  );
  if (!entries.length) return undefined;
  const f: FolderFindings = {
    source: FILTERS,
    destination: FILTERS,
    checked: 0,
    missing: [],
    flagsDiffer: [],
    extra: [],
    altered: [],
  };
  if (!dest.connector.openFilters) return { ...f, error: 'the destination has no filters to read back' };
  const dst = await dest.connector.openFilters(dest.server, dest.auth, signal);
  try {
    const scripts = entries.filter((e) => e.kind === 'script');
    if (scripts.length) {
      const there = new Set((await dst.listScripts!(signal)).map((s) => s.name));
      for (const e of scripts) {
        f.checked++;
        if (!there.has(e.key)) {
          f.missing.push({ ...item('script', e.key), cause: 'lost' });
          continue;
        }
        const sha = createHash('sha256')
          .update(await dst.readScript!(e.key, signal))
          .digest('hex');
        if (e.destHash && sha !== e.destHash)
          f.altered.push({
            ...item('script', e.key),
            reason:
              'the script at the destination is not what Cutover wrote (changed there since?); the next pass reports it',
          });
      }
    }
    const others = entries.filter((e) => e.kind !== 'script');
    if (others.length) {
      const back = await dst.readRules(signal);
      const names = new Set([
        ...back.rules.map((r) => r.name),
        ...(back.vacation ? ['vacation reply'] : []),
        ...(back.signatures ?? []).map((s) => `signature of ${s.address}`),
      ]);
      for (const e of others) {
        f.checked++;
        if (!names.has(e.key)) f.missing.push({ ...item(e.kind, e.key), cause: 'lost' });
      }
    }
    return f;
  } finally {
    await dst.close().catch(() => undefined);
  }
}
