/** The log of every message Cutover sent or tried for a project: to whom, for which mailbox, when, and how it went. */
import { useState } from 'react';
import { api } from '../api/api.js';
import { useLoad } from '../api/use-api.js';
import { when } from '../components/format.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';

const STATUS: Record<string, [string, string]> = {
  sent: ['done', 'sent'],
  pending: ['running', 'sending'],
  failed: ['failed', 'failed (tried again later)'],
  refused: ['failed', 'refused'],
  uncertain: ['active', 'uncertain (may have arrived)'],
};

/** What an event key means to a person (reminder:2027-01-09 → reminder of 2027-01-09). */
function eventWords(event: string): string {
  const [kind, rest] = event.split(/:(.*)/s);
  const words: Record<string, string> = {
    announcement: 'announcement',
    reminder: 'reminder',
    'dns-change': 'DNS change',
    alert: 'alert',
    'pre-cutover': 'day before the cutover',
    completion: 'completion',
    test: 'test',
  };
  if (kind === 'test') return `test of the ${words[rest?.split(':')[0] ?? ''] ?? 'template'}`;
  const w = words[kind ?? ''] ?? event;
  return rest ? `${w} (${rest})` : w;
}

/** The project's log, newest first; `tick` reloads it (after a send). */
export function CommsLog({ projectId, tick }: { projectId: number; tick: number }) {
  const [offset, setOffset] = useState(0);
  const log = useLoad(
    () =>
      api('GET /api/projects/{id}/comms/messages', {
        path: { id: projectId },
        query: { offset, limit: 50 },
      }),
    [projectId, offset, tick],
  );
  const d = log.data;
  return (
    <>
      <h2>Messages sent</h2>
      <ProblemNote problem={log.error} />
      {d && d.total === 0 && <p className="muted">No message has been sent yet.</p>}
      {d && d.total > 0 && (
        <table className="grid comms-log">
          <thead>
            <tr>
              <th>When</th>
              <th>To</th>
              <th>Mailbox</th>
              <th>Message</th>
              <th>Subject</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {d.items.map((m) => {
              const [tone, words] = STATUS[m.status] ?? ['idle', m.status];
              return (
                <tr key={m.id}>
                  <td>{when(m.updatedAt)}</td>
                  <td>{m.recipient}</td>
                  <td>{m.mailbox ?? '—'}</td>
                  <td>{eventWords(m.event)}</td>
                  <td>{m.subject}</td>
                  <td>
                    <Status value={tone} label={words} />
                    {m.error && <div className="error-text small">{m.error}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {d && d.total > d.limit && (
        <Pager offset={d.offset} limit={d.limit} total={d.total} onOffset={setOffset} />
      )}
    </>
  );
}
