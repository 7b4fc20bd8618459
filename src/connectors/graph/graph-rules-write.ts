/**
 * A neutral rule (filters-contract.ts) as a Microsoft 365 inbox rule (Graph messageRule body), or the reason
 * it cannot be one. Nothing is written half-translated: one condition, exception or action Graph cannot
 * express makes the whole rule untranslated.
 *
 * What Graph cannot express: an "is" match on anything but the From and To-or-Cc addresses; To or Cc alone;
 * two conditions on one predicate (Graph ORs a predicate's values, the neutral form ANDs conditions); a size
 * bound that is not a whole number of kilobytes (Graph's unit; Cutover does not round a bound); a header
 * "is" match (headerContains finds "Name: value" in the header block); a redirect that does not keep the
 * message (Exchange keeps it); flagging; more than one folder to move or copy to.
 */
import type { MailRule, RuleAction, RuleCondition, RuleField } from '../filters-contract.js';
import {
  GRAPH_SIZE_UNBOUNDED_KB,
  type GraphActions,
  type GraphPredicates,
  type GraphRecipient,
  type GraphRuleBody,
} from './graph-rules-types.js';

/** A rule ready to write once its folders are ids, or why it cannot be written. */
export type RuleWriting = { body: GraphRuleBody; moveTo?: string[]; copyTo?: string[] } | { reason: string };

class Inexpressible extends Error {}

const ADDRESS = /^[^\s@]+@[^\s@]+$/;
const fieldName = (f: RuleField) => (typeof f === 'string' ? f : `header ${f.header}`);
const recipients = (values: string[]): GraphRecipient[] =>
  values.map((v) => {
    if (!ADDRESS.test(v)) throw new Inexpressible(`'${v}' is not an e-mail address`);
    return { emailAddress: { address: v } };
  });

/** Which predicate a text condition is, with its values in Graph's form. */
function textPredicate(c: Extract<RuleCondition, { kind: 'text' }>): [keyof GraphPredicates, unknown[]] {
  const f = c.field;
  if (typeof f === 'object') {
    if (c.match === 'is') throw new Inexpressible(`Microsoft 365 has no 'header is' condition (${f.header})`);
    return ['headerContains', c.values.map((v) => `${f.header}: ${v}`)];
  }
  if (c.match === 'is') {
    if (f === 'from') return ['fromAddresses', recipients(c.values)];
    if (f === 'to-or-cc') return ['sentToAddresses', recipients(c.values)];
    throw new Inexpressible(`Microsoft 365 has no '${fieldName(f)} is' condition`);
  }
  const byField: Partial<Record<string, keyof GraphPredicates>> = {
    from: 'senderContains',
    'to-or-cc': 'recipientContains',
    subject: 'subjectContains',
    body: 'bodyContains',
    'subject-or-body': 'bodyOrSubjectContains',
  };
  const key = byField[f];
  if (!key) throw new Inexpressible(`Microsoft 365 matches To and Cc together, not '${f}' alone`);
  return [key, [...c.values]];
}

function kilobytes(bytes: number, bound: string): number {
  if (bytes % 1024 !== 0)
    throw new Inexpressible(
      `Microsoft 365 takes sizes in whole kilobytes; the ${bound} bound ${bytes} bytes is between ${Math.floor(bytes / 1024)} and ${Math.ceil(bytes / 1024)} KB`,
    );
  return bytes / 1024;
}

/** Conditions (all must hold) or exceptions (any holds) as messageRulePredicates. */
function predicates(list: RuleCondition[], any: boolean): GraphPredicates | undefined {
  if (!list.length) return undefined;
  const p: GraphPredicates = {};
  const add = (key: keyof GraphPredicates, values: unknown[]) => {
    const had = p[key] as unknown[] | undefined;
    // Values of one predicate are alternatives: two exceptions merge, two conditions would be an AND.
    if (had && !any)
      throw new Inexpressible(
        `two conditions on one Microsoft 365 predicate (${key}) would be alternatives, not both`,
      );
    p[key] = [...(had ?? []), ...values];
  };
  for (const c of list) {
    if (c.kind === 'has-attachment') p.hasAttachments = true;
    else if (c.kind === 'size') {
      if (p.withinSizeRange) throw new Inexpressible('Microsoft 365 takes one size range per rule');
      p.withinSizeRange = {
        minimumSize: c.over === undefined ? 0 : kilobytes(c.over, 'lower'),
        maximumSize: c.under === undefined ? GRAPH_SIZE_UNBOUNDED_KB : kilobytes(c.under, 'upper'),
      };
    } else add(...textPredicate(c));
  }
  return p;
}

function actions(
  list: RuleAction[],
  stop: boolean,
): { a: GraphActions; moveTo?: string[]; copyTo?: string[] } {
  const a: GraphActions = {};
  let moveTo: string[] | undefined;
  let copyTo: string[] | undefined;
  for (const x of list) {
    if (x.kind === 'move') {
      if (moveTo) throw new Inexpressible('Microsoft 365 moves a message to one folder only');
      moveTo = x.folder;
    } else if (x.kind === 'copy') {
      if (copyTo) throw new Inexpressible('Microsoft 365 copies a message to one folder only');
      copyTo = x.folder;
    } else if (x.kind === 'redirect') {
      if (!x.keepCopy)
        throw new Inexpressible(
          `Microsoft 365 keeps a redirected message in the mailbox; a redirect to ${x.to.join(', ')} that keeps no copy cannot be written`,
        );
      a.redirectTo = [...((a.redirectTo as GraphRecipient[] | undefined) ?? []), ...recipients(x.to)];
    } else if (x.kind === 'delete') a.delete = true;
    else if (x.kind === 'mark-read') a.markAsRead = true;
    else if (x.kind === 'tag') a.assignCategories = [...(a.assignCategories ?? []), ...x.names];
    else if (x.kind === 'flag') throw new Inexpressible('Microsoft 365 rules cannot flag a message');
  }
  if (stop) a.stopProcessingRules = true;
  return { a, moveTo, copyTo };
}

/** The messageRule body of a neutral rule (sequence and folder ids are filled in by the caller). */
export function writeGraphRule(rule: MailRule): RuleWriting {
  try {
    const conditions = predicates(rule.conditions, false);
    const exceptions = predicates(rule.exceptions, true);
    const { a, moveTo, copyTo } = actions(rule.actions, rule.stop);
    if (!moveTo && !copyTo && Object.keys(a).length === 0)
      return { reason: 'the rule does nothing Microsoft 365 can do (it only keeps the message)' };
    const body: GraphRuleBody = {
      displayName: rule.name,
      isEnabled: rule.enabled,
      ...(conditions ? { conditions } : {}),
      ...(exceptions ? { exceptions } : {}),
      actions: a,
    };
    return { body, ...(moveTo ? { moveTo } : {}), ...(copyTo ? { copyTo } : {}) };
  } catch (err) {
    if (err instanceof Inexpressible) return { reason: err.message };
    throw err;
  }
}
