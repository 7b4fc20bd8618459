/**
 * A Microsoft 365 mailbox's filters endpoint (filters-contract.ts): inbox rules (Graph messageRules of the
 * Inbox) and automatic replies (mailboxSettings). Every request goes through the mailbox's GraphClient, so
 * its gate, request budget and throttling answers apply as for mail.
 *
 * Writing never deletes a rule. A rule of the same name that already does the same is `unchanged`; one of
 * the same name that does something else is updated in place (PATCH) — a second rule of that name would
 * act beside the first (two moves, two forwards), and the name is how the user knows the rule — and the
 * result keeps what it said before. A read-only rule (made by a client Graph cannot edit for) is refused.
 * New rules go after the existing ones, in the order given. Signatures: Outlook keeps them in the client
 * or as roaming signatures, which no Graph API reads or writes.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  FilterCapabilities,
  FilterEndpoint,
  FilterSet,
  FilterWriteResult,
  MailRule,
  Untranslated,
  VacationReply,
} from '../filters-contract.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { FolderTree } from './graph-folders.js';
import { ruleContent } from './graph-rules-compare.js';
import { readGraphRule } from './graph-rules-read.js';
import type { GraphAutoReplies, GraphRule, GraphRuleBody } from './graph-rules-types.js';
import { readAutoReplies, sameAutoReplies, writeAutoReplies } from './graph-rules-vacation.js';
import { writeGraphRule } from './graph-rules-write.js';

const SIGNATURES_NOTE =
  'Outlook keeps signatures in the client or as roaming signatures, which Microsoft Graph cannot read or write: set them again in Outlook';

/** Graph's refusal of one rule or setting (its words), as opposed to a failure of the whole connection. */
const isRefusal = (err: unknown): err is PermanentError =>
  err instanceof PermanentError &&
  [ErrorCode.ProtocolError, ErrorCode.QuotaExceeded, ErrorCode.FolderCreateFailed].some(
    (c) => c === err.code,
  );

/** A refused permission, said with the one inbox rules and automatic replies need. */
function permissionHint(err: unknown): unknown {
  if (!(err instanceof PermanentError && err.code === ErrorCode.AuthFailed && /HTTP 403/.test(err.message)))
    return err;
  return new PermanentError(
    ErrorCode.AuthFailed,
    err.message,
    'Inbox rules and automatic replies need the MailboxSettings.ReadWrite application permission (MailboxSettings.Read to read only), with admin consent, besides Mail.ReadWrite.',
    { cause: err },
  );
}

/** Names made unique within one set ("Work", "Work (2)"), so no rule of the set replaces another. */
function uniqueNames(rules: MailRule[]): string[] {
  const seen = new Set<string>();
  return rules.map((r) => {
    let name = r.name;
    for (let i = 2; seen.has(name.toLowerCase()); i++) name = `${r.name} (${i})`;
    seen.add(name.toLowerCase());
    return name;
  });
}

/** Inbox rules and automatic replies of one mailbox (see the file comment). */
export class GraphFilters implements FilterEndpoint {
  readonly capabilities: FilterCapabilities = {
    scripts: false,
    vacation: true,
    signatures: false,
    signaturesNote: SIGNATURES_NOTE,
  };
  private readonly folders: FolderTree;

  constructor(private readonly client: GraphClient) {
    this.folders = new FolderTree(client);
  }

  private get rulesPath(): string {
    return `${userPath(this.client.target)}/mailFolders/inbox/messageRules`;
  }

  /** Every inbox rule, in the order Exchange runs them. */
  private async listRules(signal?: AbortSignal): Promise<GraphRule[]> {
    const out: GraphRule[] = [];
    for await (const page of this.client.pages<GraphRule>(this.rulesPath, signal)) out.push(...page);
    return out.sort((a, b) => a.sequence - b.sequence);
  }

  private autoReplies(signal?: AbortSignal): Promise<GraphAutoReplies> {
    return this.client.json<GraphAutoReplies>(
      'GET',
      `${userPath(this.client.target)}/mailboxSettings/automaticRepliesSetting`,
      { what: 'read automatic replies' },
      signal,
    );
  }

  async readRules(signal?: AbortSignal): Promise<FilterSet> {
    try {
      return await this.read(signal);
    } catch (err) {
      throw permissionHint(err);
    }
  }

  async writeRules(set: FilterSet, signal?: AbortSignal): Promise<FilterWriteResult[]> {
    try {
      return await this.write(set, signal);
    } catch (err) {
      throw permissionHint(err);
    }
  }

