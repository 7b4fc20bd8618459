/**
 * The Plan page's read side: the order summary of a stored project (its members with the passwords stored for
 * them, the plan, the estimate and every warning), why the suggested cutover is what it is, and the scheduled
 * phases with their next run — what `cutover plan` and `cutover schedule` print for a project file.
 */
import { defaultPlan } from '../config/plan.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/db.js';
import type { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { loadStoredAuths } from './credential-auth.js';
import { buildPlan, type PlanSummary } from './plan-service.js';
import type { ProjectService } from './project-service.js';
import { memberSpec } from './run-project.js';
import { scheduleStatus, type PhaseStatus } from './scheduler.js';

/** The summary, the reason for the suggested date, and the phases. */
export interface PlanPage {
  summary: PlanSummary;
  suggestedWhy: string | null;
  phases: PhaseStatus[];
  nextPhase: PhaseStatus | null;
}

/** Build the Plan page's figures for a stored project. */
export async function planPage(
  deps: { store: Store; projects: ProjectService; members: ProjectMailboxRepo; box: SecretBox },
  projectId: number,
  now = new Date(),
): Promise<PlanPage> {
  const project = await deps.projects.runtime(projectId);
  const rows = await deps.members.all(projectId);
  const stored = await loadStoredAuths(
    deps.store,
    rows.map((m) => m.id),
    deps.box,
  );
  try {
    project.mailboxes = rows.map((m) => ({
      ...memberSpec(project, m.sourceUser, m.destUser, m.starred, m.options),
      sourceAuth: stored.auth(m.id, 'source', m.sourceUser),
      destAuth: stored.auth(m.id, 'destination', m.destUser),
    }));
  } finally {
    stored.close();
  }
  const plan = project.plan ?? defaultPlan();
  const summary = await buildPlan(deps.store, project, plan, now, 'web', projectId);
  const phases = await scheduleStatus(deps.store, project, now);
  const e = summary.estimate;
  const suggestedWhy =
    e.finish && e.hours !== undefined
      ? `The migration is estimated to take ${e.hours.toFixed(1)} h (${e.rates.basis}) and finish ${e.finish.toISOString().slice(0, 16).replace('T', ' ')} UTC. The suggestion leaves half that time again (at least three days, for people to hand over passwords and for DNS TTLs to run down) and lands on a Friday at 18:00 in ${plan.timezone}, so the catch-up passes run over the weekend.`
      : null;
  return {
    summary,
    suggestedWhy,
    phases,
    nextPhase: phases.find((p) => p.status === 'pending') ?? null,
  };
}
