/**
 * A project's mailboxes: a server-side paged, sorted, filtered and searched table (fast at 25,000 rows: the
 * browser holds one page; the search is debounced), with selection and bulk actions, add, edit and remove.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/api.js';
import type { QueryOf } from '../api/client.js';
import { useDebounced, useLoad } from '../api/use-api.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { useProjects } from '../project-context.js';
import { Link, useLocation } from '../router.js';
import { BulkBar, type Filter } from './mailbox-bulk.js';
import { MailboxForm } from './mailbox-form.js';
import { MailboxRow, type Row } from './mailbox-row.js';

type Query = QueryOf<'GET /api/projects/{id}/mailboxes'>;
type Sort = NonNullable<Query['sort']>;
/** A row of the table. */
export type { Row };
const STATUSES = ['idle', 'running', 'done', 'failed', 'stopped'] as const;
const PAGE = 100;

/** The mailboxes of the current project. */
export function MailboxesPage() {
  const { current, reload: reloadProjects } = useProjects();
  const [search, setSearch] = useState('');
  // The tracker's columns link here with ?status=… (drill-down).
  const { query } = useLocation();
  const [status, setStatus] = useState<Query['status']>(
    () => (query.get('status') ?? undefined) as Query['status'],
  );
  const [starredOnly, setStarredOnly] = useState(false);
  const [sort, setSort] = useState<Sort>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [editing, setEditing] = useState<Row | 'new'>();
  const settled = useDebounced(search.trim(), 300);
  const filter: Filter = { status, starred: starredOnly || undefined, search: settled || undefined };
  const projectId = current?.id;

  const list = useLoad(
    async () =>
      projectId === undefined
        ? undefined
        : api('GET /api/projects/{id}/mailboxes', {
            path: { id: projectId },
            query: { offset, limit: PAGE, sort, order, ...filter },
          }),
    [projectId, offset, sort, order, status, starredOnly, settled],
  );
  // Another project chosen in the top bar: its first page, nothing ticked (ids belong to one project).
  useEffect(() => {
    setOffset(0);
    setSelected(new Set());
    setEditing(undefined);
  }, [projectId]);
  // While a mailbox on this page is running, its status is re-read every 5 s.
  const anyRunning = list.data?.items.some((m) => m.status === 'running') ?? false;
  const { reload } = list;
  useEffect(() => {
    if (!anyRunning) return;
    const t = setInterval(reload, 5000);
    return () => clearInterval(t);
  }, [anyRunning, reload]);
  const refresh = () => {
    list.reload();
    reloadProjects();
  };

  if (!current)
    return (
      <section>
        <h1>Mailboxes</h1>
        <p>
          No project yet. <Link to="/projects/new">Create one</Link>, then add or import its mailboxes here.
        </p>
      </section>
    );

  const refilter = (fn: () => void) => {
    fn();
    setOffset(0);
    setSelected(new Set());
  };
  const sortBy = (s: Sort) =>
    refilter(() => {
      if (s === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
      else {
        setSort(s);
        setOrder(s === 'size' || s === 'starred' ? 'desc' : 'asc');
      }
    });
  const header = (s: Sort, label: string, className?: string) => (
    <th
      className={className}
      aria-sort={s === sort ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button type="button" className="sort" onClick={() => sortBy(s)}>
        {label}
        {s === sort ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  const page = list.data;
  const rows = page?.items ?? [];
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <section>
      <h1>Mailboxes – {current.name}</h1>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search source or destination login…"
          aria-label="Search mailboxes"
          value={search}
          onChange={(e) => refilter(() => setSearch(e.target.value))}
        />
        <label className="inline">
          Status
          <select
            value={status ?? ''}
            onChange={(e) => refilter(() => setStatus((e.target.value || undefined) as Query['status']))}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={starredOnly}
            onChange={(e) => refilter(() => setStarredOnly(e.target.checked))}
          />
          starred only
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => setEditing('new')}>
          Add a mailbox
        </button>
        <Link to="/mailboxes/import" className="button">
          Import CSV
        </Link>
        <Link to="/mailboxes/discover" className="button">
          Find on the source
        </Link>
      </div>
      {editing && (
        <MailboxForm
          projectId={current.id}
          mailbox={editing === 'new' ? undefined : editing}
          onDone={(changed) => {
            setEditing(undefined);
            if (changed) refresh();
          }}
        />
      )}
      <BulkBar
        projectId={current.id}
        selected={[...selected]}
        filter={filter}
        total={page?.total ?? 0}
        onDone={() => (setSelected(new Set()), refresh())}
      />
      <ProblemNote problem={list.error} />
      {page && page.total > page.limit && (
        <Pager offset={page.offset} limit={page.limit} total={page.total} onOffset={setOffset} />
      )}
      <table className="grid mailboxes">
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select all on this page"
                checked={allOnPage}
                onChange={() => setSelected(allOnPage ? new Set() : new Set(rows.map((r) => r.id)))}
              />
            </th>
            {header('starred', '★')}
            {header('name', 'Source login')}
            {header('destination', 'Destination login')}
            {header('status', 'Status')}
            {header('size', 'Size', 'num')}
            <th className="num">Messages</th>
            <th>Moves</th>
            <th>Last error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <MailboxRow
              key={m.id}
              m={m}
              checked={selected.has(m.id)}
              onToggle={() => toggle(m.id)}
              onEdit={() => setEditing(m)}
              onChanged={refresh}
            />
          ))}
          {page && rows.length === 0 && (
            <tr>
              <td colSpan={10} className="empty">
                {settled || status || starredOnly
                  ? 'No mailbox matches the search or filter.'
                  : 'No mailboxes yet: add one or import a CSV.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {page && <Pager offset={page.offset} limit={page.limit} total={page.total} onOffset={setOffset} />}
      {list.loading && <p className="muted">Loading…</p>}
    </section>
  );
}
