/**
 * Bulk actions on a project's mailboxes chosen by ids or by a filter: start a pass over them, retry the
 * failed ones, pause, star, unstar. Runs are per project: pausing stops the project's pass when it
 * includes any selected mailbox (mailboxes in one pass share a pool).
 */
import type { BulkBody, BulkResult } from '../schemas/mailboxes.js';
import type { MemberFilter } from '../store/project-mailbox-repo.js';
import type { MailboxAdminService } from './mailbox-admin-service.js';
import type { RunService } from './run-service.js';

export class MailboxBulkService {
  constructor(private readonly deps: { mailboxes: MailboxAdminService; runs: RunService }) {}

  async apply(projectId: number, body: BulkBody): Promise<BulkResult> {
    const sel: MemberFilter = body.ids ? { ids: body.ids } : { ...body.filter };
    const { mailboxes, runs } = this.deps;
    const result = (affected: number): BulkResult => ({ action: body.action, affected });
    switch (body.action) {
      case 'star':
      case 'unstar':
        return result(await mailboxes.star(projectId, sel, body.action === 'star'));
      case 'start':
      case 'retry-failed': {
        const chosen = body.action === 'start' ? sel : { ...sel, status: 'failed' };
        if (!(await mailboxes.select(projectId, chosen)).length) return result(0);
        return result((await runs.start(projectId, chosen)).mailboxIds.length);
      }
      case 'pause': {
        const ids = new Set(await mailboxes.select(projectId, sel));
        const running = await runs.status(projectId);
        const hit = running.mailboxIds.filter((id) => ids.has(id)).length;
        if (hit && running.state === 'running') await runs.pause(projectId);
        return result(running.state === 'running' ? hit : 0);
      }
    }
  }
}
