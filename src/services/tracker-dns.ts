/**
 * The tracker's DNS column: per mail domain of the stored plan, not-needed (the plan moves no domain),
 * pending (never checked), ready (the last check saw every record the plan wants) or failing (the last
 * check found changes not visible, or could not look up). Checks run only on request (the DNS page's
 * "Check now", POST /api/projects/:id/dns/check), bounded by a timeout, and their outcome is stored.
 */
import { setMaxListeners } from 'node:events';
import type { ProjectConfig } from '../config/types.js';
import { defaultPlan } from '../config/plan.js';
import { describeChange } from '../dns/steps.js';
import type { Store } from '../store/db.js';
import type { DnsCheckRepo } from '../store/dns-check-repo.js';
import type { StageState } from '../store/tracker-repo.js';
import { checkDns, dnsPlan } from './dns-service.js';

/** The DNS status of one mail domain. */
export type DomainDnsStatus = 'not-needed' | 'pending' | 'ready' | 'failing';

/** One domain's status, when it was last checked and why it is failing. */
export interface DomainDns {
  domain: string;
  status: DomainDnsStatus;
  checkedAt: string | null;
  reason: string | null;
}

const STATE: Record<DomainDnsStatus, StageState> = {
  'not-needed': 'done',
  ready: 'done',
  pending: 'waiting',
  failing: 'attention',
};

/** The stage state of a domain status (done, waiting, attention). */
export const dnsState = (s: DomainDnsStatus): StageState => STATE[s];

/** Each plan domain's status from the stored checks (no lookups). */
export async function dnsStatus(domains: string[], checks: DnsCheckRepo, projectId: number) {
  if (!domains.length) return [] as DomainDns[];
  const last = await checks.last(projectId);
  return domains.map((domain): DomainDns => {
    const c = last.get(domain);
    if (!c) return { domain, status: 'pending', checkedAt: null, reason: 'Not checked yet.' };
    return {
      domain,
      status: c.ready ? 'ready' : 'failing',
      checkedAt: c.checkedAt,
      reason: c.ready ? null : `Not visible at the last check: ${c.missing.join('; ')}`,
    };
  });
}

/** The worst status of the domains (failing, then pending), or not-needed when the plan has none. */
export function worstOf(domains: DomainDns[]): DomainDns['status'] {
  if (!domains.length) return 'not-needed';
  for (const s of ['failing', 'pending'] as const) if (domains.some((d) => d.status === s)) return s;
  return 'ready';
}

/**
 * Look up every plan domain at plan.dnsServer (or the system resolver) within `timeoutMs`, store each
 * domain's outcome (a failed lookup is stored as failing, with the error) and raise or clear the
 * dns-not-ready alert as `cutover dns --check` does.
 */
export async function runDnsCheck(
  store: Store,
  checks: DnsCheckRepo,
  projectId: number,
  project: ProjectConfig,
  timeoutMs: number,
): Promise<DomainDns[]> {
  const plan = project.plan ?? defaultPlan();
  if (!plan.domains.length) return [];
  const server = plan.dnsServer ? { host: plan.dnsServer.host, port: plan.dnsServer.port } : undefined;
  const signal = AbortSignal.timeout(timeoutMs);
  setMaxListeners(0, signal); // one listener per lookup in flight
  const checkedAt = new Date().toISOString();
  try {
    const plans = await dnsPlan(project, plan, {
      server,
      signal,
      cutoverAt: plan.cutoverAt ?? new Date(),
    });
    const r = await checkDns(store, plans, { server, timeoutMs, intervalMs: timeoutMs / 4, signal });
    for (const d of plans) {
      const missing = r.missing.filter((c) => d.changes.includes(c)).map(describeChange);
      await checks.record(projectId, { domain: d.domain, checkedAt, ready: !missing.length, missing });
    }
  } catch (err) {
    const why = `The lookup failed (${(err as Error).message}); check plan.dnsServer and that the name server answers.`;
    for (const domain of plan.domains)
      await checks.record(projectId, { domain, checkedAt, ready: false, missing: [why] });
  }
  return dnsStatus(plan.domains, checks, projectId);
}
