/**
 * Sends the plan's messages when they are due (see comms-schedule.ts): for each open window and each mailbox
 * it concerns, the intent is recorded under a unique (mailbox, event) key before the message goes out, so a
 * restart never sends it twice. Every outcome is kept per mailbox (MessageRepo).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ErrorCode, PermanentError } from '../errors.js';
import type { Mailer } from '../notify/smtp-mailer.js';
import { forForwarding, render, type MessageKind, type TemplateValues } from '../notify/templates.js';
import { AlertRepo } from '../store/alert-repo.js';
import { CommsTemplateRepo } from '../store/comms-template-repo.js';
import { CredentialRepo } from '../store/credential-repo.js';
import type { Store } from '../store/db.js';
import { MailboxRepo, type MailboxRow } from '../store/mailbox-repo.js';
import { MessageRepo, dedupeKey, type MessageStatus } from '../store/message-repo.js';
import { PhaseRunRepo } from '../store/phase-run-repo.js';
import { commsSchedule, dueWindows } from './comms-schedule.js';
import { TemplateBook, recipientFor, valuesFor } from './comms-content.js';
import { portalPath, type CredentialLinks } from './credential-links.js';
import { requiredSides, type PortalProject } from './credential-service.js';
import { defaultPlan } from '../config/plan.js';
import { sendClaimed } from './notify-service.js';

/** Alert types a user can do something about (make room, delete or shrink huge items, give a new password). */
export const USER_ALERTS: readonly string[] = ['quota-too-small', 'oversize-items', 'auth-failed'];

export interface CommsDeps {
  store: Store;
  mailer: Mailer;
  links: CredentialLinks;
  /** Base of personal links, e.g. https://migrate.example.com. */
  publicUrl?: string;
  /** The operator's address, for `communications: operator`. */
  operatorAddress?: string;
  /** The project's mailboxes (default: every mailbox in the store). */
  mailboxes?: () => Promise<MailboxRow[]>;
  /** The stored project the messages are sent for, kept with each (null or absent: a project file alone). */
  projectId?: number | null;
  /** Attempts of a message that certainly did not arrive (default 5, across ticks). */
  maxAttempts?: number;
}

/** What one tick did. */
export interface TickReport {
  sent: number;
  failed: number;
  /** Mailbox, event and outcome of each attempt made. */
  attempts: Array<{ mailboxId: number; event: string; status: Exclude<MessageStatus, 'pending'> }>;
}

export class CommsService {
  readonly templates: TemplateBook;
  private readonly messages: MessageRepo;

  constructor(
    private readonly deps: CommsDeps,
    private readonly project: PortalProject,
  ) {
    this.templates = new TemplateBook(new CommsTemplateRepo(deps.store.db, deps.projectId ?? null));
    this.messages = new MessageRepo(deps.store.db);
  }

  private get projectId(): number | null {
    return this.deps.projectId ?? null;
  }

  private get plan() {
    return this.project.plan ?? defaultPlan();
  }

  /** The plan's message windows as of `now` (for the operator). */
  async schedule(now = new Date()) {
    return this.plan.communications === 'none' ? [] : commsSchedule(this.plan, now, await this.finalDoneAt());
  }

  /** Send what is due at `now`. */
  async tick(now = new Date(), signal?: AbortSignal): Promise<TickReport> {
    const report: TickReport = { sent: 0, failed: 0, attempts: [] };
    if (this.plan.communications === 'none') return report;
    const windows = dueWindows(this.plan, now, await this.finalDoneAt());
    const mailboxes = await (this.deps.mailboxes ?? (() => new MailboxRepo(this.deps.store.db).list()))();
    const missing = await this.missingCredentials(mailboxes);
    const announced = await this.messages.sentTo('announcement');
    const jobs: Array<{ m: MailboxRow; kind: MessageKind; event: string; extra?: TemplateValues }> = [];
    for (const w of windows)
      for (const m of mailboxes) {
        if (w.kind === 'reminder' && (!missing.has(m.id) || !announced.has(m.id))) continue;
        if (w.kind === 'completion' && m.status !== 'done') continue;
        jobs.push({ m, kind: w.kind, event: w.event });
      }
    // Alerts the user can act on, once each (the rest are the operator's: see emailAlert).
    const byId = new Map(mailboxes.map((m) => [m.id, m]));
    for (const a of await new AlertRepo(this.deps.store.db).list('active')) {
      const m = a.mailboxId === null ? undefined : byId.get(a.mailboxId);
      if (m && USER_ALERTS.includes(a.type))
        jobs.push({ m, kind: 'alert', event: `alert:${a.id}`, extra: { alert: a.text } });
    }
    const settled = await this.messages.settledKeys(this.deps.maxAttempts ?? 5);
    for (const j of jobs) {
      if (signal?.aborted) break;
      if (settled.has(dedupeKey(j.m.id, j.event))) continue;
      const status = await this.sendToMailbox(j.m, j.kind, j.event, j.extra);
      if (!status) continue;
      report.attempts.push({ mailboxId: j.m.id, event: j.event, status });
      if (status === 'sent') report.sent++;
      else report.failed++;
    }
    return report;
  }

