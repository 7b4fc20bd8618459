/**
 * The last verification (the destination read back and compared with the source and the ledger) and a
 * "Verify now" button: on the mailbox page with what differs per folder, on the tracker's final-sync stage
 * for the whole project. A verification runs on the server; the button waits for it and reloads.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { count, when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';

type Last = ResponseOf<'GET /api/mailboxes/{id}/verification'>;
type Verification = NonNullable<Last['verification']>;
type Stage = ResponseOf<'GET /api/projects/{id}/tracker'>['stages'][number];

const RESULT_WORDS = { matches: 'matches', differs: 'differs', failed: 'could not be read back' } as const;
const RESULT_TONE = { matches: 'good', differs: 'bad', failed: 'bad' } as const;
/** Differences listed on the page; the JSON of `cutover verify` has them all. */
const LIST_CAP = 100;

/** "Verify now" (optionally comparing content); calls `onDone` when the verification has ended. */
export function VerifyNow(props: { projectId: number; mailboxId?: number; onDone: () => void }) {
  const { projectId: id, mailboxId } = props;
  const action = useAction();
  const [deep, setDeep] = useState(false);
  const [running, setRunning] = useState(false);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  const go = async () => {
    const started = await action.run(() =>
      api('POST /api/projects/{id}/verify', {
        path: { id },
        body: { ...(mailboxId ? { mailboxId } : {}), deep },
      }),
    );
    if (!started) return;
    setRunning(true);
    for (let s = started; s.state === 'running' && alive.current;) {
      await new Promise((r) => setTimeout(r, 1000));
      const next = await action.run(() => api('GET /api/projects/{id}/verify', { path: { id } }));
      if (!next) break;
      s = next;
    }
    if (alive.current) {
      setRunning(false);
      props.onDone();
    }
  };
  return (
    <div className="verify-now">
      <label>
        <input type="checkbox" checked={deep} onChange={(e) => setDeep(e.target.checked)} /> compare content
        too (reads every message on both sides)
      </label>{' '}
      <button type="button" disabled={action.busy || running} onClick={() => void go()}>
        {running ? 'Verifying…' : 'Verify now'}
      </button>
      <ProblemNote problem={action.error} />
    </div>
  );
}

/** One line of counts. */
function Counts({ v }: { v: Pick<Verification, 'missing' | 'flagsDiffer' | 'extra' | 'altered'> }) {
  return (
    <>
      {count(v.missing)} missing, {count(v.flagsDiffer)} with other flags, {count(v.extra)} extra,{' '}
      {count(v.altered)} altered
    </>
  );
}

/** The mailbox page's section: the last verification, what differs per folder, and "Verify now". */
export function MailboxVerification(props: { projectId: number; mailboxId: number; onVerified: () => void }) {
  const { projectId, mailboxId } = props;
  const last = useLoad(
    () => api('GET /api/mailboxes/{id}/verification', { path: { id: mailboxId } }),
    [mailboxId],
  );
  const v = last.data?.verification;
  const rows = v ? differences(v) : [];
  const [all, setAll] = useState(false);
  return (
    <div className="verification">
      <ProblemNote problem={last.error} />
      {last.data && !v && (
        <p className="muted">
          Never verified: the report says “ledger only, not verified” until the destination is read back.
        </p>
      )}
      {v && (
        <p>
          Last verification {when(v.finishedAt)} (
          {v.mode === 'deep' ? 'content compared' : 'keys, sizes and flags'}
          ): <span className={`pill tone-${RESULT_TONE[v.result]}`}>{RESULT_WORDS[v.result]}</span> —{' '}
          {count(v.checked)} checked, <Counts v={v} />
          {v.error ? `: ${v.error}` : ''}
        </p>
      )}
      {rows.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Folder</th>
              <th>What</th>
              <th className="num">Source UID</th>
              <th className="num">Destination UID</th>
              <th>Message-ID</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {(all ? rows : rows.slice(0, LIST_CAP)).map((d, i) => (
              <tr key={i}>
                <td>{d.folder}</td>
                <td className="error-text">{d.what}</td>
                <td className="num">{d.sourceUid ?? '–'}</td>
                <td className="num">{d.destUid ?? '–'}</td>
                <td>{d.item ?? d.messageId ?? '–'}</td>
                <td>{d.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > LIST_CAP && !all && (
        <p className="muted">
          … {count(rows.length - LIST_CAP)} more.{' '}
          <button type="button" className="link" onClick={() => setAll(true)}>
            Show all {count(rows.length)}
          </button>
        </p>
      )}
      <VerifyNow
        projectId={projectId}
        mailboxId={mailboxId}
        onDone={() => {
          last.reload();
          props.onVerified();
        }}
      />
    </div>
  );
}

/** Every difference of a verification as table rows. */
function differences(v: Verification) {
  return v.folders.flatMap((f) => [
    ...(f.error
      ? [
          {
            folder: f.source,
            what: 'not verified',
            sourceUid: null,
            destUid: null,
            messageId: null,
            detail: f.error,
          },
        ]
      : []),
    ...f.missing.map((m) => ({
      folder: f.source,
      what: 'missing',
      ...m,
      detail: m.cause === 'lost' ? 'the ledger said copied; the next pass copies it again' : 'not copied yet',
    })),
    ...f.flagsDiffer.map((m) => ({
      folder: f.source,
      what: 'other flags',
      ...m,
      detail: `source ${m.source.join(' ') || '(none)'}, destination ${m.destination.join(' ') || '(none)'}`,
    })),
    ...f.extra.map((m) => ({
      folder: f.source,
      what: 'extra copy',
      ...m,
      detail: `repeats source UID ${m.sourceUid}`,
    })),
    ...f.altered.map((m) => ({ folder: f.source, what: 'altered', ...m, detail: m.reason })),
    ...(f.notCompared
      ? [
          {
            folder: f.source,
            what: 'content',
            sourceUid: null,
            destUid: null,
            messageId: null,
            detail: f.notCompared,
          },
        ]
      : []),
  ]);
}

/** The tracker's final-sync stage: what the last verifications of the project's mailboxes found. */
export function ProjectVerification(props: {
  projectId: number;
  stage: Stage | undefined;
  onDone: () => void;
}) {
  const v = props.stage?.verification;
  return (
    <div className="card verification">
      <h3>Final sync: read back from the destination</h3>
      {v && (
        <p>
          {count(v.matches)} of {count(v.mailboxes)} mailbox(es) match
          {v.differs ? `, ${count(v.differs)} differ` : ''}
          {v.failed ? `, ${count(v.failed)} could not be read back` : ''}
          {v.outdated ? `, ${count(v.outdated)} changed by a pass since` : ''}
          {v.notVerified ? `, ${count(v.notVerified)} never verified` : ''}
          {v.lastAt ? ` · last ${when(v.lastAt)}` : ''}
          {v.missing + v.flagsDiffer + v.extra + v.altered > 0 && (
            <>
              {' '}
              · <Counts v={v} />
            </>
          )}
        </p>
      )}
      <VerifyNow projectId={props.projectId} onDone={props.onDone} />
    </div>
  );
}
