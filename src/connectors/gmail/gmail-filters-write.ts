/**
 * A neutral rule (filters-contract.ts) as a Gmail filter, or the reason it cannot be one; nothing is written
 * half-translated. The mapping is gmail-filters-read.ts read backwards (a label for a folder, INBOX removed
 * for a move, Archive = Gmail's archive), with what Gmail cannot say:
 * - a rule that is off (Gmail filters cannot be disabled: it would be written on), one with no condition
 *   (Gmail needs a criterion), a Body-only or To-only… condition (Gmail's search has none), an "is" match
 *   other than on addresses, a header other than List-Id;
 * - a redirect to more than one address or that keeps no copy, a move or copy to Sent, Drafts or Spam.
 * `stop` cannot be said either (every matching Gmail filter applies): it is dropped and the result says so.
 */
import type { MailRule, RuleAction, RuleCondition } from '../filters-contract.js';
import { criteriaText, queryText, QueryError, type Query, type QueryField } from './gmail-filters-query.js';
import type { GmailCriteria } from './gmail-filters-types.js';
import { ARCHIVE_PATH, systemLabelFor } from './gmail-labels.js';

/** A filter ready to write once its label paths are label ids, or why it cannot be written. */
export type FilterWriting =
  | {
      criteria: GmailCriteria;
      /** User labels to apply, as folder paths (created when missing). */
      labels: string[][];
      addSystem: string[];
      remove: string[];
      forward?: string;
      notes: string[];
    }
  | { reason: string };

const ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** A text condition as one {…} group of search terms. */
function terms(c: Extract<RuleCondition, { kind: 'text' }>): { field: QueryField; values: string[] } {
  const f = c.field;
  if (typeof f === 'object') {
    if (f.header.toLowerCase() !== 'list-id' || c.match !== 'contains')
      throw new QueryError(`Gmail filters cannot look at the header ${f.header} (only List-Id, with list:)`);
    return { field: 'list', values: c.values };
  }
  if (c.match === 'is' && !((f === 'from' || f === 'to-or-cc') && c.values.every((v) => ADDRESS.test(v))))
    throw new QueryError(`Gmail search has no exact '${f} is' match`);
  const field = (
    { from: 'from', 'to-or-cc': 'to', cc: 'cc', subject: 'subject', 'subject-or-body': 'text' } as const
  )[f as 'from'] as QueryField | undefined;
  if (!field)
    throw new QueryError(
      f === 'body'
        ? 'Gmail search has no body-only condition'
        : `Gmail's to: looks at To and Cc together, not '${f}' alone`,
    );
  return { field, values: c.values };
}

function criteria(rule: MailRule): GmailCriteria {
  const c: GmailCriteria = {};
  const query: Query = [];
  for (const x of rule.conditions) {
    if (x.kind === 'has-attachment') c.hasAttachment = true;
    else if (x.kind === 'size') {
      for (const [bound, cmp, field] of [
        [x.over, 'larger', 'larger'],
        [x.under, 'smaller', 'smaller'],
      ] as const) {
        if (bound === undefined) continue;
        if (c.size === undefined) Object.assign(c, { size: bound, sizeComparison: cmp });
        else query.push([{ field, value: String(bound) }]);
      }
    } else {
      const { field, values } = terms(x);
      const key = (
        { from: 'from', to: 'to', subject: 'subject' } as Partial<
          Record<QueryField, 'from' | 'to' | 'subject'>
        >
      )[field];
      if (key && c[key] === undefined) c[key] = criteriaText(values);
      else query.push(values.map((value) => ({ field, value })));
    }
  }
  if (query.length) c.query = queryText(query);
  // Exceptions: any one stops the filter, so they are one {…} group of alternatives.
  const not: Query[number] = [];
  for (const x of rule.exceptions) {
    if (x.kind === 'has-attachment') not.push({ field: 'has', value: 'attachment' });
    else if (x.kind === 'size') {
      if (x.over !== undefined && x.under !== undefined)
        throw new QueryError('Gmail cannot except a size range (only larger or smaller)');
      if (x.over !== undefined) not.push({ field: 'larger', value: String(x.over) });
      if (x.under !== undefined) not.push({ field: 'smaller', value: String(x.under) });
    } else {
      const { field, values } = terms(x);
      not.push(...values.map((value) => ({ field, value })));
    }
  }
  if (not.length) c.negatedQuery = queryText([not]);
  return c;
}

/** Where a move or copy goes in Gmail's terms. */
function placed(
  kind: 'move' | 'copy',
  folder: string[],
): { label?: string[]; system?: string; archive?: boolean } {
  const isArchive = folder.length === 1 && folder[0]!.toLowerCase() === ARCHIVE_PATH[0]!.toLowerCase();
  if (isArchive) return kind === 'move' ? { archive: true } : {};
  const sys = systemLabelFor(folder);
  if (sys === 'INBOX') return {};
  if (sys === 'TRASH' && kind === 'move') return { system: 'TRASH' };
  if (sys) throw new QueryError(`a Gmail filter cannot ${kind} a message to ${folder.join('/')}`);
  return { label: folder };
}

function actions(
  list: RuleAction[],
): Omit<Extract<FilterWriting, { criteria: unknown }>, 'criteria' | 'notes'> {
  const labels: string[][] = [];
  const add = new Set<string>();
  const remove = new Set<string>();
  let forward: string | undefined;
  for (const a of list) {
    if (a.kind === 'move' || a.kind === 'copy') {
      const p = placed(a.kind, a.folder);
      if (p.label) labels.push(p.label);
      if (p.system) add.add(p.system);
      if (a.kind === 'move' && (p.label || p.archive)) remove.add('INBOX');
    } else if (a.kind === 'redirect') {
      if (!a.keepCopy || a.to.length !== 1 || forward)
        throw new QueryError(
          !a.keepCopy
            ? `a Gmail filter forwards a copy; a redirect to ${a.to.join(', ')} that keeps none cannot be written`
            : 'a Gmail filter forwards to one address only',
        );
      forward = a.to[0];
    } else if (a.kind === 'delete') add.add('TRASH');
    else if (a.kind === 'flag') add.add('STARRED');
    else if (a.kind === 'mark-read') remove.add('UNREAD');
    else if (a.kind === 'tag') labels.push(...a.names.map((n) => [n]));
  }
  return { labels, addSystem: [...add], remove: [...remove], ...(forward ? { forward } : {}) };
}

/** The Gmail filter of a neutral rule (label paths are turned into ids by the caller). */
export function writeGmailFilter(rule: MailRule): FilterWriting {
  try {
    if (!rule.enabled) return { reason: 'Gmail filters cannot be turned off: writing it would turn it on' };
    if (!rule.conditions.length)
      return { reason: 'Gmail filters need at least one criterion; this rule has none' };
    const c = criteria(rule);
    const a = actions(rule.actions);
    if (!a.labels.length && !a.addSystem.length && !a.remove.length && !a.forward)
      return { reason: 'the rule does nothing a Gmail filter can do (it only keeps the message)' };
    const notes = rule.stop ? ['Gmail applies every matching filter: "stop" was left out'] : [];
    return { criteria: c, ...a, notes };
  } catch (err) {
    if (err instanceof QueryError) return { reason: err.message };
    throw err;
  }
}
