/**
 * The plan's settings as a form (not a wizard: every field at once, changed at any time): cutover and
 * notification start in the project's time zone, migration mode, who receives the communications, DNS mode,
 * domains and name server, the phases, and address replacements. Saved whole with PATCH of the project.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api/api.js';
import type { BodyOf } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import type { Project } from '../project-context.js';

type PlanIn = NonNullable<BodyOf<'PATCH /api/projects/{id}'>['plan']>;
type Plan = Project['plan'];

/** An ISO instant as the `YYYY-MM-DDTHH:mm` wall clock of `timeZone` (what datetime-local inputs hold). */
export function wallClock(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The form; `suggested` fills the cutover with the suggested date; `onSaved` reloads the summary. */
export function PlanForm(props: { project: Project; suggested: string | null; onSaved: () => void }) {
  const { project } = props;
  const p: Plan = project.plan;
  const tz = project.timezone;
  const [cutover, setCutover] = useState(wallClock(p.cutover, tz));
  const [notifyFrom, setNotifyFrom] = useState(wallClock(p.notifyFrom, tz));
  const [mode, setMode] = useState(p.mode);
  const [communications, setCommunications] = useState(p.communications);
  const [contact, setContact] = useState(p.contact ?? '');
  const [dns, setDns] = useState(p.dns);
  const [domains, setDomains] = useState(p.domains.join('\n'));
  const [nsHost, setNsHost] = useState(p.dnsServer?.host ?? '');
  const [nsPort, setNsPort] = useState(String(p.dnsServer?.port ?? 53));
  const [keyName, setKeyName] = useState(p.dnsServer?.keyName ?? '');
  const [keySecret, setKeySecret] = useState('');
  const [mxHost, setMxHost] = useState(p.dnsTarget?.mxHost ?? '');
  const [prestage, setPrestage] = useState(p.prestageOlderThanDays?.toString() ?? '');
  const [recent, setRecent] = useState(p.recentMonths?.toString() ?? '');
  const [catchUp, setCatchUp] = useState(String(p.catchUpDays));
  const [replacements, setReplacements] = useState(
    p.addressReplacements.map((r) => `${r.from} → ${r.to}`).join('\n'),
  );
  const action = useAction();

  const body = (): PlanIn => ({
    cutover: cutover || null,
    notifyFrom: notifyFrom || null,
    mode,
    communications,
    contact: contact.trim() || null,
    dns,
    domains: lines(domains),
    dnsServer: nsHost.trim()
      ? {
          host: nsHost.trim(),
          port: Number(nsPort) || 53,
          ...(keyName.trim() ? { keyName: keyName.trim() } : {}),
          ...(keySecret ? { keySecret } : {}),
        }
      : null,
    dnsTarget: mxHost.trim() ? { ...(p.dnsTarget ?? { kind: 'imap' }), mxHost: mxHost.trim() } : p.dnsTarget,
    prestageOlderThanDays: prestage ? Number(prestage) : null,
    recentMonths: recent ? Number(recent) : null,
    catchUpDays: Number(catchUp) || 0,
    addressReplacements: lines(replacements).map((l) => {
      const [from = '', to = ''] = l.split(/\s*(?:→|->)\s*/);
      return { from, to };
    }),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await api('PATCH /api/projects/{id}', { path: { id: project.id }, body: { plan: body() } });
      setKeySecret('');
      props.onSaved();
    });
  };

  return (
    <form onSubmit={submit} aria-label="Plan">
      <fieldset>
        <legend>Dates (time zone {tz})</legend>
        <div className="form-grid">
          <label>
            Cutover (MX switch and final sync)
            <input
              type="datetime-local"
              name="cutover"
              value={cutover}
              onChange={(e) => setCutover(e.target.value)}
            />
          </label>
          <label>
            Communications start
            <input
              type="datetime-local"
              name="notifyFrom"
              value={notifyFrom}
              onChange={(e) => setNotifyFrom(e.target.value)}
            />
          </label>
        </div>
        {props.suggested && (
          <p>
            Suggested cutover: <strong>{wallClock(props.suggested, tz).replace('T', ' ')}</strong>{' '}
            <button type="button" onClick={() => setCutover(wallClock(props.suggested, tz))}>
              Use the suggested date
            </button>
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>How mailboxes are reached, and who hears about it</legend>
        <div className="form-grid">
          <label>
            Migration mode
            <select name="mode" value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
              <option value="credentials">users&apos; own passwords</option>
              <option value="admin">an admin login for all</option>
              <option value="oauth">users sign in (OAuth)</option>
            </select>
          </label>
          <label>
            Communications go to
            <select
              name="communications"
              value={communications}
              onChange={(e) => setCommunications(e.target.value as typeof communications)}
            >
              <option value="users">each user</option>
              <option value="contact">a point of contact, to forward</option>
              <option value="operator">the operator, to forward</option>
              <option value="none">nobody (no e-mails)</option>
            </select>
          </label>
          <label>
            Point of contact (e-mail)
            <input name="contact" value={contact} onChange={(e) => setContact(e.target.value)} />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>DNS</legend>
        <div className="form-grid">
          <label>
            How the records change
            <select name="dns" value={dns} onChange={(e) => setDns(e.target.value as typeof dns)}>
              <option value="self-service">by hand, following steps</option>
              <option value="zone">a zone file for my servers</option>
              <option value="dynamic">Cutover updates them (RFC 2136)</option>
            </select>
          </label>
          <label>
            Mail domains (one a line)
            <textarea name="domains" rows={2} value={domains} onChange={(e) => setDomains(e.target.value)} />
          </label>
          <label>
            New MX host (empty: the destination server)
            <input name="mxHost" value={mxHost} onChange={(e) => setMxHost(e.target.value)} />
          </label>
          <label>
            Primary name server (host)
            <input name="nsHost" value={nsHost} onChange={(e) => setNsHost(e.target.value)} />
          </label>
          <label>
            Its port
            <input
              name="nsPort"
              inputMode="numeric"
              value={nsPort}
              onChange={(e) => setNsPort(e.target.value)}
            />
          </label>
          <label>
            TSIG key name
            <input name="keyName" value={keyName} onChange={(e) => setKeyName(e.target.value)} />
          </label>
          <label>
            TSIG secret {p.dnsServer?.keySecretSet ? '(stored; empty keeps it)' : ''}
            <input
              name="keySecret"
              type="password"
              autoComplete="off"
              value={keySecret}
              onChange={(e) => setKeySecret(e.target.value)}
            />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Phases</legend>
        <div className="form-grid">
          <label>
            Pre-stage items older than (days)
            <input
              name="prestage"
              inputMode="numeric"
              value={prestage}
              onChange={(e) => setPrestage(e.target.value)}
            />
          </label>
          <label>
            Recent pass: the last (months; empty: none)
            <input
              name="recent"
              inputMode="numeric"
              value={recent}
              onChange={(e) => setRecent(e.target.value)}
            />
          </label>
          <label>
            Catch-up passes after cutover (days)
            <input
              name="catchUp"
              inputMode="numeric"
              value={catchUp}
              onChange={(e) => setCatchUp(e.target.value)}
            />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Address replacements</legend>
        <label>
          One a line, old → new (an address, or @old-domain → @new-domain)
          <textarea
            name="replacements"
            rows={3}
            value={replacements}
            onChange={(e) => setReplacements(e.target.value)}
          />
        </label>
      </fieldset>
      <ProblemNote problem={action.error} onDismiss={action.clear} />
      <button type="submit" className="primary" disabled={action.busy}>
        Save the plan
      </button>
    </form>
  );
}
