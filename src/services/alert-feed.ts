/**
 * Alerts raised or changed anywhere (the scan, the engine, the planner, another operator) reach a project's
 * live event stream: while someone watches the project, its alerts are looked at every few seconds and each
 * new or changed one goes out as an `alert` event.
 */
import type { AlertAdminRepo } from '../store/alert-admin-repo.js';
import type { RunEvents } from './run-events.js';

interface Watch {
  watchers: number;
  timer: NodeJS.Timeout;
  /** updated_at of the newest change sent, and the alerts sent at exactly that instant. */
  cursor: string;
  atCursor: Set<number>;
}

export class AlertFeed {
  private readonly watches = new Map<number, Watch>();

  constructor(
    private readonly deps: { alerts: AlertAdminRepo; events: (projectId: number) => RunEvents },
    private readonly intervalMs = 2000,
  ) {}

  /** Watch the project's alerts from now on; call the returned function to stop. */
  watch(projectId: number): () => void {
    let w = this.watches.get(projectId);
    if (!w) {
      const timer = setInterval(() => void this.poll(projectId).catch(() => undefined), this.intervalMs);
      timer.unref();
      w = { watchers: 0, timer, cursor: new Date().toISOString(), atCursor: new Set() };
      this.watches.set(projectId, w);
    }
    w.watchers++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--w.watchers === 0) {
        clearInterval(w.timer);
        this.watches.delete(projectId);
      }
    };
  }

  /** Send what changed since the last look (also called by the timer). */
  async poll(projectId: number): Promise<void> {
    const w = this.watches.get(projectId);
    if (!w) return;
    for (const a of await this.deps.alerts.changedSince(projectId, w.cursor)) {
      if (a.updatedAt === w.cursor && w.atCursor.has(a.id)) continue;
      if (a.updatedAt !== w.cursor) [w.cursor, w.atCursor] = [a.updatedAt, new Set()];
      w.atCursor.add(a.id);
      this.deps.events(projectId).emit({
        type: 'alert',
        data: { alertId: a.id, change: a.createdAt === a.updatedAt ? 'raised' : 'changed' },
      });
    }
  }

  /** Stop every watch (server shutdown). */
  close(): void {
    for (const w of this.watches.values()) clearInterval(w.timer);
    this.watches.clear();
  }
}
