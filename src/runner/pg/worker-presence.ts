/**
 * A worker process's entry in the `workers` table: announced when the process starts taking jobs, renewed
 * at each heartbeat of its queue with its load, marked stopped when the queue closes. The tracker reads the
 * table; a worker killed with SIGKILL simply stops renewing.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { WorkerLoad, WorkerRepo } from '../../store/worker-repo.js';

export class WorkerPresence {
  /** This process's worker id (random per queue instance). */
  readonly id = randomUUID();
  private announced = false;

  constructor(
    private readonly repo: WorkerRepo,
    private readonly host = os.hostname(),
    private readonly pid = process.pid,
  ) {}

  /** Say this worker is alive with this load (announcing it the first time, or if its row went away). */
  async beat(load: WorkerLoad): Promise<void> {
    const at = new Date();
    if (this.announced && (await this.repo.beat(this.id, load, at))) return;
    await this.repo.announce({ id: this.id, host: this.host, pid: this.pid, at, ...load });
    this.announced = true;
  }

  /** Mark this worker stopped (a no-op when it never announced itself). */
  async gone(): Promise<void> {
    if (this.announced) await this.repo.stopped(this.id, new Date());
  }
}
