/**
 * Import passwords from a CSV (source, source_password and/or destination_password), each checked by a real
 * login unless the operator turns that off; the outcome per line.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';

type Result = ResponseOf<'POST /api/credentials/import'>['rows'];

const TONE: Record<Result[number]['status'], string> = {
  stored: 'done',
  partial: 'active',
  refused: 'failed',
  unknown: 'failed',
  invalid: 'failed',
};

/** The import form; `onImported` refreshes the list above it. */
export function CredentialImport({ onImported }: { onImported: () => void }) {
  const [csv, setCsv] = useState('');
  const [verify, setVerify] = useState(true);
  const [rows, setRows] = useState<Result>();
  const action = useAction();

  const load = async (file: File | undefined) => {
    if (file) setCsv(await file.text());
  };
  const submit = () =>
    void action.run(async () => {
      const r = await api('POST /api/credentials/import', { body: { csv, verify } });
      setRows(r.rows);
      // The text holds passwords: not left on the screen once they are sealed.
      setCsv('');
      onImported();
    });

  return (
    <div className="card">
      <h2>Import passwords from a CSV</h2>
      <p className="muted">
        A header row, then one mailbox a line: <code>source,source_password</code> (and{' '}
        <code>destination_password</code> when the destination needs one too). <code>source</code> is the
        mailbox&apos;s source login. The file is not kept; each password is sealed on its own.
      </p>
      <label>
        CSV file{' '}
        <input
          type="file"
          accept=".csv,text/csv"
          aria-label="Credentials CSV file"
          onChange={(e) => void load(e.target.files?.[0])}
        />
      </label>
      <label>
        Credentials CSV text
        <textarea
          rows={5}
          value={csv}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setCsv(e.target.value)}
        />
      </label>
      <label className="inline">
        <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} /> Check each
        password by logging in before keeping it
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={!csv.trim() || action.busy} onClick={submit}>
          {action.busy ? 'Importing…' : 'Import passwords'}
        </button>
      </div>
      <ProblemNote problem={action.error} onDismiss={action.clear} />
      {rows && (
        <table className="grid">
          <thead>
            <tr>
              <th>Line</th>
              <th>Mailbox</th>
              <th>Outcome</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.line}>
                <td>{r.line}</td>
                <td>{r.mailbox}</td>
                <td>
                  <Status value={TONE[r.status]} label={r.status} />
                </td>
                <td>{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
