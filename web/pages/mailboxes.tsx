/**
 * Mailboxes: a server-side paged, sorted, filtered and searched table (fast at 25,000 rows: the browser holds
 * one page), with the search debounced.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { QueryOf } from '../api/client.js';
import { useDebounced, useLoad } from '../api/use-api.js';
import { bytes, count } from '../components/format.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { Link } from '../router.js';

type Query = QueryOf<'GET /api/mailboxes'>;
type Sort = NonNullable<Query['sort']>;
const STATUSES = ['idle', 'running', 'done', 'failed', 'stopped'] as const;
const PAGE = 100;

/** The mailboxes table. */
export function MailboxesPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<Query['status']>();
  const [sort, setSort] = useState<Sort>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [offset, setOffset] = useState(0);
  const settled = useDebounced(search.trim(), 300);

  const list = useLoad(
    () =>
      api('GET /api/mailboxes', {
        query: { offset, limit: PAGE, sort, order, status, search: settled || undefined },
      }),
    [offset, sort, order, status, settled],
  );

  const sortBy = (s: Sort) => {
    if (s === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(s);
      setOrder(s === 'size' ? 'desc' : 'asc');
    }
    setOffset(0);
  };
  const arrow = (s: Sort) => (s === sort ? (order === 'asc' ? ' ▲' : ' ▼') : '');
  const page = list.data;

  return (
    <section>
      <h1>Mailboxes</h1>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search source or destination login…"
          aria-label="Search mailboxes"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setOffset(0);
          }}
        />
        <label>
          Status{' '}
          <select
            value={status ?? ''}
            onChange={(e) => {
              setStatus((e.target.value || undefined) as Query['status']);
              setOffset(0);
            }}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {list.loading && <span className="muted">Loading…</span>}
      </div>
      <ProblemNote problem={list.error} />
      <table className="grid">
        <thead>
          <tr>
            <th aria-label="Priority">★</th>
            <th>
              <button type="button" className="sort" onClick={() => sortBy('name')}>
                Source login{arrow('name')}
              </button>
            </th>
            <th>Destination login</th>
            <th>
              <button type="button" className="sort" onClick={() => sortBy('status')}>
                Status{arrow('status')}
              </button>
            </th>
            <th className="num">
              <button type="button" className="sort" onClick={() => sortBy('size')}>
                Size{arrow('size')}
              </button>
            </th>
            <th className="num">Messages</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((m) => (
            <tr key={m.id}>
              <td className="star">{m.starred ? '★' : '☆'}</td>
              <td>
                <Link to={`/mailboxes/${m.id}`}>{m.sourceUser}</Link>
              </td>
              <td>{m.destUser}</td>
              <td>
                <Status value={m.status} />
              </td>
              <td className="num">{bytes(m.sourceBytes)}</td>
              <td className="num">{count(m.sourceMessages)}</td>
              <td className="error-text">{m.lastError ?? ''}</td>
            </tr>
          ))}
          {page && page.items.length === 0 && (
            <tr>
              <td colSpan={7} className="empty">
                {settled || status ? 'No mailbox matches the search or filter.' : 'No mailboxes yet.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {page && <Pager offset={page.offset} limit={page.limit} total={page.total} onOffset={setOffset} />}
    </section>
  );
}
