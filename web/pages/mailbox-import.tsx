/**
 * CSV import in two steps: the preview shows each row as it would be stored (add, update, or a conflict with
 * another project) and every bad row with its line number and what to fix; "Import" then stores the good rows.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { useProjects } from '../project-context.js';
import { Link } from '../router.js';

type Preview = ResponseOf<'POST /api/projects/{id}/mailboxes/import/preview'>;
type Result = ResponseOf<'POST /api/projects/{id}/mailboxes/import/commit'>;
const SHOWN = 500;

/** The import page of the current project. */
export function MailboxImportPage() {
  const { current, reload } = useProjects();
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<Preview>();
  const [result, setResult] = useState<Result>();
  const action = useAction();
  if (!current) return <p>No project yet.</p>;
  const id = current.id;

  const load = async (file: File | undefined) => {
    if (!file) return;
    setCsv(await file.text());
    setPreview(undefined);
    setResult(undefined);
  };
  const check = async () => {
    setResult(undefined);
    setPreview(
      await action.run(() =>
        api('POST /api/projects/{id}/mailboxes/import/preview', { path: { id }, body: { csv } }),
      ),
    );
  };
  const commit = async () => {
    const r = await action.run(() =>
      api('POST /api/projects/{id}/mailboxes/import/commit', { path: { id }, body: { csv } }),
    );
    if (r) {
      setResult(r);
      setPreview(undefined);
      reload();
    }
  };
  const good = preview ? preview.rows.filter((r) => r.action !== 'conflict').length : 0;

  return (
    <section>
      <p className="crumbs">
        <Link to="/mailboxes">Mailboxes</Link> ›
      </p>
      <h1>Import mailboxes – {current.name}</h1>
      <p className="muted">
        A CSV with a header row and one mailbox a line, e.g. <code>source,destination,star,since,items</code>{' '}
        then <code>alice@old.example,alice@new.example,yes,2020-01-01,mail</code>. Other columns:{' '}
        <code>before</code>, <code>max_size</code>, <code>source_password</code>,{' '}
        <code>destination_password</code>. Choose a file or paste it below, check it, then import. Nothing is
        stored before you press Import.
      </p>
      <div className="toolbar">
        <label>
          CSV file{' '}
          <input
            type="file"
            accept=".csv,text/csv"
            aria-label="CSV file"
            onChange={(e) => void load(e.target.files?.[0])}
          />
        </label>
      </div>
      <label>
        CSV text
        <textarea
          name="csv"
          rows={8}
          value={csv}
          spellCheck={false}
          onChange={(e) => {
            setCsv(e.target.value);
            setPreview(undefined);
          }}
        />
      </label>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!csv.trim() || action.busy}
          onClick={() => void check()}
        >
          Check (preview)
        </button>
      </div>
      <ProblemNote problem={action.error} onDismiss={action.clear} />
      {result && (
        <div className="notice">
          Imported: {result.added} added, {result.updated} updated
          {result.conflicts ? `, ${result.conflicts} left alone (in another project)` : ''}
          {result.errors.length ? `, ${result.errors.length} bad rows skipped` : ''}.{' '}
          <Link to="/mailboxes">See the mailboxes</Link>.
        </div>
      )}
      {preview && (
        <>
          <h2>
            Preview: {preview.rows.length + preview.errors.length} rows read – {good} to import
            {preview.errors.length ? `, ${preview.errors.length} with errors (skipped)` : ''}
          </h2>
          {preview.errors.length > 0 && (
            <RowProblems title="Rows that will not be imported" problems={preview.errors} tone="problem" />
          )}
          {preview.warnings.length > 0 && (
            <RowProblems title="Warnings" problems={preview.warnings} tone="warning" />
          )}
          <table className="grid">
            <thead>
              <tr>
                <th className="num">Line</th>
                <th>Source login</th>
                <th>Destination login</th>
                <th>★</th>
                <th>Moves</th>
                <th>What happens</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.slice(0, SHOWN).map((r) => (
                <tr key={r.line}>
                  <td className="num">{r.line}</td>
                  <td>{r.sourceUser}</td>
                  <td>{r.destUser}</td>
                  <td>{r.starred ? '★' : ''}</td>
                  <td className="muted">
                    {[
                      r.itemTypes?.join(', ') ?? 'project default',
                      r.since && `since ${r.since}`,
                      r.before && `before ${r.before}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </td>
                  <td>
                    <Status
                      value={r.action === 'conflict' ? 'failed' : r.action === 'add' ? 'done' : 'running'}
                      label={
                        r.action === 'conflict'
                          ? 'left alone: in another project'
                          : r.action === 'add'
                            ? 'added'
                            : 'updated'
                      }
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.rows.length > SHOWN && (
            <p className="muted">…and {preview.rows.length - SHOWN} more rows.</p>
          )}
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={good === 0 || action.busy}
              onClick={() => void commit()}
            >
              Import {good} mailbox{good === 1 ? '' : 'es'}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function RowProblems(props: { title: string; problems: Preview['errors']; tone: 'problem' | 'warning' }) {
  return (
    <div
      className={props.tone === 'problem' ? 'problem' : 'warning'}
      role={props.tone === 'problem' ? 'alert' : undefined}
    >
      <strong>{props.title}:</strong>
      <ul>
        {props.problems.map((p, i) => (
          <li key={`${p.line}-${i}`}>
            Line {p.line}: {p.message} <span className="hint">{p.hint}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
