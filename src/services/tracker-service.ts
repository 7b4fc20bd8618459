/**
 * The tracker of a project: a column per stage (destination ready, credentials, client set-up, initial
 * sync, DNS, final sync) with colour-coded counts and a drill-down to the mailboxes not done; overall
 * progress, ETA (src/services/estimate.ts) and throughput history. DNS comes from the stored result of
 * the last check per plan domain (src/services/tracker-dns.ts); final sync from the passes started at or
 * after the plan's cutover time, with what the last verification (read-back) of each mailbox found.
 */
import { parseClock } from '../config/plan.js';
import type { Stage as StageView, StageQuery, Tracker } from '../schemas/tracker.js';
import type { AlertAdminRepo } from '../store/alert-admin-repo.js';
import type { Store } from '../store/db.js';
import { WorkerRepo, type WorkerRow } from '../store/worker-repo.js';
import { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { DnsCheckRepo } from '../store/dns-check-repo.js';
import { VerificationRepo } from '../store/verification-repo.js';
import type { StageContext, TrackerRepo } from '../store/tracker-repo.js';
import { estimate, measuredRates } from './estimate.js';
import type { ProjectService } from './project-service.js';
import type { RunService } from './run-service.js';
import { requiredSides } from './credential-service.js';
import { serverIdentity, type StoredSettings } from './project-settings.js';
import { NotFoundError } from '../errors.js';
import { dnsState, dnsStatus, runDnsCheck, worstOf, type DomainDns } from './tracker-dns.js';

type StageKey = StageView['key'];

const LABELS: Record<StageKey, string> = {
  'destination-ready': 'Destination ready',
  credentials: 'Credentials',
  'client-setup': 'Client set-up',
  'initial-sync': 'Initial sync',
  dns: 'DNS',
  'final-sync': 'Final sync',
};

/** Stages not computed per project yet, and why (none today; kept for stages added later). */
const UNTRACKED: Partial<Record<StageKey, string>> = {};

const colourOf = (c: { done: number; running: number; attention: number; waiting: number }) =>
  c.attention
    ? 'red'
    : c.running
      ? 'blue'
      : c.waiting
        ? c.done
          ? 'blue'
          : 'grey'
        : c.done
          ? 'green'
          : 'grey';

/** How long a project's ETA is reused (see TrackerService.eta). */
const ETA_REUSE_MS = 15_000;

export class TrackerService {
  private readonly etas = new Map<
    number,
    { key: string; at: number; value: Promise<Pick<Tracker, 'eta' | 'etaNote'>> }
  >();

  constructor(
    private readonly deps: {
      store: Store;
      tracker: TrackerRepo;
      alerts: AlertAdminRepo;
      projects: ProjectService;
      runs: RunService;
    },
  ) {}

  async summary(projectId: number): Promise<Tracker> {
    const { settings } = await this.deps.projects.settings(projectId);
    const { ctx, domains } = await this.context(projectId, settings);
    const db = this.deps.store.db;
    const tracked = (Object.keys(LABELS) as StageKey[]).filter((k) => !UNTRACKED[k]);
    // Every stage is counted in one pass over the project's mailboxes, and the other figures are asked for
    // at the same time (on PostgreSQL each on a connection of its own; SQLite answers one after another).
    const [counts, verification, byStatus, alerts, eta, items, workers] = await Promise.all([
      this.deps.tracker.countsOf(projectId, tracked, ctx),
      new VerificationRepo(db).ofProject(projectId),
      this.deps.tracker.byStatus(projectId),
      this.deps.alerts.activeCounts(projectId),
      this.eta(projectId, settings),
      new ItemLedgerRepo(db).countsByType(projectId),
      new WorkerRepo(db).list(),
    ]);
    const stages = (Object.keys(LABELS) as StageKey[]).map((key): StageView => {
      const reason = UNTRACKED[key];
      if (reason) return { key, label: LABELS[key], tracked: false, reason, colour: 'grey', counts: null };
      const c = counts[key];
      return {
        key,
        label: LABELS[key],
        tracked: true,
        reason: null,
        colour: colourOf(c),
        counts: c,
        ...extras(key, ctx, domains),
        ...(key === 'final-sync' ? { verification } : {}),
      };
    });
    const mailboxes = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const synced = counts['initial-sync'].done;
    const hub = this.deps.runs.events(projectId);
    return {
      projectId,
      mailboxes,
      stages,
      overall: { byStatus, percentDone: mailboxes ? (100 * synced) / mailboxes : 0 },
      ...eta,
      throughput: hub.samples(),
      throttledMailboxIds: hub.throttledNow(),
      alerts: { critical: alerts.critical, advisory: alerts.advisory },
      items,
      workers: workersView(workers, Date.now()),
    };
  }

  /** The project's mailboxes not done in a stage (attention first), paged. */
  async drill(projectId: number, stage: StageKey, q: StageQuery) {
    const { settings } = await this.deps.projects.settings(projectId);
    if (UNTRACKED[stage])
      throw new NotFoundError(`The ${LABELS[stage]} stage is not tracked yet.`, UNTRACKED[stage]);
    const { ctx } = await this.context(projectId, settings);
    const { rows, total } = await this.deps.tracker.notDone(projectId, stage, ctx, q);
    return { items: rows, total, offset: q.offset, limit: q.limit };
  }

  /** Look the plan's domains up now (bounded by `timeoutMs`) and store the outcome for the DNS column. */
  async checkDns(projectId: number, timeoutMs: number): Promise<{ ready: boolean; domains: DomainDns[] }> {
    const project = await this.deps.projects.runtime(projectId);
    const domains = await runDnsCheck(this.deps.store, this.checks, projectId, project, timeoutMs);
    return { ready: domains.every((d) => d.status === 'ready'), domains };
  }

  private get checks() {
    return new DnsCheckRepo(this.deps.store.db);
  }

  /** From the stored settings alone: a poll reads the project once and opens none of its secrets. */
  private async context(projectId: number, s: StoredSettings) {
    const domains = await dnsStatus(s.plan?.domains ?? [], this.checks, projectId);
    const cutover = s.plan?.cutoverAt && new Date(s.plan.cutoverAt);
    const ctx: StageContext = {
      ...context(s),
      dns: {
        domains: domains.map((d) => ({ domain: d.domain, state: dnsState(d.status), reason: d.reason })),
        other: dnsState(worstOf(domains)),
      },
      finalFrom: cutover ? cutover.toISOString() : null,
    };
    return { ctx, domains };
  }

  /**
   * The ETA: a note while there is nothing to estimate, else the estimate of every mailbox not done,
   * reused for ETA_REUSE_MS while the project's settings stay the same (it moves by minutes, and making it
   * reads and schedules every mailbox left: hundreds of milliseconds at 25,000).
   */
  private async eta(projectId: number, s: StoredSettings): Promise<Pick<Tracker, 'eta' | 'etaNote'>> {
    const pending = await this.deps.tracker.pending(projectId);
    if (!pending.mailboxes) return { eta: null, etaNote: 'Every mailbox is done.' };
    if (pending.messages === 0 && pending.bytes === 0)
      return { eta: null, etaNote: 'Sizes are not known yet: run a scan (or a first pass) to get an ETA.' };
    const key = JSON.stringify([s.concurrency, s.limits, s.windows, s.timezone, s.source, s.destination]);
    const kept = this.etas.get(projectId);
    if (kept && kept.key === key && Date.now() - kept.at < ETA_REUSE_MS) return kept.value;
    const value = this.estimateNow(projectId, s);
    this.etas.set(projectId, { key, at: Date.now(), value });
    value.catch(() => this.etas.delete(projectId));
    return value;
  }

  private async estimateNow(projectId: number, s: StoredSettings): Promise<Pick<Tracker, 'eta' | 'etaNote'>> {
    const remaining = await this.deps.tracker.remaining(projectId);
    const windows = s.windows.map((w) => ({
      ...w,
      from: parseClock(w.from) ?? 0,
      to: parseClock(w.to) ?? 1440,
    }));
    const e = estimate(
      remaining,
      {
        concurrency: s.concurrency,
        limits: s.limits,
        source: serverIdentity(s.source),
        destination: serverIdentity(s.destination),
      },
      { windows, timezone: s.timezone },
      await measuredRates(this.deps.store, projectId),
    );
    return {
      eta: { finishAt: e.finish?.toISOString() ?? null, hours: e.hours ?? null, basis: e.rates.basis },
      etaNote: null,
    };
  }
}

/** Sides that need something from the users (a password, or signing in): as the credential page asks. */
function context(s: StoredSettings) {
  return { requiredSides: requiredSides(s) };
}

/** The DNS column's domains and what the DNS and final-sync counts rest on. */
function extras(key: StageKey, ctx: StageContext, domains: DomainDns[]): Partial<StageView> {
  if (key === 'dns') {
    if (!domains.length) return { note: 'The plan moves no mail domain: no DNS change is needed.', domains };
    const checked = domains
      .map((d) => d.checkedAt)
      .filter((x): x is string => !!x)
      .sort();
    return {
      note: checked.length
        ? `Last checked ${checked[0]}; the DNS page checks again.`
        : 'Not checked yet: the DNS page looks the records up.',
      domains,
    };
  }
  if (key === 'final-sync')
    return {
      note: ctx.finalFrom
        ? `A mailbox is done once a pass started at or after the cutover (${ctx.finalFrom.slice(0, 16).replace('T', ' ')} UTC) finished without failures.`
        : 'The plan has no cutover date yet: every mailbox waits for the final sync. Set it on the Plan page.',
    };
  return {};
}

/** Workers as the tracker shows them: running or silent, and those stopped within the last hour. */
export function workersView(rows: WorkerRow[], now: number): Tracker['workers'] {
  return rows
    .filter((w) => !w.stopped_at || now - Date.parse(w.stopped_at) < 3_600_000)
    .map((w) => ({
      host: w.host,
      pid: w.pid,
      startedAt: w.started_at,
      heartbeatAt: w.heartbeat_at,
      concurrency: w.concurrency,
      running: w.stopped_at ? 0 : w.running,
      state: w.stopped_at ? 'stopped' : now - Date.parse(w.heartbeat_at) > 30_000 ? 'silent' : 'working',
    }));
}
