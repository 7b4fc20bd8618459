/**
 * The operator's actions on alerts: complete, archive, auto-archive every alert of that type in the
 * project (now and on arrival later), undo of the last action, and e-mailing an alert to someone. Every
 * status change is recorded with what it replaced, so undo restores exactly that.
 */
import type { Mailer } from '../notify/smtp-mailer.js';
import type { AlertAction, AlertDetail, ProjectAlertQuery } from '../schemas/alerts.js';
import type { AlertStatus } from '../store/alert-repo.js';
import type { AlertActionRepo, AlertActionRow } from '../store/alert-action-repo.js';
import type { AlertAdminRepo } from '../store/alert-admin-repo.js';
import type { Store } from '../store/db.js';
import { emailAlert } from './notify-service.js';
import { ConflictError, NotConfiguredError, NotFoundError } from '../errors.js';

export class AlertActionService {
  constructor(
    private readonly deps: {
      store: Store;
      alerts: AlertAdminRepo;
      actions: AlertActionRepo;
      /** SMTP for "email to someone"; undefined when not configured. */
      mailer?: () => Mailer | undefined;
    },
  ) {}

  async get(id: number): Promise<AlertDetail> {
    const a = await this.deps.alerts.get(id);
    if (!a) throw new NotFoundError(`No alert ${id}.`, 'List them with GET /api/alerts.');
    return a;
  }

  async list(projectId: number, q: ProjectAlertQuery) {
    const { rows, total } = await this.deps.alerts.page(projectId, q);
    return { items: rows, total, offset: q.offset, limit: q.limit };
  }

  /** Complete (resolved) or archive (ignored) one alert. */
  async set(id: number, action: 'complete' | 'archive'): Promise<AlertDetail> {
    const a = await this.get(id);
    const to: AlertStatus = action === 'complete' ? 'completed' : 'archived';
    if (a.status !== to)
      await this.record({ projectId: a.projectId, action, changes: [{ id, from: a.status, to }] });
    return this.get(id);
  }

  /** Archive every active alert of this one's type in its project, and each one raised later. */
  async autoArchive(id: number): Promise<AlertAction> {
    const a = await this.get(id);
    if (a.projectId === null)
      throw new ConflictError(
        `Alert ${id} belongs to no project, so there is no project to make the rule for.`,
        'Archive it on its own.',
      );
    const ids = await this.deps.alerts.activeOfType(a.projectId, a.type);
    const actionId = await this.record({
      projectId: a.projectId,
      action: 'auto-archive',
      changes: ids.map((i) => ({ id: i, from: 'active' as const, to: 'archived' as const })),
      rule: { projectId: a.projectId, type: a.type },
    });
    return view((await this.deps.actions.action(actionId))!);
  }

  /** Undo the newest action not undone yet (in the project, when given). */
  async undo(projectId?: number) {
    const last = await this.deps.actions.lastAction(projectId);
    if (!last)
      throw new ConflictError(
        'There is no alert action to undo.',
        'Undo works on complete, archive and auto-archive.',
      );
    const restored = await this.deps.actions.undo(last);
    return { undone: view(last), restoredAlertIds: restored };
  }

  /** E-mail the alert to `to` (once per alert and recipient); the request is recorded either way. */
  async email(id: number, to: string, note?: string) {
    const a = await this.get(id);
    const mailer = this.deps.mailer?.();
    if (!mailer) {
      await this.deps.actions.recordEmail({
        alertId: id,
        recipient: to,
        note: note ?? null,
        status: 'not-configured',
        error: 'SMTP is not configured',
      });
      throw new NotConfiguredError(
        'Cannot e-mail the alert: SMTP is not configured on this server.',
        'Set CUTOVER_SMTP_URL (smtp://user:password@host:587) and CUTOVER_SMTP_FROM, then restart `cutover serve`. The request was recorded.',
      );
    }
    try {
      const text = note ? `${a.text}\n\nNote: ${note}` : a.text;
      const status = await emailAlert(
        { store: this.deps.store, mailer },
        to,
        { ...a, text },
        { mailbox: a.mailbox ?? undefined },
      );
      await this.deps.actions.recordEmail({
        alertId: id,
        recipient: to,
        note: note ?? null,
        status: status ?? 'already-sent',
        error: null,
      });
      return { status: status ?? ('already-sent' as const) };
    } finally {
      mailer.close();
    }
  }

  private async record(a: Parameters<AlertActionRepo['act']>[0]): Promise<number> {
    return this.deps.actions.act(a);
  }
}

function view(a: AlertActionRow): AlertAction {
  return {
    id: a.id,
    projectId: a.projectId,
    action: a.action as AlertAction['action'],
    alertIds: a.changes.map((c) => c.id),
    ruleType: a.ruleType,
    createdAt: a.createdAt,
  };
}
