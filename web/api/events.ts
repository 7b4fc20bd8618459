/**
 * Live events of a project (GET /api/projects/{id}/events, server-sent events) as React state: the run's
 * status, per-mailbox progress, throughput samples for the chart, throttled mailboxes. EventSource
 * reconnects by itself; each (re)connection starts with a `snapshot` event.
 */
import { useEffect, useState } from 'react';
import type { EventStreams } from './types.gen.js';

type Stream = EventStreams['GET /api/projects/{id}/events'];
/** The run's status as the snapshot gives it. */
export type RunStatus = Stream['snapshot']['status'];
/** One mailbox's progress in the current run. */
export type MailboxProgress = Stream['progress']['mailboxes'][number];
/** A throughput sample. */
export type Sample = Omit<Stream['throughput'], 'throttledMailboxIds'>;

/** What the tracker draws. */
export interface LiveState {
  connected: boolean;
  status: RunStatus | undefined;
  mailboxes: Map<number, MailboxProgress>;
  samples: Sample[];
  throttled: number[];
  /** Bumped on run-finished and alert events: time to reload the summary. */
  changes: number;
}

/** Samples kept for the chart (one a second: ten minutes). */
const KEEP = 600;

/** Subscribe to project `id`'s events while mounted. */
export function useProjectEvents(id: number | undefined): LiveState {
  const [state, setState] = useState<LiveState>(() => empty());
  useEffect(() => {
    setState(empty());
    if (id === undefined) return;
    const source = new EventSource(`/api/projects/${id}/events`);
    const on = <K extends keyof Stream>(name: K, fn: (data: Stream[K], s: LiveState) => Partial<LiveState>) =>
      source.addEventListener(name, (e: MessageEvent<string>) => {
        const data = JSON.parse(e.data) as Stream[K];
        setState((s) => ({ ...s, ...fn(data, s) }));
      });
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    source.onerror = () => setState((s) => ({ ...s, connected: false }));
    on('snapshot', (d) => ({
      status: d.status,
      mailboxes: new Map(d.mailboxes.map((m) => [m.mailboxId, m])),
      throttled: d.status.throttledMailboxIds,
    }));
    on('run-started', (_d, s) => ({
      status: s.status && { ...s.status, state: 'running' },
      mailboxes: new Map(),
      changes: s.changes + 1,
    }));
    on('run-finished', (d, s) => ({
      status: s.status && {
        ...s.status,
        state: 'idle',
        finishedAt: d.at,
        outcome: { done: d.done, failed: d.failed, stopped: d.stopped },
      },
      throttled: [],
      changes: s.changes + 1,
    }));
    on('progress', (d, s) => {
      const mailboxes = new Map(s.mailboxes);
      for (const m of d.mailboxes) mailboxes.set(m.mailboxId, m);
      return { mailboxes };
    });
    on('throughput', (d, s) => {
      const { throttledMailboxIds, ...sample } = d;
      return { samples: [...s.samples.slice(-(KEEP - 1)), sample], throttled: throttledMailboxIds };
    });
    on('alert', (_d, s) => ({ changes: s.changes + 1 }));
    return () => source.close();
  }, [id]);
  return state;
}

function empty(): LiveState {
  return {
    connected: false,
    status: undefined,
    mailboxes: new Map(),
    samples: [],
    throttled: [],
    changes: 0,
  };
}
