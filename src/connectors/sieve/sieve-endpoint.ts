/**
 * A mailbox's filters on a ManageSieve server (FilterEndpoint with scripts): scripts listed, read, stored
 * and activated as they are; rules read from the active script (inactive ones are reported, not read) and
 * written as one generated script, `cutover-migrated`. That script is activated only when the mailbox has
 * no active script: one the user already has is never replaced, and the results say to activate or merge.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  FilterCapabilities,
  FilterEndpoint,
  FilterSet,
  FilterWriteResult,
} from '../filters-contract.js';
import type { ManageSieveClient } from './managesieve-client.js';
import { rulesToSieve } from './rules-to-sieve.js';
import { mailboxName, rewriteFolders, type SieveNaming } from './sieve-folders.js';
import { sieveToRules } from './sieve-to-rules.js';

/** The script writeRules stores. */
export const MIGRATED_SCRIPT = 'cutover-migrated';

/** The codes of a script the server refused (sieve-errors.ts scriptRefused), as opposed to a failed connection. */
const REFUSALS = new Set<string>([
  ErrorCode.MessageRejected,
  ErrorCode.QuotaExceeded,
  ErrorCode.MessageTooLarge,
]);

export class SieveEndpoint implements FilterEndpoint {
  readonly capabilities: FilterCapabilities;

  constructor(
    private readonly client: ManageSieveClient,
    private readonly naming: SieveNaming,
  ) {
    const ext = client.capabilities.sieve;
    this.capabilities = {
      scripts: true,
      sieveExtensions: ext,
      vacation: ext.includes('vacation'),
      signatures: false,
      signaturesNote:
        'a ManageSieve server keeps filters only; signatures live in the mail client or webmail',
    };
  }

  listScripts(signal?: AbortSignal): Promise<Array<{ name: string; active: boolean }>> {
    return this.client.listScripts(signal);
  }

  readScript(name: string, signal?: AbortSignal): Promise<Buffer> {
    return this.client.getScript(name, signal);
  }

  /** Stores the script; a refusal throws a PermanentError with the server's words (sieve-errors.ts scriptRefused). */
  async putScript(name: string, content: Buffer, signal?: AbortSignal): Promise<void> {
    await this.client.putScript(name, content, signal);
  }

  activateScript(name: string | null, signal?: AbortSignal): Promise<void> {
    return this.client.setActive(name, signal);
  }

  async readRules(signal?: AbortSignal): Promise<FilterSet> {
    const scripts = await this.client.listScripts(signal);
    const active = scripts.find((s) => s.active);
    const set: FilterSet = active
      ? sieveToRules(await this.client.getScript(active.name, signal), this.naming, active.name)
      : { rules: [], untranslated: [] };
    for (const s of scripts.filter((x) => !x.active))
      set.untranslated.push({
        name: s.name,
        reason: 'not active at the source',
        original: (await this.client.getScript(s.name, signal)).toString('utf8'),
      });
    return set;
  }

  async writeRules(set: FilterSet, signal?: AbortSignal): Promise<FilterWriteResult[]> {
    const { content, results } = rulesToSieve(set, this.naming, this.capabilities.sieveExtensions);
    const signatures: FilterWriteResult[] = (set.signatures ?? []).map((s) => ({
      name: `signature of ${s.address}`,
      outcome: 'untranslated',
      detail: `ManageSieve cannot hold it: ${this.capabilities.signaturesNote}`,
    }));
    const written = results.filter((r) => r.outcome === 'written');
    if (written.length === 0) return [...results, ...signatures];
    const scripts = await this.client.listScripts(signal);
    const stored = scripts.some((s) => s.name === MIGRATED_SCRIPT)
      ? await this.client.getScript(MIGRATED_SCRIPT, signal)
      : undefined;
    if (stored?.equals(content)) {
      for (const r of written) r.outcome = 'unchanged';
    } else {
      try {
        await this.client.putScript(MIGRATED_SCRIPT, content, signal);
      } catch (err) {
        if (!(err instanceof PermanentError) || !REFUSALS.has(err.code)) throw err;
        for (const r of written) Object.assign(r, { outcome: 'refused', detail: err.message });
        return [...results, ...signatures];
      }
    }
    const active = scripts.find((s) => s.active);
    if (!active) await this.client.setActive(MIGRATED_SCRIPT, signal);
    else if (active.name !== MIGRATED_SCRIPT)
      for (const r of written)
        r.detail = `stored in script '${MIGRATED_SCRIPT}' but not active: the mailbox's active script is '${active.name}', which Cutover does not replace — activate '${MIGRATED_SCRIPT}' or merge its rules into '${active.name}'`;
    return [...results, ...signatures];
  }

  rewriteFolders(
    content: Buffer,
    rename: (path: string[]) => string | undefined,
  ): { content: Buffer; renamed: number } {
    return rewriteFolders(content, this.naming.delimiter, rename, this.naming.prefix);
  }

  folderName(path: string[]): string {
    return mailboxName(path, this.naming);
  }

  close(): Promise<void> {
    return this.client.logout();
  }
}
