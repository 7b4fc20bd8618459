/**
 * A Gmail mailbox's filters endpoint (filters-contract.ts): filters (users.settings.filters), the vacation
 * responder and send-as signatures. Every call goes through GmailApi, so the user's quota pacing applies;
 * the writes ask for the gmail.settings.basic scope, the only one Google accepts for them.
 *
 * Writing never deletes a filter. Gmail filters cannot be updated and carry no name, so a filter that is
 * already there identically is `unchanged` and any other is created — a changed rule leaves its older
 * filter in place, which the report shows under its own name on the next read. Labels a filter applies are
 * made when missing with the mail path's own label code (GmailDestination.ensureFolder), so a filter files
 * into the label its folder's mail went to. A forward to an address Gmail has not verified is refused by
 * Gmail; the result carries its words. Signatures go to send-as addresses that exist, and only the
 * signature is changed.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  FilterCapabilities,
  FilterEndpoint,
  FilterSet,
  FilterWriteResult,
  Signature,
  Untranslated,
  VacationReply,
} from '../filters-contract.js';
import type { GmailApi, GmailLabel } from './gmail-api.js';
import { SETTINGS_SCOPE } from './gmail-auth.js';
import { GmailDestination } from './gmail-destination.js';
import { filterName, readGmailFilter } from './gmail-filters-read.js';
import type { GmailFilter, GmailSendAs, GmailVacation } from './gmail-filters-types.js';
import { readVacation, sameVacation, writeVacation } from './gmail-filters-vacation.js';
import { writeGmailFilter } from './gmail-filters-write.js';

/** Gmail's refusal of one filter or setting (its words), as opposed to a failure of the whole mailbox. */
const isRefusal = (err: unknown): err is PermanentError =>
  err instanceof PermanentError &&
  (err.code === ErrorCode.MessageRejected || err.code === ErrorCode.FolderCreateFailed);

/** A filter's criteria and action in a canonical form (no empty members, sorted lists), for comparison. */
function filterKey(f: GmailFilter): string {
  const clean = (o: object | undefined): Array<[string, unknown]> =>
    Object.entries(o ?? {})
      .filter(([k, v]) => !isEmpty(v) && !(k === 'sizeComparison' && v === 'unspecified'))
      .map(([k, v]): [string, unknown] => [
        k,
        Array.isArray(v) ? (v as unknown[]).map(String).sort() : typeof v === 'string' ? v.toLowerCase() : v,
      ])
      .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([clean(f.criteria), clean(f.action)]);
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && !v.length);
/** A write refused for want of a scope, said with the scope Google requires for settings writes. */
function scopeHint(err: unknown): unknown {
  if (!(err instanceof PermanentError && err.code === ErrorCode.AuthFailed)) return err;
  return new PermanentError(
    ErrorCode.AuthFailed,
    err.message,
    `Writing filters, the vacation responder and signatures needs the scope ${SETTINGS_SCOPE}: add it to the service account's domain-wide delegation in the Admin console (a user's own login must have granted it).`,
    { cause: err },
  );
}

const squash = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/** Filters, vacation responder and signatures of one Gmail user (see the file comment). */
export class GmailFilters implements FilterEndpoint {
  readonly capabilities: FilterCapabilities = { scripts: false, vacation: true, signatures: true };
  private labels?: GmailLabel[];

  constructor(private readonly api: GmailApi) {}

  private async labelList(signal?: AbortSignal, fresh = false): Promise<GmailLabel[]> {
    if (!this.labels || fresh)
      this.labels =
        (await this.api.json<{ labels?: GmailLabel[] }>({ op: 'labels.list', path: '/labels' }, signal))
          .labels ?? [];
    return this.labels;
  }

  private async filters(signal?: AbortSignal): Promise<GmailFilter[]> {
    const { filter = [] } = await this.api.json<{ filter?: GmailFilter[] }>(
      { op: 'settings.filters.list', path: '/settings/filters' },
      signal,
    );
    return filter;
  }

  private vacation(signal?: AbortSignal): Promise<GmailVacation> {
    return this.api.json<GmailVacation>({ op: 'settings.getVacation', path: '/settings/vacation' }, signal);
  }

  private async sendAs(signal?: AbortSignal): Promise<GmailSendAs[]> {
    const { sendAs = [] } = await this.api.json<{ sendAs?: GmailSendAs[] }>(
      { op: 'settings.sendAs.list', path: '/settings/sendAs' },
      signal,
    );
    return sendAs;
  }

  async readRules(signal?: AbortSignal): Promise<FilterSet> {
    const filters = await this.filters(signal);
    const byId = new Map((filters.length ? await this.labelList(signal, true) : []).map((l) => [l.id, l]));
    const labelName = (id: string) => (byId.get(id)?.type === 'user' ? byId.get(id)!.name : undefined);
    const set: FilterSet = { rules: [], untranslated: [] };
    for (const f of filters) {
      const read = readGmailFilter(f, labelName);
      if ('rule' in read) set.rules.push(read.rule);
      else set.untranslated.push(untranslated(f, read.reason));
    }
    const vacation = readVacation(await this.vacation(signal));
    if (vacation) set.vacation = vacation;
    set.signatures = (await this.sendAs(signal))
      .filter((s) => s.signature)
      .map((s) => ({ address: s.sendAsEmail, html: s.signature!, isDefault: !!s.isDefault }));
    return set;
  }

