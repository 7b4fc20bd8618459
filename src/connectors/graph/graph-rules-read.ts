/**
 * A Microsoft 365 inbox rule (Graph messageRule) in the neutral form (filters-contract.ts), or the reason it
 * cannot be: a predicate or action the neutral form has no words for (importance, sensitivity, meeting
 * requests, forward as attachment, …) makes the whole rule Untranslated with its JSON, never half-read.
 *
 * Readings: fromAddresses/sentToAddresses are "is" matches on From and To-or-Cc, the *Contains predicates
 * "contains" matches; headerContains "Name: value" is header Name contains value (Exchange finds the text in
 * the header block); withinSizeRange is kilobytes; forwardTo and redirectTo are a redirect that keeps the
 * message (Exchange keeps it in the mailbox either way), delete and permanentDelete are delete.
 */
import type { MailRule, RuleAction, RuleCondition, RuleField } from '../filters-contract.js';
import {
  GRAPH_SIZE_UNBOUNDED_KB,
  type GraphActions,
  type GraphPredicates,
  type GraphRecipient,
  type GraphRule,
} from './graph-rules-types.js';

/** A rule read, or why it cannot be. */
export type RuleReading = { rule: MailRule } | { reason: string };

/** Thrown inside a translation: the reason the rule cannot be carried. */
class Unreadable extends Error {}

const addresses = (list: GraphRecipient[] | GraphRecipient | undefined): string[] =>
  (Array.isArray(list) ? list : list ? [list] : []).map((r) => r.emailAddress.address);

const KNOWN_PREDICATES = new Set([
  'bodyContains',
  'bodyOrSubjectContains',
  'fromAddresses',
  'hasAttachments',
  'headerContains',
  'recipientContains',
  'senderContains',
  'sentToAddresses',
  'subjectContains',
  'withinSizeRange',
]);

/** A predicate that is set (an empty list or a false flag is the same as absent in Graph's answers). */
function isSet(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function predicates(p: GraphPredicates | undefined, what: string): RuleCondition[] {
  if (!p) return [];
  for (const [k, v] of Object.entries(p))
    if (!k.startsWith('@') && isSet(v) && !KNOWN_PREDICATES.has(k))
      throw new Unreadable(`the ${what} '${k}' (${JSON.stringify(v)}) has no equivalent in the neutral form`);
  const out: RuleCondition[] = [];
  const text = (field: RuleField, match: 'contains' | 'is', values: string[] | undefined) => {
    if (values?.length) out.push({ kind: 'text', field, match, values: [...values] });
  };
  text('from', 'is', addresses(p.fromAddresses));
  text('from', 'contains', p.senderContains);
  text('to-or-cc', 'is', addresses(p.sentToAddresses));
  text('to-or-cc', 'contains', p.recipientContains);
  text('subject', 'contains', p.subjectContains);
  text('body', 'contains', p.bodyContains);
  text('subject-or-body', 'contains', p.bodyOrSubjectContains);
  for (const line of p.headerContains ?? []) {
    const m = /^([!-9;-~]+):\s?(.*)$/.exec(line);
    if (!m || !m[2])
      throw new Unreadable(
        `the ${what} headerContains '${line}' looks at the whole header block, not one named header`,
      );
    out.push({ kind: 'text', field: { header: m[1]! }, match: 'contains', values: [m[2]] });
  }
  if (p.hasAttachments === true) out.push({ kind: 'has-attachment' });
  const range = p.withinSizeRange;
  if (range) {
    const min = range.minimumSize ?? 0;
    const max = range.maximumSize ?? GRAPH_SIZE_UNBOUNDED_KB;
    const size: RuleCondition = { kind: 'size' };
    if (min > 0) size.over = min * 1024;
    if (max < GRAPH_SIZE_UNBOUNDED_KB) size.under = max * 1024;
    if (size.over !== undefined || size.under !== undefined) out.push(size);
  }
  return out;
}

const KNOWN_ACTIONS = new Set([
  'assignCategories',
  'copyToFolder',
  'delete',
  'forwardTo',
  'markAsRead',
  'moveToFolder',
  'permanentDelete',
  'redirectTo',
  'stopProcessingRules',
]);

function actions(
  a: GraphActions | undefined,
  folderPath: (id: string) => string[] | undefined,
): RuleAction[] {
  if (!a) return [];
  for (const [k, v] of Object.entries(a))
    if (!k.startsWith('@') && isSet(v) && !KNOWN_ACTIONS.has(k))
      throw new Unreadable(`the action '${k}' (${JSON.stringify(v)}) has no equivalent in the neutral form`);
  const out: RuleAction[] = [];
  const folder = (id: string, verb: string) => {
    const path = folderPath(id);
    if (!path) throw new Unreadable(`it ${verb} a folder that is not in the mailbox (id ${id})`);
    return path;
  };
  if (a.moveToFolder) out.push({ kind: 'move', folder: folder(a.moveToFolder, 'moves to') });
  if (a.copyToFolder) out.push({ kind: 'copy', folder: folder(a.copyToFolder, 'copies to') });
  const to = [...addresses(a.forwardTo), ...addresses(a.redirectTo)];
  if (to.length) out.push({ kind: 'redirect', to, keepCopy: true });
  if (a.assignCategories?.length) out.push({ kind: 'tag', names: [...a.assignCategories] });
  if (a.markAsRead) out.push({ kind: 'mark-read' });
  if (a.delete || a.permanentDelete) out.push({ kind: 'delete' });
  return out;
}

/** One messageRule → MailRule; `folderPath` turns a folder id into its path (undefined: no such folder). */
export function readGraphRule(r: GraphRule, folderPath: (id: string) => string[] | undefined): RuleReading {
  try {
    const rule: MailRule = {
      name: r.displayName,
      enabled: r.isEnabled !== false,
      conditions: predicates(r.conditions, 'condition'),
      exceptions: predicates(r.exceptions, 'exception'),
      actions: actions(r.actions, folderPath),
      stop: r.actions?.stopProcessingRules === true,
      original: JSON.stringify(r),
    };
    if (rule.actions.length === 0 && !rule.stop) return { reason: 'it has no action Cutover can read' };
    return { rule };
  } catch (err) {
    if (err instanceof Unreadable) return { reason: `Microsoft 365 rule: ${err.message}` };
    throw err;
  }
}
