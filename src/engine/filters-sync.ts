/**
 * The filters pass of one mailbox (item type `filters`): Sieve scripts, rules, the vacation reply and
 * signatures, from the source's filters endpoint to the destination's (src/connectors/filters-contract.ts).
 *
 * - Both sides keep scripts (ManageSieve): every script is copied byte for byte, except the folder names it
 *   files into, which follow this migration's folder mapping (the folders the mail pass recorded); a script
 *   already there identically is left alone (a rerun writes nothing); the source's active script is made
 *   active where the destination has none active. A destination script of the same name that Cutover did
 *   not write is never overwritten.
 * - Otherwise the rules go through the neutral form: what either side cannot express is skipped with the
 *   reason and the original text, never written half-translated.
 *
 * Every item ends in the item ledger as copied (written and read back), present, skipped or failed with the
 * destination's words. A failure of the filters never fails the mail of the mailbox; it is recorded instead.
 */
import { createHash } from 'node:crypto';
import type { AuthSpec, ServerSpec } from '../config/types.js';
import type { Connector } from '../connectors/contract.js';
import type {
  FilterEndpoint,
  FilterSet,
  FilterWriteResult,
  RuleAction,
} from '../connectors/filters-contract.js';
import { AbortError, TransientError, asCutoverError, throwIfAborted } from '../errors.js';
import type { ItemEntry, ItemLedgerRepo, ItemStatus } from '../store/item-ledger-repo.js';
import type { LedgerRepo } from '../store/ledger-repo.js';
import type { ProgressSink } from './progress.js';
import { withRetries } from './connect-retries.js';
import { openFiltersOf } from './item-endpoints.js';

/** Counts of a filters pass. */
export interface FilterCounts {
  copied: number;
  present: number;
  skipped: number;
  failed: number;
}

/** What the filters pass needs from the engine. */
export interface FiltersDeps {
  ledger: LedgerRepo;
  items: ItemLedgerRepo;
  progress: ProgressSink;
}

/** One side of the pass (as the mail pass's Endpoint). */
interface Endpoint {
  connector: Connector;
  server: ServerSpec;
  auth: AuthSpec;
}

/** One mailbox's filters pass. */
export interface FiltersJob {
  mailboxId: number;
  source: Endpoint;
  dest: Endpoint;
  dryRun: boolean;
}

const ITEM = 'filters';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const ACTIVATION = '(active script)';

/** Run the filters pass; never throws except when aborted (a failure is recorded as a failed item). */
export async function syncFilters(
  job: FiltersJob,
  deps: FiltersDeps,
  passId: number,
  signal?: AbortSignal,
): Promise<FilterCounts> {
  let src: FilterEndpoint | undefined;
  let dst: FilterEndpoint | undefined;
  try {
    [src, dst] = await Promise.all([
      withRetries(() => openFiltersOf(job.source, 'source', signal), signal),
      withRetries(() => openFiltersOf(job.dest, 'destination', signal), signal),
    ]);
    const folderMap = await folderMapOf(deps.ledger, job.mailboxId);
    // A throttled or dropped transfer is tried again whole: it compares before it writes, so what the
    // earlier try wrote is found there.
    const [from, to] = [src, dst];
    const entries = await withRetries(
      () =>
        from.capabilities.scripts && to.capabilities.scripts
          ? copyScripts(from, to, folderMap, job, deps, passId, signal)
          : copyRules(from, to, folderMap, job, passId, signal),
      signal,
    );
    if (!job.dryRun) await deps.items.replaceType(job.mailboxId, ITEM, entries);
    const counts = countOf(entries);
    if (counts.failed)
      deps.progress.note(job.mailboxId, 'warn', `${counts.failed} filter item(s) failed; see the report.`);
    return counts;
  } catch (err) {
    if (signal?.aborted) throw new AbortError('Stopped by the user; rerun to resume.');
    const e = asCutoverError(err);
    deps.progress.note(job.mailboxId, 'error', `Filters: ${e.describe()}`);
    if (!job.dryRun)
      await deps.items.record(job.mailboxId, [
        entry('(filters)', 'filters', 'failed', passId, { reason: e.describe() }),
      ]);
    return { copied: 0, present: 0, skipped: 0, failed: 1 };
  } finally {
    await Promise.allSettled([src?.close(), dst?.close()]);
  }
}

