/** Paged, sorted and filtered reads for the HTTP API, done in SQL so 25,000 mailboxes stay fast. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toAlert, type AlertRow, type AlertStatus } from './alert-repo.js';
import { toMailbox, type MailboxRow } from './mailbox-repo.js';

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface MailboxPageQuery {
  offset: number;
  limit: number;
  sort: 'name' | 'size' | 'status';
  order: 'asc' | 'desc';
  status?: string;
  search?: string;
}

export interface AlertPageQuery {
  offset: number;
  limit: number;
  status?: AlertStatus;
}

const sortColumn = { name: 'source_user', size: 'source_bytes', status: 'status' } as const;

/** LIKE pattern matching `s` literally anywhere (escape with backslash). */
export const contains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * `column` contains `search`, whatever the case: SQLite's LIKE ignores ASCII case, PostgreSQL's does not, so
 * both sides are lowered (the same result on both dialects).
 */
export const containsIgnoringCase = (column: string, search: string) =>
  sql<boolean>`lower(${sql.ref(column)}) like lower(${contains(search)}) escape '\\'`;

/** A mailbox whose source or destination login contains `search` (the mailbox tables' search box). */
export const loginContains = (search: string) =>
  sql<boolean>`(${containsIgnoringCase('source_user', search)} or ${containsIgnoringCase('dest_user', search)})`;

export class PageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async mailboxes(q: MailboxPageQuery): Promise<Page<MailboxRow>> {
    let base = this.db.selectFrom('mailboxes');
    if (q.status) base = base.where('status', '=', q.status);
    if (q.search) base = base.where(loginContains(q.search));
    const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy(sortColumn[q.sort], q.order)
      .orderBy('id', q.order)
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return {
      items: rows.map(toMailbox),
      total: Number(total.n),
      offset: q.offset,
      limit: q.limit,
    };
  }

  async alerts(q: AlertPageQuery): Promise<Page<AlertRow>> {
    let base = this.db.selectFrom('alerts');
    if (q.status) base = base.where('status', '=', q.status);
    const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await base.selectAll().orderBy('id').limit(q.limit).offset(q.offset).execute();
    return {
      items: rows.map(toAlert),
      total: Number(total.n),
      offset: q.offset,
      limit: q.limit,
    };
  }
}
