/**
 * Plan: the project's cutover plan in the order of a planner — dates, mode, communications, DNS, phases,
 * address replacements — editable at any time, and below it the order summary: what moves, the estimate and
 * the suggested cutover with why, every critical and advisory warning, per mailbox, the scheduled phases with
 * the next run, and the plan export (CSV, XLSX).
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import { hrefOf } from '../api/client.js';
import { useLoad } from '../api/use-api.js';
import { bytes, count, when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { NoProject, useProjects } from '../project-context.js';
import { Link } from '../router.js';
import { PlanForm, wallClock } from './plan-form.js';

/** A side's credential state in words: whose login opens it, or that the user's password is still needed. */
const need = (c: string) =>
  c === 'admin' ? 'admin login' : c === 'present' ? 'password given' : "user's password needed";

const PHASE_WORDS: Record<string, string> = {
  prestage: 'Pre-stage (older items)',
  recent: 'Recent items',
  delta: 'Nightly delta pass',
  final: 'Final sync at cutover',
  catchup: 'Catch-up pass',
};

/** The Plan page of the chosen project. */
export function PlanPage() {
  const { current, reload } = useProjects();
  const [saved, setSaved] = useState(false);
  const summary = useLoad(
    () =>
      current ? api('GET /api/projects/{id}/plan', { path: { id: current.id } }) : Promise.resolve(undefined),
    [current?.id],
  );
  if (!current) return <NoProject title="Plan" />;
  const s = summary.data;
  const tz = current.timezone;
  const local = (iso: string | null | undefined) =>
    iso ? `${wallClock(iso, tz).replace('T', ' ')} (${tz})` : '–';
  const href = (format: 'csv' | 'xlsx') =>
    hrefOf('GET /api/projects/{id}/plan', { path: { id: current.id }, query: { format } });
  const critical = s?.warnings.filter((w) => w.level === 'critical') ?? [];
  const advisory = s?.warnings.filter((w) => w.level === 'advisory') ?? [];
  return (
    <section>
      <h1>Plan – {current.name}</h1>
      <p className="muted">
        Change any of it at any time; the summary below follows. The tracker&apos;s final-sync stage waits for
        the cutover date.
      </p>
      <ProblemNote problem={summary.error} />
      {s?.suggestedWhy && (
        <p className="suggestion">
          <strong>Suggested cutover: {local(s.suggestedCutover)}.</strong> {s.suggestedWhy}
        </p>
      )}
      <PlanForm
        key={`${current.id}-${current.updatedAt ?? ''}`}
        project={current}
        suggested={s?.suggestedCutover ?? null}
        onSaved={() => {
          setSaved(true);
          reload();
          summary.reload();
        }}
      />

      {saved && <p className="notice">Plan saved. The summary below is up to date.</p>}
      {s && (
        <>
          <h2>Order summary</h2>
          <div className="card summary">
            <dl className="facts">
              <dt>Mailboxes</dt>
              <dd>
                {count(s.mailboxes)} ({count(s.starred)} starred) · {count(s.messages)} items ·{' '}
                {bytes(s.bytes)}
                {s.scan ? ` · sizes from scan #${s.scan.id}` : ''}
              </dd>
              <dt>Item types</dt>
              <dd>{s.itemTypes.join(', ')}</dd>
              <dt>Mode</dt>
              <dd>{s.mode}</dd>
              <dt>Communications</dt>
              <dd>
                {s.communications}
                {s.contact ? ` (${s.contact})` : ''}, from {local(s.notifyFrom)}
              </dd>
              <dt>Cutover</dt>
              <dd>{s.cutover ? local(s.cutover) : 'not set yet'}</dd>
              <dt>Estimated finish</dt>
              <dd>
                {s.estimate.finish ? local(s.estimate.finish) : 'not within a year'}
                {s.estimate.hours !== null ? ` (${s.estimate.hours.toFixed(1)} h; ${s.estimate.basis})` : ''}
              </dd>
              <dt>DNS</dt>
              <dd>
                {s.dns}
                {s.domains.length ? ` for ${s.domains.join(', ')} — ` : ' — '}
                <Link to="/dns">DNS page</Link>
              </dd>
            </dl>
            {critical.length > 0 && (
              <div className="problem">
                <strong>{critical.length} critical</strong>
                <ul>
                  {critical.map((w) => (
                    <li key={w.text}>{w.text}</li>
                  ))}
                </ul>
              </div>
            )}
            {advisory.length > 0 && (
              <div className="warning">
                <strong>{advisory.length} advisory</strong>
                <ul>
                  {advisory.map((w) => (
                    <li key={w.text}>{w.text}</li>
                  ))}
                </ul>
              </div>
            )}
            {s.warnings.length === 0 && <p className="notice">No warnings.</p>}
            <p className="report-links">
              Export the plan:{' '}
              <a className="button" href={href('csv')} download>
                CSV
              </a>{' '}
              <a className="button" href={href('xlsx')} download>
                XLSX
              </a>
            </p>
          </div>

          <h2>Scheduled phases</h2>
          <p>
            Next run:{' '}
            {s.nextPhase ? (
              <strong>
                {PHASE_WORDS[s.nextPhase.phase] ?? s.nextPhase.phase}, {local(s.nextPhase.at)}
              </strong>
            ) : (
              'none pending'
            )}
          </p>
          <table className="grid phases">
            <thead>
              <tr>
                <th>Phase</th>
                <th>When</th>
                <th>Status</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {s.phases.map((ph) => (
                <tr key={ph.phase + ph.at}>
                  <td>{PHASE_WORDS[ph.phase] ?? ph.phase}</td>
                  <td>{local(ph.at)}</td>
                  <td>
                    <Status value={ph.status === 'pending' ? 'waiting' : ph.status} label={ph.status} />
                  </td>
                  <td>{ph.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h2>Per mailbox</h2>
          <table className="grid plan-rows">
            <thead>
              <tr>
                <th>Mailbox</th>
                <th>Destination</th>
                <th className="num">Items</th>
                <th className="num">Size</th>
                <th className="num">Already there</th>
                <th className="num">Hours</th>
                <th>Estimated end</th>
                <th>Credentials</th>
              </tr>
            </thead>
            <tbody>
              {s.rows.map((r) => (
                <tr key={r.mailbox}>
                  <td>
                    {r.starred ? '★ ' : ''}
                    {r.mailbox}
                  </td>
                  <td>{r.destination}</td>
                  <td className="num">{count(r.messages)}</td>
                  <td className="num">{bytes(r.bytes)}</td>
                  <td className="num">{count(r.alreadyMigrated)}</td>
                  <td className="num">{r.hours.toFixed(2)}</td>
                  <td>{r.estimatedEnd ? when(r.estimatedEnd) : '–'}</td>
                  <td>
                    <Status
                      value={r.credentials === 'missing' ? 'failed' : 'done'}
                      label={`source: ${need(r.credentials)}`}
                    />{' '}
                    <Status
                      value={r.destCredentials === 'missing' ? 'failed' : 'done'}
                      label={`destination: ${need(r.destCredentials)}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
