/**
 * Verifications started from the API ("Verify now"), in this process: one per project at a time, never
 * while the project's pass runs (nor a pass while it verifies: both hold the data directory's run lock
 * through RunService), and the last verification of a mailbox to show.
 */
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { VerificationRepo, type Verification } from '../store/verification-repo.js';
import { silentProgress } from '../engine/progress.js';
import type { ProjectService } from './project-service.js';
import type { RunService } from './run-service.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { runVerification, type VerifyOutcome } from './verify-service.js';

/** Where a project's verification stands. */
export interface VerifyStatus {
  projectId: number;
  state: 'idle' | 'running';
  startedAt: string | null;
  finishedAt: string | null;
  mailboxIds: number[];
  deep: boolean;
  outcome: { matches: number; differs: number; failed: number } | null;
  error: string | null;
}

/** Verifies; the real one unless a test gives another. */
export type Verifier = typeof runVerification;

export class VerifyRunService {
  private readonly state = new Map<
    number,
    { status: VerifyStatus; done: Promise<void>; controller: AbortController }
  >();
  private readonly starting = new Set<number>();

  constructor(
    private readonly deps: {
      store: Store;
      projects: ProjectService;
      members: ProjectMailboxRepo;
      runs: RunService;
      verifier?: Verifier;
    },
  ) {}

  /** True while the project is being verified. */
  busy(projectId: number): boolean {
    return this.state.get(projectId)?.status.state === 'running';
  }

  status(projectId: number): VerifyStatus {
    return (
      this.state.get(projectId)?.status ?? {
        projectId,
        state: 'idle',
        startedAt: null,
        finishedAt: null,
        mailboxIds: [],
        deep: false,
        outcome: null,
        error: null,
      }
    );
  }

  /** Start verifying the project's mailboxes (or one); 409 while a pass or a verification runs. */
  async start(projectId: number, opts: { mailboxId?: number; deep?: boolean } = {}): Promise<VerifyStatus> {
    // Checked and claimed before the first await: two requests at once cannot both start.
    if (this.busy(projectId) || this.starting.has(projectId) || this.deps.runs.busy(projectId))
      throw new ConflictError(
        this.deps.runs.busy(projectId)
          ? 'A migration pass of this project is running: a verification now would compare a moving target.'
          : 'A verification of this project is already running.',
        'Wait for it to finish, then verify.',
      );
    this.starting.add(projectId);
    try {
      return await this.begin(projectId, opts);
    } finally {
      this.starting.delete(projectId);
    }
  }

  private async begin(
    projectId: number,
    opts: { mailboxId?: number; deep?: boolean },
  ): Promise<VerifyStatus> {
    const project = await this.deps.projects.runtime(projectId);
    const rows = await this.deps.members.all(projectId, opts.mailboxId ? { ids: [opts.mailboxId] } : {});
    if (!rows.length)
      throw new NotFoundError(
        opts.mailboxId
          ? `Mailbox ${opts.mailboxId} is not in this project.`
          : 'The project has no mailboxes.',
        'Add mailboxes and migrate them first.',
      );
    project.mailboxes = rows.map((m) => ({
      sourceUser: m.sourceUser,
      destUser: m.destUser,
      starred: m.starred,
      options: project.defaults,
    }));
    const status: VerifyStatus = {
      projectId,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      mailboxIds: rows.map((m) => m.id),
      deep: opts.deep ?? false,
      outcome: null,
      error: null,
    };
    // The data directory's run lock (shared with passes): a CLI `migrate` or `verify` meanwhile says Busy.
    const unlock = this.deps.runs.holdLock();
    const controller = new AbortController();
    const done = (this.deps.verifier ?? runVerification)(this.deps.store, project, {
      deep: opts.deep,
      progress: silentProgress,
      signal: controller.signal,
    })
      .then((outcomes) => void (status.outcome = count(outcomes)))
      .catch((err: unknown) => void (status.error = err instanceof Error ? err.message : String(err)))
      .finally(() => {
        status.state = 'idle';
        status.finishedAt = new Date().toISOString();
        unlock();
      });
    this.state.set(projectId, { status, done, controller });
    return status;
  }

  /** Until the project's verification has ended (tests, shutdown). */
  async settled(projectId: number): Promise<void> {
    await this.state.get(projectId)?.done;
  }

  /** The mailbox's last verification with what it found per folder (404 for an unknown mailbox). */
  async last(mailboxId: number): Promise<{ verification: Verification | null; running: boolean }> {
    if (!(await new MailboxRepo(this.deps.store.db).get(mailboxId)))
      throw new NotFoundError(`There is no mailbox ${mailboxId}.`, 'List the mailboxes of the project.');
    const running = [...this.state.values()].some(
      (s) => s.status.state === 'running' && s.status.mailboxIds.includes(mailboxId),
    );
    return {
      verification: (await new VerificationRepo(this.deps.store.db).last(mailboxId)) ?? null,
      running,
    };
  }

  /** Stop every verification (server shutdown); what a stopped one found so far is not recorded. */
  async close(): Promise<void> {
    for (const s of this.state.values()) s.controller.abort();
    await Promise.all([...this.state.values()].map((s) => s.done));
  }
}

function count(outcomes: VerifyOutcome[]) {
  const c = { matches: 0, differs: 0, failed: 0 };
  for (const o of outcomes) c[o.verification.result]++;
  return c;
}
