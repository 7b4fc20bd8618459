/**
 * Communications: who the plan writes to, what stands in the way of sending, the schedule derived from the plan
 * (with "send what is due now"), the templates (edit, preview, test send) and the log of every message.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import { useAction, useLoad } from '../api/use-api.js';
import { when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { NoProject, useProjects } from '../project-context.js';
import { Link } from '../router.js';
import { CommsLog } from './comms-log.js';
import { CommsTemplates, KIND_WORDS } from './comms-templates.js';

const RECIPIENTS: Record<string, string> = {
  none: 'Nobody: Cutover sends no messages.',
  users: 'Each user, at their own address.',
  contact: 'A point of contact, who forwards each message to its user.',
  operator: 'You (the operator), to forward each message to its user.',
};

/** The Communications page of the chosen project. */
export function CommunicationsPage() {
  const { current } = useProjects();
  if (!current) return <NoProject title="Communications" />;
  return <Communications key={current.id} id={current.id} name={current.name} />;
}

function Communications({ id, name }: { id: number; name: string }) {
  const path = { id };
  const overview = useLoad(() => api('GET /api/projects/{id}/comms', { path }), [id]);
  const [logTick, setLogTick] = useState(0);
  const send = useAction();
  const [sent, setSent] = useState<string>();
  const o = overview.data;
  const now = Date.now();

  const sendDue = () =>
    void send.run(async () => {
      const r = await api('POST /api/projects/{id}/comms/run', { path });
      setSent(
        r.sent + r.failed === 0
          ? 'Nothing was due: every message due now has already gone out.'
          : `Sent ${r.sent} message(s)${r.failed ? `; ${r.failed} failed (see the log below)` : ''}.`,
      );
      setLogTick((t) => t + 1);
    });

  return (
    <section>
      <h1>Communications – {name}</h1>
      <p className="muted">
        Cutover writes to the people whose mailboxes move: an announcement with their personal link, reminders
        until their password is in, a note the day before the cutover, the DNS change and the end. The dates
        come from the plan.
      </p>
      <ProblemNote problem={overview.error} />
      {o && (
        <>
          <p>
            Who receives them: <strong>{RECIPIENTS[o.communications]}</strong> Change it on the{' '}
            <Link to="/plan">Plan page</Link>.
          </p>
          {o.warnings.map((w) => (
            <p key={w} className="warning">
              {w}
            </p>
          ))}
          <h2>Schedule</h2>
          {o.schedule.length === 0 ? (
            <p className="muted">
              Nothing is scheduled: the plan sends no messages or has no cutover date yet. Set them on the{' '}
              <Link to="/plan">Plan page</Link>.
            </p>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Message</th>
                  <th>From</th>
                  <th>Until</th>
                  <th>Now</th>
                </tr>
              </thead>
              <tbody>
                {o.schedule.map((w) => {
                  const open = Date.parse(w.from) <= now && (!w.until || Date.parse(w.until) > now);
                  return (
                    <tr key={w.event}>
                      <td>{KIND_WORDS[w.kind] ?? w.kind}</td>
                      <td>{when(w.from)}</td>
                      <td>{w.until ? when(w.until) : '—'}</td>
                      <td>{open ? 'due' : Date.parse(w.from) > now ? 'later' : 'over'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={send.busy || !o.smtpConfigured || o.communications === 'none'}
              onClick={sendDue}
            >
              {send.busy ? 'Sending…' : 'Send what is due now'}
            </button>
          </div>
          <p className="muted">
            {o.smtpConfigured
              ? 'Due messages also go out by themselves every few minutes; each person gets each message once.'
              : 'Nothing can be sent until the server has an SMTP server to send through.'}
          </p>
          <ProblemNote problem={send.error} onDismiss={send.clear} />
          {sent && <p className="notice">{sent}</p>}
          <CommsTemplates
            projectId={id}
            smtpConfigured={o.smtpConfigured}
            onSent={() => setLogTick((t) => t + 1)}
          />
        </>
      )}
      <CommsLog projectId={id} tick={logTick} />
    </section>
  );
}