/** Source folder path → where the mail pass put it at the destination (as the folders table says). */
async function folderMapOf(ledger: LedgerRepo, mailboxId: number): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (const f of await ledger.listFolders(mailboxId))
    if (f.destPath) map.set(f.folderKey, JSON.parse(f.destPath) as string[]);
  return map;
}

const mapped = (map: Map<string, string[]>, path: string[]) => map.get(JSON.stringify(path)) ?? path;

/** Script systems on both sides: copy each script (folder names mapped), then the active one. */
async function copyScripts(
  src: FilterEndpoint,
  dst: FilterEndpoint,
  folderMap: Map<string, string[]>,
  job: FiltersJob,
  deps: FiltersDeps,
  passId: number,
  signal?: AbortSignal,
): Promise<ItemEntry[]> {
  const srcList = await src.listScripts!(signal);
  let dstList = await dst.listScripts!(signal);
  // What Cutover wrote last time: a destination script still holding it is ours to update.
  const ours = new Map(
    (await deps.items.list(job.mailboxId, ITEM)).filter((e) => e.kind === 'script').map((e) => [e.key, e]),
  );
  const entries: ItemEntry[] = [];
  const settled = new Set<string>();
  for (const s of srcList) {
    throwIfAborted(signal);
    const raw = await src.readScript!(s.name, signal);
    const base = { sourceHash: sha(raw) };
    const { content, renamed } =
      src.rewriteFolders && dst.folderName
        ? src.rewriteFolders(raw, (p) => dst.folderName!(mapped(folderMap, p)))
        : { content: raw, renamed: 0 };
    const note = renamed ? `${renamed} folder name(s) in fileinto follow the folder mapping` : null;
    const there = dstList.find((d) => d.name === s.name);
    const current = there ? await dst.readScript!(s.name, signal) : undefined;
    if (current && current.equals(content)) {
      entries.push(
        entry(s.name, 'script', 'present', passId, { ...base, destHash: sha(current), reason: note }),
      );
      settled.add(s.name);
      continue;
    }
    if (current && ours.get(s.name)?.destHash !== sha(current)) {
      entries.push(
        entry(s.name, 'script', 'failed', passId, {
          ...base,
          reason: `the destination already has a different script named '${s.name}' that Cutover did not write; rename or remove it there (or merge the two by hand), then rerun`,
        }),
      );
      continue;
    }
    if (job.dryRun) {
      entries.push(entry(s.name, 'script', 'copied', passId, { ...base, reason: note }));
      continue;
    }
    try {
      await dst.putScript!(s.name, content, signal);
      const back = await dst.readScript!(s.name, signal);
      if (back.equals(content)) {
        entries.push(
          entry(s.name, 'script', 'copied', passId, { ...base, destHash: sha(back), reason: note }),
        );
        settled.add(s.name);
      } else
        entries.push(
          entry(s.name, 'script', 'failed', passId, {
            ...base,
            destHash: sha(back),
            reason: `read back, the destination's script differs from what was written (${back.length} bytes, ${content.length} written)`,
          }),
        );
    } catch (err) {
      // A dropped connection or throttling: the whole transfer is tried again (withRetries above).
      if (signal?.aborted || err instanceof TransientError) throw err;
      entries.push(
        entry(s.name, 'script', 'failed', passId, { ...base, reason: asCutoverError(err).describe() }),
      );
    }
  }
  const active = srcList.find((s) => s.active);
  if (active && settled.has(active.name)) {
    if (!job.dryRun) dstList = await dst.listScripts!(signal);
    const dstActive = dstList.find((d) => d.active);
    if (dstActive?.name === active.name)
      entries.push(entry(ACTIVATION, 'activation', 'present', passId, { reason: null }));
    else if (dstActive)
      entries.push(
        entry(ACTIVATION, 'activation', 'skipped', passId, {
          reason: `'${active.name}' is not made active: the destination's active script is '${dstActive.name}', which Cutover leaves alone; activate '${active.name}' there (or merge the two) by hand`,
        }),
      );
    else {
      if (!job.dryRun) await dst.activateScript!(active.name, signal);
      const now = job.dryRun ? [] : await dst.listScripts!(signal);
      entries.push(
        job.dryRun || now.find((d) => d.active)?.name === active.name
          ? entry(ACTIVATION, 'activation', 'copied', passId, { reason: null })
          : entry(ACTIVATION, 'activation', 'failed', passId, {
              reason: `'${active.name}' was made active but the destination does not show it active`,
            }),
      );
    }
  }
  return entries;
}

