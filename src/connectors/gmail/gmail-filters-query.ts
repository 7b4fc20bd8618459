/**
 * The part of Gmail's search syntax (a filter's query and negatedQuery) that the neutral form can hold:
 * words and "phrases", from: to: cc: subject: list:, has:attachment, larger: smaller:, and {…} groups of
 * alternatives; terms side by side must all match. Anything else — OR, parentheses, a leading '-', other
 * operators (label:, is:, older_than:, filename:, …) — cannot be carried and is reported in Gmail's words.
 */

/** The operators understood ('text' is a bare word or phrase, 'has' is has:attachment). */
export type QueryField = 'from' | 'to' | 'cc' | 'subject' | 'list' | 'text' | 'larger' | 'smaller' | 'has';

/** One term. */
export interface QueryTerm {
  field: QueryField;
  value: string;
}

/** A query: every group must match; a group matches when any one of its terms does. */
export type Query = QueryTerm[][];

/** A query the neutral form cannot hold; the message says which part. */
export class QueryError extends Error {}

const FIELDS = new Set<string>(['from', 'to', 'cc', 'subject', 'list', 'larger', 'smaller', 'has']);
const KEYWORDS = new Set(['OR', 'AND', 'AROUND']);

/** larger:/smaller: values (bytes, or with K or M) in bytes. */
export function sizeBytes(value: string): number {
  const m = /^(\d+)([km]?)$/i.exec(value);
  if (!m) throw new QueryError(`the size '${value}' is not a number of bytes, K or M`);
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'm' ? 1024 * 1024 : unit === 'k' ? 1024 : 1);
}

/** Parse a Gmail query (see the file comment); throws QueryError for what cannot be carried. */
export function parseQuery(q: string): Query {
  const out: Query = [];
  let i = 0;
  const quoted = (): string => {
    const end = q.indexOf('"', i + 1);
    if (end < 0) throw new QueryError(`an unclosed quote in '${q}'`);
    const v = q.slice(i + 1, end);
    i = end + 1;
    return v;
  };
  const term = (): QueryTerm => {
    if (q[i] === '"') return { field: 'text', value: quoted() };
    if (q[i] === '-') throw new QueryError(`the negated term in '${q}'`);
    if (q[i] === '(' || q[i] === ')') throw new QueryError(`the parentheses in '${q}'`);
    const start = i;
    while (i < q.length && !/[\s{}()":]/.test(q[i]!)) i++;
    const word = q.slice(start, i);
    if (q[i] !== ':') {
      if (KEYWORDS.has(word)) throw new QueryError(`the operator ${word} in '${q}'`);
      return { field: 'text', value: word };
    }
    const field = word.toLowerCase();
    if (!FIELDS.has(field)) throw new QueryError(`the search operator '${word}:' in '${q}'`);
    i++;
    if (q[i] === '(' || q[i] === '{') throw new QueryError(`the grouped ${word}: value in '${q}'`);
    let value: string;
    if (q[i] === '"') value = quoted();
    else {
      const s = i;
      while (i < q.length && !/[\s{}()]/.test(q[i]!)) i++;
      value = q.slice(s, i);
    }
    if (!value) throw new QueryError(`the empty ${word}: in '${q}'`);
    if (field === 'has' && value.toLowerCase() !== 'attachment')
      throw new QueryError(`the search operator 'has:${value}' in '${q}'`);
    if (field === 'larger' || field === 'smaller') sizeBytes(value);
    return { field: field as QueryField, value };
  };
  while (i < q.length) {
    if (/\s/.test(q[i]!)) {
      i++;
      continue;
    }
    if (q[i] === '{') {
      i++;
      const group: QueryTerm[] = [];
      for (;;) {
        while (/\s/.test(q[i] ?? '')) i++;
        if (i >= q.length) throw new QueryError(`an unclosed {…} group in '${q}'`);
        if (q[i] === '}') break;
        if (q[i] === '{') throw new QueryError(`a nested {…} group in '${q}'`);
        group.push(term());
      }
      i++;
      if (group.length) out.push(group);
      continue;
    }
    out.push([term()]);
  }
  return out;
}

/** A value as Gmail search text: bare when it is one plain word, else in quotes. */
function quote(v: string): string {
  if (/^[^\s"(){}:-][^\s"(){}:]*$/.test(v) && !KEYWORDS.has(v)) return v;
  if (v.includes('"') || !v.trim()) throw new QueryError(`Gmail search cannot quote '${v}'`);
  return `"${v}"`;
}

/** One term as Gmail search text. */
export function termText(t: QueryTerm): string {
  if (t.field === 'has') return 'has:attachment';
  if (t.field === 'text') return quote(t.value);
  return `${t.field}:${quote(t.value)}`;
}

/** A query as Gmail search text. */
export function queryText(q: Query): string {
  return q
    .map((group) => (group.length === 1 ? termText(group[0]!) : `{${group.map(termText).join(' ')}}`))
    .join(' ');
}

/**
 * A criteria field (from, to, subject: Gmail searches them as the operator of that name) as alternatives:
 * "a OR b", each optionally quoted; undefined when it holds other search syntax.
 */
export function criteriaValues(text: string): string[] | undefined {
  const inner = /^\((.*)\)$/.exec(text.trim())?.[1] ?? text.trim();
  const values: string[] = [];
  for (const raw of inner.split(/\s+OR\s+/)) {
    const v = raw.trim();
    const q = /^"([^"]+)"$/.exec(v);
    if (q) values.push(q[1]!);
    else if (v && !/[(){}":]|^-/.test(v)) values.push(v);
    else return undefined;
  }
  return values;
}

/** Alternatives as a criteria field. */
export function criteriaText(values: string[]): string {
  return values.map(quote).join(' OR ');
}
