/**
 * The server's communications: one SMTP mailer (when configured), the comms service of each stored project
 * (its own mailboxes, its own message log), and the background loop that sends what is due for every project.
 * Routes ask it for a project's service.
 */
import type { PlanConfig } from '../config/plan.js';
import { SendError, SmtpMailer, type Mailer, type SmtpConfig } from '../notify/smtp-mailer.js';
import type { PortalDeps } from '../portal/portal-deps.js';
import { runComms } from '../services/comms-runner.js';
import { CommsService, type TickReport } from '../services/comms-service.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { ProjectRepo } from '../store/project-repo.js';
import { volumeWarning } from '../services/comms-content.js';
import type { PortalProject } from '../services/credential-service.js';
import type { Store } from '../store/db.js';
import { ApiError } from './errors.js';
import { ErrorCode } from '../errors.js';

const noSmtp: Mailer = {
  send: () => Promise.reject(new SendError('SMTP is not configured (CUTOVER_SMTP_URL).', 'retry')),
  close: () => undefined,
};

export class CommsHub {
  private readonly mailer: Mailer;
  private readonly stop = new AbortController();
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: PortalDeps,
    smtp: SmtpConfig | undefined,
    private readonly operatorAddress?: string,
  ) {
    this.mailer = smtp ? new SmtpMailer(smtp) : noSmtp;
  }

  get store(): Store {
    return this.deps.store;
  }
  get publicUrl(): string | undefined {
    return this.deps.publicUrl;
  }
  get smtpConfigured(): boolean {
    return this.mailer !== noSmtp;
  }

  /** The service for project `projectId`; `needSmtp` refuses (409) when no SMTP server is configured. */
  async service(
    projectId: number,
    needSmtp = false,
  ): Promise<{ project: PortalProject; service: CommsService }> {
    const project = await this.deps.projects.byId(projectId);
    if (!project)
      throw new ApiError(
        404,
        ErrorCode.NotFound,
        `There is no project ${projectId}.`,
        'Pick a project from the list (GET /api/projects).',
      );
    if (needSmtp && !this.smtpConfigured)
      throw new ApiError(
        409,
        ErrorCode.ConfigInvalid,
        'No SMTP server is configured for messages to users.',
        "Set CUTOVER_SMTP_URL (smtp://user:password@host:587) and CUTOVER_SMTP_FROM ('IT <it@example.com>'), then restart.",
      );
    return { project, service: this.serviceFor(project, projectId) };
  }

  private serviceFor(project: PortalProject, projectId: number): CommsService {
    const members = new ProjectMailboxRepo(this.deps.store.db);
    return new CommsService(
      {
        store: this.deps.store,
        projectId,
        mailboxes: () => members.all(projectId),
        mailer: this.mailer,
        links: this.deps.links,
        publicUrl: this.deps.publicUrl,
        operatorAddress: this.operatorAddress,
      },
      project,
    );
  }

  /** What the operator should know before messages go out for project `projectId`. */
  async warnings(project: PortalProject, projectId: number): Promise<string[]> {
    const plan: PlanConfig | undefined = project.plan;
    if (!plan || plan.communications === 'none') return [];
    const n = await new MailboxRepo(this.deps.store.db).count({ projectId });
    return [
      volumeWarning(plan, n, this.operatorAddress),
      this.smtpConfigured
        ? undefined
        : 'This server has no SMTP server to send through: nothing can be sent. Whoever runs Cutover sets one (CUTOVER_SMTP_URL and CUTOVER_SMTP_FROM) and restarts it.',
      this.publicUrl
        ? undefined
        : 'This server does not know the address under which users reach it, so messages cannot carry personal links. Whoever runs Cutover sets it (CUTOVER_PUBLIC_URL) and restarts it.',
      plan.communications === 'contact' && !plan.contact
        ? 'The plan sends to a point of contact but names none: set a contact on the Plan page.'
        : undefined,
      plan.communications === 'operator' && !this.operatorAddress
        ? 'The plan sends to the operator, but this server has no operator address. Whoever runs Cutover sets it (CUTOVER_OPERATOR_EMAIL) and restarts it, or choose other recipients on the Plan page.'
        : undefined,
    ].filter((w): w is string => Boolean(w));
  }

  /** Send what is due every `intervalMs` in the background, when SMTP is configured; until close(). */
  start(intervalMs: number, log: { error(obj: object, msg: string): void }): void {
    if (!this.smtpConfigured) return;
    this.loop = runComms(
      {
        tick: async (now, signal) => {
          const total: TickReport = { sent: 0, failed: 0, attempts: [] };
          const ids = await new ProjectRepo(this.deps.store.db).ids();
          for (const id of ids) {
            if (signal?.aborted) break;
            const project = await this.deps.projects.byId(Number(id));
            if (!project) continue;
            const r = await this.serviceFor(project, Number(id)).tick(now, signal);
            total.sent += r.sent;
            total.failed += r.failed;
            total.attempts.push(...r.attempts);
          }
          return total;
        },
      },
      {
        signal: this.stop.signal,
        intervalMs,
        onError: (err) => log.error({ err }, 'sending messages failed'),
      },
    );
  }

  /** Stop the loop (waiting for a tick under way) and the mailer. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
    this.mailer.close();
  }
}