  /** Render, claim, send and record one event for one mailbox; undefined when there was nothing to do. */
  private async sendToMailbox(m: MailboxRow, kind: MessageKind, event: string, extra?: TemplateValues) {
    const recipient = recipientFor(m, this.plan, this.deps.operatorAddress);
    if (!recipient) return undefined;
    if (recipient.to === undefined) {
      const id = await this.messages.claim(
        { mailboxId: m.id, projectId: this.projectId, event, recipient: '', subject: '' },
        1,
      );
      if (id !== undefined) await this.messages.finish(id, { status: 'refused', error: recipient.why });
      return id === undefined ? undefined : ('refused' as const);
    }
    const content = await this.compose(m, kind, extra);
    const mail = recipient.forward ? forForwarding(content, valuesFor(m, this.project).address!) : content;
    const id = await this.messages.claim(
      { mailboxId: m.id, projectId: this.projectId, event, recipient: recipient.to, subject: mail.subject },
      this.deps.maxAttempts ?? 5,
    );
    if (id === undefined) return undefined;
    return this.deliver(id, { to: recipient.to, ...mail }, dedupeKey(m.id, event), event);
  }

  private async deliver(
    id: number,
    mail: { to: string; subject: string; text: string; html: string },
    key: string,
    event: string,
  ) {
    const host = this.deps.publicUrl ? new URL(this.deps.publicUrl).hostname : 'cutover.invalid';
    const messageId = `cutover.${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${host}`;
    return sendClaimed(this.messages, this.deps.mailer, id, {
      ...mail,
      messageId,
      headers: { 'X-Cutover-Event': event },
    });
  }

  /** The message a mailbox would get for `kind` (the personal link issued when it has none). */
  async compose(
    m: Pick<MailboxRow, 'id' | 'sourceUser' | 'destUser'>,
    kind: MessageKind,
    extra?: TemplateValues,
  ) {
    if (!this.deps.publicUrl)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        'Messages need the address under which users reach Cutover, for their personal links.',
        'Set CUTOVER_PUBLIC_URL (e.g. https://migrate.example.com) and restart.',
      );
    const l = await this.deps.links.current(m.id);
    const values = {
      ...valuesFor(m, this.project, {
        url: `${this.deps.publicUrl}${portalPath(l.token)}`,
        expiresAt: l.expiresAt,
      }),
      ...extra,
    };
    return render(await this.templates.get(kind), values);
  }

  /** A preview with example values (no link is issued). */
  async preview(kind: MessageKind) {
    const sample = { sourceUser: 'jane.doe@old.example', destUser: 'jane.doe@new.example' };
    const link = {
      url: `${this.deps.publicUrl ?? 'https://cutover.example'}/p/EXAMPLE-PERSONAL-LINK`,
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
    return render(await this.templates.get(kind), {
      ...valuesFor(sample, this.project, link),
      alert: 'Example: the new mailbox is too small for the old one.',
    });
  }

  /** Send the preview of `kind` to `to` (recorded as a test message). */
  async testSend(kind: MessageKind, to: string): Promise<Exclude<MessageStatus, 'pending'>> {
    const mail = await this.preview(kind);
    const event = `test:${kind}:${randomUUID()}`;
    const id = (await this.messages.claim({
      mailboxId: null,
      projectId: this.projectId,
      event,
      recipient: to,
      subject: mail.subject,
    }))!;
    return this.deliver(
      id,
      { to, ...mail, subject: `[test] ${mail.subject}` },
      dedupeKey(null, event),
      event,
    );
  }

  private async missingCredentials(mailboxes: MailboxRow[]): Promise<Set<number>> {
    const required = this.plan.mode === 'admin' ? [] : requiredSides({ ...this.project, plan: this.plan });
    const verified = new Map<number, number>();
    for (const s of await new CredentialRepo(this.deps.store.db).states(mailboxes.map((m) => m.id)))
      if (s.verifiedAt && required.includes(s.side))
        verified.set(s.mailboxId, (verified.get(s.mailboxId) ?? 0) + 1);
    return new Set(mailboxes.filter((m) => (verified.get(m.id) ?? 0) < required.length).map((m) => m.id));
  }

  private async finalDoneAt(): Promise<Date | undefined> {
    const at = await new PhaseRunRepo(this.deps.store.db).lastFinished('final', 'done');
    return at ? new Date(at) : undefined;
  }
}
