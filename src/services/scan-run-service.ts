/**
 * Scans started from the browser: one at a time per project, in the background, with live progress (mailboxes
 * and items seen so far) for the Scan page to poll. The scan itself is runScan, as `cutover scan` runs it, with
 * the passwords stored for each mailbox (from the portal, the operator or the project file).
 */
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/db.js';
import type { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { ScanRepo } from '../store/scan-repo.js';
import type { ProgressSink } from '../engine/progress.js';
import { asCutoverError } from '../errors.js';
import { loadStoredAuths } from './credential-auth.js';
import type { ProjectService } from './project-service.js';
import { memberSpec } from './run-project.js';
import { runScan, scanView, type ScanView } from './scan-service.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ScanStatus } from '../schemas/scan.js';

const idle = (): ScanStatus => ({
  state: 'idle',
  scanId: null,
  startedAt: null,
  finishedAt: null,
  mailboxes: 0,
  mailboxesDone: 0,
  items: 0,
  current: [],
  error: null,
});

/** Starts scans, tracks them, and shows a project's scans (only its own mailboxes). */
export class ScanRunService {
  private readonly status = new Map<number, ScanStatus>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      store: Store;
      projects: ProjectService;
      members: ProjectMailboxRepo;
      box: SecretBox;
    },
  ) {}

  /** The project's scan now (idle with the last outcome, or running with its progress). */
  current(projectId: number): ScanStatus {
    return this.status.get(projectId) ?? idle();
  }

  /** Start scanning the project's mailboxes (all, or those whose source login is in `only`). */
  async start(projectId: number, only: string[]): Promise<ScanStatus> {
    if (this.current(projectId).state === 'running')
      throw new ConflictError('A scan of this project is running.', 'Wait for it to finish.');
    const project = await this.deps.projects.runtime(projectId);
    const rows = (await this.deps.members.all(projectId)).filter(
      (m) => !only.length || only.includes(m.sourceUser),
    );
    if (!rows.length) throw new ConflictError('No mailboxes to scan.', 'Add mailboxes to the project first.');
    const stored = await loadStoredAuths(
      this.deps.store,
      rows.map((m) => m.id),
      this.deps.box,
    );
    project.mailboxes = rows.map((m) => {
      const spec = memberSpec(project, m.sourceUser, m.destUser, m.starred, m.options);
      return {
        ...spec,
        sourceAuth: stored.auth(m.id, 'source', m.sourceUser),
        destAuth: stored.auth(m.id, 'destination', m.destUser),
      };
    });
    const s: ScanStatus = {
      ...idle(),
      state: 'running',
      startedAt: new Date().toISOString(),
      mailboxes: rows.length,
    };
    this.status.set(projectId, s);
    const controller = new AbortController();
    this.controllers.set(projectId, controller);
    const labels = new Map<number, string>();
    const progress: ProgressSink = {
      planned: (id, label) => {
        labels.set(id, label);
        s.current = [...labels.values()];
      },
      advanced: (_id, items) => {
        s.items += items;
      },
      note: () => undefined,
      finished: (id) => {
        labels.delete(id);
        s.current = [...labels.values()];
        s.mailboxesDone++;
      },
    };
    const task = runScan(this.deps.store, project, {
      projectId,
      only: rows.map((m) => m.sourceUser),
      fresh: true,
      progress,
      signal: controller.signal,
      connectors: stored.connectors,
    }).then(
      (o) => {
        s.scanId = o.scanId;
        s.mailboxesDone = rows.length;
      },
      (err: unknown) => {
        s.error = asCutoverError(err).describe();
      },
    );
    const tracked = task.finally(() => {
      stored.close();
      s.state = 'idle';
      s.current = [];
      s.finishedAt = new Date().toISOString();
      this.controllers.delete(projectId);
      this.tasks.delete(tracked);
    });
    this.tasks.add(tracked);
    return s;
  }

  /** The project's own scans, newest first. */
  async list(projectId: number) {
    const out = [];
    for (const scan of await new ScanRepo(this.deps.store.db).list(projectId)) {
      const v = await this.view(projectId, scan.id).catch(() => undefined);
      if (v)
        out.push({
          id: scan.id,
          startedAt: scan.startedAt,
          finishedAt: scan.finishedAt,
          status: scan.status,
          mailboxes: v.mailboxes.length,
          items: v.mailboxes.reduce((n, m) => n + m.messages, 0),
          bytes: v.mailboxes.reduce((n, m) => n + m.bytes, 0),
        });
    }
    return out;
  }

  /** One of the project's scans (the newest by default); another project's scan is not found. */
  async view(projectId: number, scanId?: number): Promise<ScanView> {
    const v = await scanView(this.deps.store, projectId, scanId);
    if (!v)
      throw new NotFoundError(
        scanId ? `No scan ${scanId} of this project.` : 'No scan yet.',
        'Start a scan first.',
      );
    return v;
  }

  /** Stop running scans (server shutdown); a later scan starts afresh. */
  async close(): Promise<void> {
    for (const c of this.controllers.values()) c.abort();
    await Promise.allSettled([...this.tasks]);
  }
}