  async writeRules(set: FilterSet, signal?: AbortSignal): Promise<FilterWriteResult[]> {
    try {
      return await this.write(set, signal);
    } catch (err) {
      throw scopeHint(err);
    }
  }

  private async write(set: FilterSet, signal?: AbortSignal): Promise<FilterWriteResult[]> {
    const results: FilterWriteResult[] = [];
    if (set.rules.length) {
      const have = new Set((await this.filters(signal)).map(filterKey));
      const labels = new GmailDestination(this.api);
      for (const rule of set.rules) {
        const name = rule.name;
        const w = writeGmailFilter(rule);
        if ('reason' in w) {
          results.push({ name, outcome: 'untranslated', detail: w.reason });
          continue;
        }
        try {
          const notes = [...w.notes];
          const ids: string[] = [];
          for (const path of w.labels) {
            const made = await labels.ensureFolder(path, signal);
            if (made.renamed) notes.push(made.renamed);
            ids.push(await this.labelId(made.path.join('/'), signal));
          }
          const filter: GmailFilter = {
            criteria: w.criteria,
            action: {
              addLabelIds: [...new Set([...ids, ...w.addSystem])],
              removeLabelIds: w.remove,
              ...(w.forward ? { forward: w.forward } : {}),
            },
          };
          const detail = notes.length ? { detail: notes.join('; ') } : {};
          if (have.has(filterKey(filter))) {
            results.push({ name, outcome: 'unchanged', written: JSON.stringify(filter), ...detail });
            continue;
          }
          const made = await this.api.json<GmailFilter>(
            { op: 'settings.filters.create', path: '/settings/filters', json: filter, scope: SETTINGS_SCOPE },
            signal,
          );
          have.add(filterKey(made));
          results.push({ name, outcome: 'written', written: JSON.stringify(made), ...detail });
        } catch (err) {
          if (!isRefusal(err)) throw err;
          results.push({ name, outcome: 'refused', detail: err.message });
        }
      }
    }
    if (set.vacation) results.push(await this.writeVacation(set.vacation, signal));
    if (set.signatures?.length) results.push(...(await this.writeSignatures(set.signatures, signal)));
    return results;
  }

  /** The id of a user label by its full name (made just before, or by another connection meanwhile). */
  private async labelId(name: string, signal?: AbortSignal): Promise<string> {
    const find = (list: GmailLabel[]) =>
      list.find((l) => l.type !== 'system' && l.name.toLowerCase() === name.toLowerCase());
    const found = find(await this.labelList(signal)) ?? find(await this.labelList(signal, true));
    if (found) return found.id;
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `${this.api.where}: the label "${name}" is not there after it was made.`,
      'Run again; if it persists, map the folder to another name.',
    );
  }

  private async writeVacation(v: VacationReply, signal?: AbortSignal): Promise<FilterWriteResult> {
    const name = 'vacation reply';
    const { settings, notes } = writeVacation(v);
    const detail = notes.length ? { detail: notes.join('; ') } : {};
    try {
      if (sameVacation(await this.vacation(signal), settings))
        return { name, outcome: 'unchanged', written: JSON.stringify(settings), ...detail };
      const made = await this.api.json<GmailVacation>(
        {
          op: 'settings.updateVacation',
          method: 'PUT',
          path: '/settings/vacation',
          json: settings,
          scope: SETTINGS_SCOPE,
        },
        signal,
      );
      return { name, outcome: 'written', written: JSON.stringify(made), ...detail };
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return { name, outcome: 'refused', detail: err.message };
    }
  }

  private async writeSignatures(signatures: Signature[], signal?: AbortSignal): Promise<FilterWriteResult[]> {
    const sendAs = await this.sendAs(signal);
    const out: FilterWriteResult[] = [];
    for (const s of signatures) {
      const name = `signature of ${s.address}`;
      const have = sendAs.find((x) => x.sendAsEmail.toLowerCase() === s.address.toLowerCase());
      if (!have) {
        out.push({
          name,
          outcome: 'untranslated',
          detail: `this Gmail user has no send-as address ${s.address}: add it (Settings → Accounts → Send mail as), then run again`,
        });
        continue;
      }
      if (squash(have.signature) === squash(s.html)) {
        out.push({ name, outcome: 'unchanged', written: have.signature ?? '' });
        continue;
      }
      try {
        const made = await this.api.json<GmailSendAs>(
          {
            op: 'settings.sendAs.patch',
            method: 'PATCH',
            path: `/settings/sendAs/${encodeURIComponent(have.sendAsEmail)}`,
            json: { signature: s.html },
            scope: SETTINGS_SCOPE,
          },
          signal,
        );
        out.push({ name, outcome: 'written', written: made.signature ?? '' });
      } catch (err) {
        if (!isRefusal(err)) throw err;
        out.push({ name, outcome: 'refused', detail: err.message });
      }
    }
    return out;
  }

  async close(): Promise<void> {}
}

function untranslated(f: GmailFilter, reason: string): Untranslated {
  return { name: filterName(f), reason, original: JSON.stringify(f) };
}
