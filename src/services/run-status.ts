/**
 * Where a project's run stands, as the API shows it, whether this server runs the pass or another process
 * does (then read from the run's rows in the store), and how a run's mailbox rows become live events.
 */
import type { RunMailboxRow } from '../store/run-repo.js';
import type { MailboxOutcome } from './mailbox-endpoints.js';
import type { Phase } from './phases.js';
import type { RunEvents } from './run-events.js';
import type { RunRecord } from './stored-runs.js';

/** Where a project's run stands. */
export interface RunStatus {
  projectId: number;
  state: 'idle' | 'running' | 'pausing' | 'paused';
  startedAt: string | null;
  finishedAt: string | null;
  mailboxIds: number[];
  /** The phase of the pass (null = everything). */
  phase: Phase | null;
  outcome: { done: number; failed: number; stopped: number } | null;
  error: string | null;
  throttledMailboxIds: number[];
  /** Where the pass was started when not by this server (another server, a CLI); null: by this one. */
  startedBy: string | null;
}

/** No pass yet. */
export function idleStatus(projectId: number): RunStatus {
  return {
    projectId,
    state: 'idle',
    startedAt: null,
    finishedAt: null,
    mailboxIds: [],
    phase: null,
    outcome: null,
    error: null,
    throttledMailboxIds: [],
    startedBy: null,
  };
}

/** A run of another process as the store has it (a pause shows as pausing until its mailboxes stop). */
export function recordStatus(projectId: number, rec: RunRecord): RunStatus {
  const over = rec.run.finishedAt !== null;
  const cancelled = rec.run.state === 'cancelled';
  return {
    projectId,
    state: over ? (cancelled ? 'paused' : 'idle') : cancelled ? 'pausing' : 'running',
    startedAt: rec.run.createdAt,
    finishedAt: rec.run.finishedAt,
    mailboxIds: rec.mailboxes.map((m) => m.mailboxId),
    phase: (rec.run.phase as Phase | null) ?? null,
    outcome: over ? countRows(rec.mailboxes) : null,
    error: null,
    throttledMailboxIds: [],
    startedBy: rec.run.origin ?? 'another process',
  };
}

/** Outcome counts of a pass's mailboxes. */
export function count(outcomes: MailboxOutcome[]): { done: number; failed: number; stopped: number } {
  const c = { done: 0, failed: 0, stopped: 0 };
  for (const o of outcomes) c[o.status]++;
  return c;
}

/** A run's mailbox rows as outcomes (a mailbox that did not end counts as stopped). */
export function rowOutcomes(rows: RunMailboxRow[]): MailboxOutcome[] {
  return rows.map((r) => ({
    mailboxId: r.mailboxId,
    label: r.sourceUser,
    status: r.state === 'done' || r.state === 'failed' ? r.state : 'stopped',
    ...(r.counters ? { counters: r.counters } : {}),
    ...(r.error ? { error: r.error } : {}),
  }));
}

function countRows(rows: RunMailboxRow[]) {
  return count(rowOutcomes(rows));
}

/** What turns each look at a run's mailboxes into the hub's started/finished events (changes only). */
export function mirrorInto(hub: RunEvents): (rows: RunMailboxRow[]) => void {
  const seen = new Map<number, string>();
  return (rows) => {
    for (const r of rows) {
      if (seen.get(r.mailboxId) === r.state) continue;
      seen.set(r.mailboxId, r.state);
      if (r.state === 'running') hub.started(r.mailboxId, r.sourceUser);
      else if (r.state !== 'queued') hub.finished(r.mailboxId, r.state);
    }
  };
}