/** Through the neutral form: rules, vacation reply, signatures. */
async function copyRules(
  src: FilterEndpoint,
  dst: FilterEndpoint,
  folderMap: Map<string, string[]>,
  job: FiltersJob,
  passId: number,
  signal?: AbortSignal,
): Promise<ItemEntry[]> {
  const set = await src.readRules(signal);
  const entries: ItemEntry[] = set.untranslated.map((u) =>
    entry(u.name, kindOf(u.name), 'skipped', passId, {
      sourceHash: sha(u.original),
      reason: u.reason,
      original: u.original,
    }),
  );
  const out: FilterSet = {
    ...set,
    rules: set.rules.map((r) => ({ ...r, actions: r.actions.map((a) => mapAction(a, folderMap)) })),
    untranslated: [],
  };
  if (set.signatures?.length && !dst.capabilities.signatures) {
    for (const s of set.signatures)
      entries.push(
        entry(`signature of ${s.address}`, 'signature', 'skipped', passId, {
          sourceHash: sha(s.html),
          reason: `the destination cannot take signatures${dst.capabilities.signaturesNote ? ` (${dst.capabilities.signaturesNote})` : ''}; set it there by hand`,
          original: s.html,
        }),
      );
    delete out.signatures;
  }
  const originals = originalsOf(out);
  if (job.dryRun) {
    for (const [name, original] of originals)
      entries.push(entry(name, kindOf(name), 'copied', passId, { sourceHash: sha(original) }));
    return entries;
  }
  const results = await dst.writeRules(out, signal);
  const back = await dst.readRules(signal);
  const seen = new Set([
    ...back.rules.map((r) => r.name),
    ...(back.vacation ? ['vacation reply'] : []),
    ...(back.signatures ?? []).map((s) => `signature of ${s.address}`),
  ]);
  for (const r of results) entries.push(resultEntry(r, originals.get(r.name), seen, passId));
  return entries;
}

function resultEntry(
  r: FilterWriteResult,
  original: string | undefined,
  seen: Set<string>,
  passId: number,
): ItemEntry {
  const base = { sourceHash: original === undefined ? null : sha(original), original: original ?? null };
  const status: ItemStatus =
    r.outcome === 'written'
      ? 'copied'
      : r.outcome === 'unchanged'
        ? 'present'
        : r.outcome === 'refused'
          ? 'failed'
          : 'skipped';
  if ((status === 'copied' || status === 'present') && !seen.has(r.name))
    return entry(r.name, kindOf(r.name), 'failed', passId, {
      ...base,
      reason: 'written, but not found when the destination was read back',
    });
  return entry(r.name, kindOf(r.name), status, passId, {
    ...base,
    destHash: r.written === undefined ? null : sha(r.written),
    reason:
      r.outcome === 'untranslated'
        ? `the destination cannot express it: ${r.detail ?? 'no reason given'}`
        : r.outcome === 'refused'
          ? `the destination refused it: ${r.detail ?? 'no reason given'}`
          : null,
    original: status === 'copied' || status === 'present' ? null : (original ?? null),
  });
}

/** Each rule's, the vacation reply's and each signature's original text, by the name results use. */
function originalsOf(set: FilterSet): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of set.rules) m.set(r.name, r.original);
  if (set.vacation) m.set('vacation reply', set.vacation.original);
  for (const s of set.signatures ?? []) m.set(`signature of ${s.address}`, s.html);
  return m;
}

function mapAction(a: RuleAction, folderMap: Map<string, string[]>): RuleAction {
  return a.kind === 'move' || a.kind === 'copy' ? { ...a, folder: mapped(folderMap, a.folder) } : a;
}

function kindOf(name: string): string {
  if (name === 'vacation reply') return 'vacation';
  if (name.startsWith('signature of ')) return 'signature';
  return 'rule';
}

function entry(
  key: string,
  kind: string,
  status: ItemStatus,
  passId: number,
  more: {
    sourceHash?: string | null;
    destHash?: string | null;
    reason?: string | null;
    original?: string | null;
  },
): ItemEntry {
  return {
    itemType: ITEM,
    collection: '',
    key,
    kind,
    sourceHash: more.sourceHash ?? null,
    destHash: more.destHash ?? null,
    status,
    reason: more.reason ?? null,
    original: more.original ?? null,
    passId,
  };
}

function countOf(entries: ItemEntry[]): FilterCounts {
  const c: FilterCounts = { copied: 0, present: 0, skipped: 0, failed: 0 };
  for (const e of entries) c[e.status]++;
  return c;
}