  private async read(signal?: AbortSignal): Promise<FilterSet> {
    const listed = await this.listRules(signal);
    const paths = new Map(listed.length ? (await this.folders.list(signal)).map((f) => [f.id, f.path]) : []);
    const rules: MailRule[] = [];
    const untranslated: Untranslated[] = [];
    for (const r of listed) {
      const read = readGraphRule(r, (id) => paths.get(id));
      if ('rule' in read) rules.push(read.rule);
      else untranslated.push({ name: r.displayName, reason: read.reason, original: JSON.stringify(r) });
    }
    const replies = readAutoReplies(await this.autoReplies(signal));
    if (replies.untranslated) untranslated.push(replies.untranslated);
    return { rules, ...(replies.vacation ? { vacation: replies.vacation } : {}), untranslated };
  }

  private async write(set: FilterSet, signal?: AbortSignal): Promise<FilterWriteResult[]> {
    const results: FilterWriteResult[] = [];
    if (set.rules.length) {
      const existing = await this.listRules(signal);
      const byName = new Map<string, GraphRule>();
      for (const r of existing)
        if (!byName.has(r.displayName.toLowerCase())) byName.set(r.displayName.toLowerCase(), r);
      let next = Math.max(0, ...existing.map((r) => r.sequence)) + 1;
      const names = uniqueNames(set.rules);
      for (const [i, rule] of set.rules.entries()) {
        const name = names[i]!;
        const writing = writeGraphRule({ ...rule, name });
        if ('reason' in writing) {
          results.push({ name, outcome: 'untranslated', detail: writing.reason });
          continue;
        }
        try {
          const have = byName.get(name.toLowerCase());
          const body = await this.withFolders(writing, signal);
          if (have && ruleContent(have) === ruleContent(body))
            results.push({ name, outcome: 'unchanged', written: JSON.stringify(have) });
          else if (have) results.push(await this.replace(name, have, body, signal));
          else {
            const made = await this.client.json<GraphRule>(
              'POST',
              this.rulesPath,
              { body: { ...body, sequence: next++ }, what: `create inbox rule "${name}"` },
              signal,
            );
            byName.set(name.toLowerCase(), made);
            results.push({ name, outcome: 'written', written: JSON.stringify(made) });
          }
        } catch (err) {
          if (!isRefusal(err)) throw err;
          results.push({ name, outcome: 'refused', detail: err.message });
        }
      }
    }
    if (set.vacation) results.push(await this.writeVacation(set.vacation, signal));
    for (const s of set.signatures ?? [])
      results.push({ name: `signature of ${s.address}`, outcome: 'untranslated', detail: SIGNATURES_NOTE });
    return results;
  }

  /** The rule body with its folders as ids (each created when missing, as mail writes do). */
  private async withFolders(
    w: { body: GraphRuleBody; moveTo?: string[]; copyTo?: string[] },
    signal?: AbortSignal,
  ): Promise<GraphRuleBody> {
    const actions = { ...w.body.actions };
    if (w.moveTo) actions.moveToFolder = (await this.folders.ensure(w.moveTo, signal)).id;
    if (w.copyTo) actions.copyToFolder = (await this.folders.ensure(w.copyTo, signal)).id;
    return { ...w.body, actions };
  }

  /** A rule of the same name that does something else: updated in place, what it said before kept. */
  private async replace(
    name: string,
    have: GraphRule,
    body: GraphRuleBody,
    signal?: AbortSignal,
  ): Promise<FilterWriteResult> {
    if (have.isReadOnly)
      return {
        name,
        outcome: 'refused',
        detail: `the rule "${name}" in the mailbox is read-only (made by a client Graph cannot edit rules for); it was left as it is`,
      };
    const made = await this.client.json<GraphRule>(
      'PATCH',
      `${this.rulesPath}/${encodeURIComponent(have.id)}`,
      { body, what: `update inbox rule "${name}"` },
      signal,
    );
    return {
      name,
      outcome: 'written',
      detail: `replaced the rule of the same name, which was: ${JSON.stringify(have)}`,
      written: JSON.stringify(made),
    };
  }

  private async writeVacation(v: VacationReply, signal?: AbortSignal): Promise<FilterWriteResult> {
    const name = 'vacation reply';
    const { setting, notes } = writeAutoReplies(v);
    const detail = notes.length ? { detail: notes.join('; ') } : {};
    try {
      if (sameAutoReplies(await this.autoReplies(signal), setting))
        return { name, outcome: 'unchanged', written: JSON.stringify(setting), ...detail };
      await this.client.json(
        'PATCH',
        `${userPath(this.client.target)}/mailboxSettings`,
        { body: { automaticRepliesSetting: setting }, what: 'set automatic replies' },
        signal,
      );
      return { name, outcome: 'written', written: JSON.stringify(setting), ...detail };
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return { name, outcome: 'refused', detail: err.message };
    }
  }

  async close(): Promise<void> {}
}
