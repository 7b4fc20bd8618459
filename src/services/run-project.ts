/**
 * A stored project as a pass runs it: its runtime configuration, the selected members as mailbox specs, and
 * a plan whose throttling windows are a live copy (`schedule` refreshes it when the settings change). The
 * run service (a pass in this process) and the shared runs (a pass any worker runs) build passes from it.
 */
import { defaultPlan, parseClock, type PlanConfig, type ThrottleWindow } from '../config/plan.js';
import type { MailboxSpec, ProjectConfig } from '../config/types.js';
import { ConflictError } from '../errors.js';
import type { MemberFilter, MemberRow, ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import type { ProjectService } from './project-service.js';
import type { StoredSettings } from './project-settings.js';
import { phaseOptions, type Phase } from './phases.js';

/** The project, its plan (windows included) and the member rows of the selection. */
export async function runProject(
  deps: { projects: ProjectService; members: ProjectMailboxRepo },
  projectId: number,
  selection: MemberFilter,
  phase?: Phase,
): Promise<{ project: ProjectConfig; plan: PlanConfig; rows: MemberRow[] }> {
  const { settings } = await deps.projects.settings(projectId);
  const project = await deps.projects.runtime(projectId);
  const rows = await deps.members.all(projectId, selection);
  if (!rows.length)
    throw new ConflictError('No mailboxes match; nothing to run.', 'Add mailboxes, or change the selection.');
  project.mailboxes = rows.map((m) => memberSpec(project, m.sourceUser, m.destUser, m.starred, m.options));
  // The stored plan (phases, dates); its windows are a copy the schedule below keeps current.
  const plan: PlanConfig = { ...(project.plan ?? defaultPlan()), timezone: settings.timezone, windows: [] };
  schedule(plan, settings);
  project.plan = plan;
  if (phase) checkPhase(phase, project, plan);
  return { project, plan, rows };
}

/**
 * Put the project's windows into `plan` in place, ending with an all-week window at the project's
 * concurrency, so the pool always asks the plan (an edit made mid-run is seen within its 2 s recheck).
 */
export function schedule(plan: PlanConfig, s: StoredSettings): void {
  const windows: ThrottleWindow[] = s.windows.map((w) => ({
    days: w.days,
    from: parseClock(w.from) ?? 0,
    to: parseClock(w.to) ?? 1440,
    concurrency: w.concurrency,
  }));
  windows.push({ days: [0, 1, 2, 3, 4, 5, 6], from: 0, to: 1440, concurrency: s.concurrency.mailboxes });
  plan.timezone = s.timezone;
  plan.windows.splice(0, plan.windows.length, ...windows);
}

/** A project member as the engine runs it: the project's defaults with the member's own item types and dates. */
export function memberSpec(
  project: ProjectConfig,
  sourceUser: string,
  destUser: string,
  starred: boolean,
  o: { itemTypes?: string[]; since?: string | null; before?: string | null },
): MailboxSpec {
  const options = { ...project.defaults };
  if (o.itemTypes) options.itemTypes = o.itemTypes as MailboxSpec['options']['itemTypes'];
  if (o.since) options.since = new Date(`${o.since}T00:00:00Z`);
  if (o.before) options.before = new Date(`${o.before}T00:00:00Z`);
  return { sourceUser, destUser, starred, options };
}

/** A phase out of its time (catch-up after its days) is refused before the pass starts, in the plan's words. */
function checkPhase(phase: Phase, project: ProjectConfig, plan: PlanConfig): void {
  try {
    phaseOptions(phase, project.defaults, plan);
  } catch (err) {
    const e = err as Error & { hint?: string };
    throw new ConflictError(e.message, e.hint ?? 'Choose another phase.');
  }
}
