/**
 * A Gmail filter in the neutral form (filters-contract.ts), or the reason it cannot be (then the whole
 * filter is Untranslated with its JSON). Gmail filters have no name, no order and no "stop": a filter is
 * named after its criteria, and every matching filter applies.
 *
 * Readings: from → From contains, to → To-or-Cc contains (Gmail's to: also looks at Cc), subject → Subject
 * contains, words of the query → Subject-or-body contains (Gmail searches the whole message), list: → the
 * List-Id header, size/larger:/smaller: → size bounds, negatedQuery → exceptions (one term or one {…}
 * group: any of them stops the filter). Actions: a user label is a copy into that folder, or a move when
 * the filter also takes the message out of the inbox (remove INBOX alone is a move to Archive, Gmail's
 * archive), TRASH is delete, STARRED flag, removing UNREAD mark-read, forward a redirect that keeps the
 * message. IMPORTANT, SPAM, categories and other system labels have no neutral words.
 */
import type { MailRule, RuleAction, RuleCondition, RuleField } from '../filters-contract.js';
import {
  criteriaValues,
  parseQuery,
  QueryError,
  sizeBytes,
  termText,
  type QueryTerm,
} from './gmail-filters-query.js';
import type { GmailFilter } from './gmail-filters-types.js';
import { ARCHIVE_PATH, labelPath } from './gmail-labels.js';

/** A filter read, or why it cannot be. */
export type FilterReading = { rule: MailRule } | { reason: string };

const FIELD: Record<string, RuleField> = {
  from: 'from',
  to: 'to-or-cc',
  cc: 'cc',
  subject: 'subject',
  text: 'subject-or-body',
  list: { header: 'List-Id' },
};

/** One {…} group (alternatives of one field) as a condition. */
function condition(group: QueryTerm[]): RuleCondition {
  const field = group[0]!.field;
  if (group.some((t) => t.field !== field))
    throw new QueryError(`the group {${group.map(termText).join(' ')}} mixes search operators`);
  if (field === 'has') return { kind: 'has-attachment' };
  if (field === 'larger' || field === 'smaller') {
    if (group.length > 1) throw new QueryError(`alternatives of ${field}:`);
    const bytes = sizeBytes(group[0]!.value);
    return field === 'larger' ? { kind: 'size', over: bytes } : { kind: 'size', under: bytes };
  }
  return { kind: 'text', field: FIELD[field]!, match: 'contains', values: group.map((t) => t.value) };
}

function conditions(f: GmailFilter): RuleCondition[] {
  const c = f.criteria ?? {};
  const out: RuleCondition[] = [];
  for (const key of ['from', 'to', 'subject'] as const) {
    const text = c[key];
    if (!text) continue;
    const values = criteriaValues(text);
    if (!values)
      throw new QueryError(`the ${key} criterion '${text}' uses search syntax beyond words and OR`);
    out.push({ kind: 'text', field: FIELD[key]!, match: 'contains', values });
  }
  if (c.query) out.push(...parseQuery(c.query).map(condition));
  if (c.hasAttachment) out.push({ kind: 'has-attachment' });
  if (c.size !== undefined && c.sizeComparison === 'larger') out.push({ kind: 'size', over: Number(c.size) });
  if (c.size !== undefined && c.sizeComparison === 'smaller')
    out.push({ kind: 'size', under: Number(c.size) });
  // larger and smaller read as two size conditions: one with both bounds says the same.
  const sizes = out.filter((x): x is Extract<RuleCondition, { kind: 'size' }> => x.kind === 'size');
  if (sizes.length > 1) {
    const over = sizes.find((x) => x.over !== undefined)?.over;
    const under = sizes.find((x) => x.under !== undefined)?.under;
    const merged: RuleCondition = {
      kind: 'size',
      ...(over !== undefined ? { over } : {}),
      ...(under !== undefined ? { under } : {}),
    };
    return [...out.filter((x) => x.kind !== 'size'), merged];
  }
  return out;
}

function exceptions(f: GmailFilter): RuleCondition[] {
  const text = f.criteria?.negatedQuery;
  if (!text) return [];
  const q = parseQuery(text);
  if (q.length !== 1)
    throw new QueryError(`the negated query '${text}' excludes messages that match all its terms at once`);
  const byField = new Map<string, QueryTerm[]>();
  for (const t of q[0]!) byField.set(t.field, [...(byField.get(t.field) ?? []), t]);
  return [...byField.values()].flatMap((g) =>
    g[0]!.field === 'larger' || g[0]!.field === 'smaller' ? g.map((t) => condition([t])) : [condition(g)],
  );
}

function actions(f: GmailFilter, labelName: (id: string) => string | undefined): RuleAction[] {
  const a = f.action ?? {};
  const removed = new Set(a.removeLabelIds ?? []);
  const archive = removed.delete('INBOX');
  const markRead = removed.delete('UNREAD');
  if (removed.size) throw new QueryError(`it takes away the label ${[...removed].join(', ')}`);
  const out: RuleAction[] = [];
  let trash = false;
  let star = false;
  for (const id of a.addLabelIds ?? []) {
    if (id === 'TRASH') trash = true;
    else if (id === 'STARRED') star = true;
    else {
      const name = labelName(id);
      if (!name) throw new QueryError(`it applies the label ${id}, which has no neutral equivalent`);
      out.push({ kind: archive ? 'move' : 'copy', folder: labelPath(name) });
    }
  }
  if (archive && !trash && !out.length) out.push({ kind: 'move', folder: [...ARCHIVE_PATH] });
  if (a.forward) out.push({ kind: 'redirect', to: [a.forward], keepCopy: true });
  if (star) out.push({ kind: 'flag' });
  if (markRead) out.push({ kind: 'mark-read' });
  if (trash) out.push({ kind: 'delete' });
  return out;
}

/** A name for a filter (Gmail keeps none): its criteria as Gmail shows them. */
export function filterName(f: GmailFilter): string {
  const c = f.criteria ?? {};
  const parts = [
    c.from && `from:(${c.from})`,
    c.to && `to:(${c.to})`,
    c.subject && `subject:(${c.subject})`,
    c.query,
    c.negatedQuery && `-{${c.negatedQuery}}`,
    c.hasAttachment && 'has:attachment',
    c.size !== undefined &&
      c.sizeComparison &&
      c.sizeComparison !== 'unspecified' &&
      `${c.sizeComparison}:${c.size}`,
  ].filter(Boolean);
  return `Gmail filter ${parts.join(' ') || f.id || ''}`.trim();
}

/**
 * One filter → MailRule. `labelName` gives a user label's name by id (undefined: a system label or none);
 * Gmail's system labels that are not folders have no neutral equivalent.
 */
export function readGmailFilter(
  f: GmailFilter,
  labelName: (id: string) => string | undefined,
): FilterReading {
  try {
    const rule: MailRule = {
      name: filterName(f),
      enabled: true,
      conditions: conditions(f),
      exceptions: exceptions(f),
      actions: actions(f, labelName),
      stop: false,
      original: JSON.stringify(f),
    };
    if (!rule.actions.length) return { reason: 'Gmail filter: it does nothing Cutover can read' };
    return { rule };
  } catch (err) {
    if (err instanceof QueryError) return { reason: `Gmail filter: ${err.message}` };
    throw err;
  }
}
