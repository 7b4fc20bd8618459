/**
 * DNS: per mail domain of the plan, the records the destination needs, the ones live now and the difference;
 * the zone file to hand to whoever runs the name servers; "Apply" (RFC 2136 update, when the plan names a
 * primary name server with its key) and "Check now" (is the change visible yet — what the tracker's DNS
 * stage shows).
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import { hrefOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { NoProject, useProjects } from '../project-context.js';
import { Link } from '../router.js';

const MODE_WORDS: Record<string, string> = {
  'self-service': 'you change the records yourself, following the steps below',
  'zone-file': 'you load the zone file below on your name servers',
  dynamic: 'Cutover updates the primary name server itself (RFC 2136) when you press Apply',
};
const STATUS_WORDS: Record<string, [string, string]> = {
  ready: ['done', 'ready: every record is visible'],
  failing: ['failed', 'not ready'],
  pending: ['waiting', 'not checked yet'],
  'not-needed': ['done', 'nothing to change'],
};

/** The DNS page of the chosen project. */
export function DnsPage() {
  const { current } = useProjects();
  if (!current) return <NoProject title="DNS" />;
  return <Dns key={current.id} projectId={current.id} name={current.name} />;
}

function Dns({ projectId, name }: { projectId: number; name: string }) {
  const view = useLoad(() => api('GET /api/projects/{id}/dns', { path: { id: projectId } }), [projectId]);
  const tracker = useLoad(
    () => api('GET /api/projects/{id}/tracker', { path: { id: projectId } }),
    [projectId],
  );
  const check = useAction();
  const apply = useAction();
  const [applied, setApplied] = useState<string>();
  const v = view.data;
  const checked = tracker.data?.stages.find((s) => s.key === 'dns')?.domains ?? [];

  const checkNow = () =>
    void check.run(async () => {
      await api('POST /api/projects/{id}/dns/check', {
        path: { id: projectId },
        body: { timeoutSeconds: 10 },
      });
      tracker.reload();
    });
  const applyNow = () =>
    void apply.run(async () => {
      const r = await api('POST /api/projects/{id}/dns/apply', { path: { id: projectId } });
      setApplied(
        r.applied
          ? `Sent ${r.applied} change(s) for ${r.domains.join(', ')}. Press “Check now” to see whether they are visible.`
          : 'Nothing to send: the live records are the needed ones.',
      );
      view.reload();
    });

  return (
    <section>
      <h1>DNS – {name}</h1>
      <p className="muted">
        At cutover, mail for your domains must start going to the destination: its MX, SPF and client set-up
        records replace the old system&apos;s. This page looks the records up now.
      </p>
      <ProblemNote problem={view.error ?? tracker.error} />
      {view.loading && !v && <p className="muted">Looking the records up…</p>}
      {v && v.domains.length === 0 && !v.problem && (
        <p className="warning">
          The plan moves no mail domain, so no DNS change is needed. Add your mail domains on the{' '}
          <Link to="/plan">Plan page</Link> to plan the change.
        </p>
      )}
      {v?.problem && <div className="problem">The lookups failed: {v.problem}</div>}
      {v && (
        <>
          <p>
            How: <strong>{v.mode}</strong> — {MODE_WORDS[v.mode] ?? v.mode}. Asked:{' '}
            {v.server ? <code>{v.server}</code> : 'the system resolver'}, {when(v.lookedUpAt)}.
          </p>
          {v.domains.length > 0 && (
            <div className="actions">
              <button type="button" className="primary" disabled={check.busy} onClick={checkNow}>
                {check.busy ? 'Checking…' : 'Check now'}
              </button>
              <button
                type="button"
                disabled={!v.canApply || apply.busy}
                onClick={applyNow}
                title={v.canApply ? undefined : 'Needs the primary name server and its TSIG key in the plan'}
              >
                Apply the changes to {v.server ?? 'the name server'}
              </button>
              <button type="button" disabled={view.loading} onClick={view.reload}>
                Look up again
              </button>
            </div>
          )}
          {v.domains.length > 0 && !v.canApply && (
            <p className="muted">
              Apply is off: the plan names no primary name server with a TSIG key. Set them on the{' '}
              <Link to="/plan">Plan page</Link>, or use the zone file or the steps.
            </p>
          )}
          <ProblemNote problem={check.error ?? apply.error} />
          {applied && <p className="notice">{applied}</p>}
          {v.domains.map((d) => {
            const c = checked.find((x) => x.domain === d.domain);
            const [tone, words] = STATUS_WORDS[c?.status ?? 'pending'] ?? ['idle', c?.status ?? ''];
            return (
              <article key={d.domain} className="card dns-domain">
                <h2>
                  {d.domain} <Status value={tone} label={words} />
                </h2>
                {c?.checkedAt && (
                  <p className="muted">
                    Last checked {when(c.checkedAt)}
                    {c.reason ? `: ${c.reason}` : '.'}
                  </p>
                )}
                <div className="dns-columns">
                  <div>
                    <h3>Needed</h3>
                    <ul className="records">
                      {d.required.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  </div>
                  <div>
                    <h3>Live now</h3>
                    <ul className="records">
                      {d.current.length ? d.current.map((r) => <li key={r}>{r}</li>) : <li>none</li>}
                    </ul>
                  </div>
                </div>
                <h3>Difference</h3>
                {d.changes.length === 0 ? (
                  <p className="notice">Nothing to change: the live records are the needed ones.</p>
                ) : (
                  <ul className="records">
                    {d.changes.map((ch) => (
                      <li key={ch.text} className={`change-${ch.action}`}>
                        {ch.text}
                      </li>
                    ))}
                  </ul>
                )}
                {d.steps.length > 0 && (
                  <>
                    <h3>Steps, in order</h3>
                    <ol>
                      {d.steps.map((st) => (
                        <li key={st.at + st.text}>
                          <strong>{when(st.at)}</strong> — {st.text}
                        </li>
                      ))}
                    </ol>
                  </>
                )}
                <p>
                  <a
                    className="button"
                    download
                    href={hrefOf('GET /api/projects/{id}/dns/zone', {
                      path: { id: projectId },
                      query: { domain: d.domain },
                    })}
                  >
                    Download the zone file of {d.domain}
                  </a>
                </p>
              </article>
            );
          })}
        </>
      )}
    </section>
  );
}
