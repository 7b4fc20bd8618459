/**
 * Runs a migration: registers the mailboxes, orders them (starred first, then largest first), and runs a
 * pass over each within the project's parallelism and limits. The CLI and (later) the server call this.
 */
import type { AuthSpec, MailboxSpec, ProjectConfig, ServerSpec } from '../config/types.js';
import { connectorFor } from '../connectors/registry.js';
import { ErrorCode, PermanentError, asCutoverError } from '../errors.js';
import { syncMailbox, type Endpoint, type MailboxJob } from '../engine/mailbox-sync.js';
import type { ProgressSink } from '../engine/progress.js';
import { retryPolicy, type RetryPolicy } from '../engine/retry.js';
import type { Store } from '../store/db.js';
import { LedgerRepo } from '../store/ledger-repo.js';
import { MailboxRepo, type PassCounters } from '../store/mailbox-repo.js';
import { ConnectionSlots, RateLimiter } from '../runner/limits.js';
import { runPool } from '../runner/local.js';
import { concurrencyAt, defaultPlan } from '../config/plan.js';
import { phaseOptions, type Phase } from './phases.js';
import { loadStoredAuths, type StoredAuths } from './credential-auth.js';
import { AlertRepo } from '../store/alert-repo.js';
import { alertFor, clearPassAlerts, raisePassAlert, sideOf } from './mailbox-alerts.js';

/** Stable identity of a mailbox pair across runs. */
export function mailboxKey(
  source: ServerSpec,
  dest: ServerSpec,
  m: Pick<MailboxSpec, 'sourceUser' | 'destUser'>,
): string {
  return `${source.kind}://${source.host}:${source.port}/${m.sourceUser} -> ${dest.kind}://${dest.host}:${dest.port}/${m.destUser}`;
}

/** The login for a mailbox: its own credentials, else the server's admin acting for it. */
export function authFor(server: ServerSpec, user: string, own: AuthSpec | undefined, side: string): AuthSpec {
  if (own) return own;
  if (server.admin?.mode === 'master')
    return { kind: 'master', user, masterUser: server.admin.user, password: server.admin.password };
  if (server.admin) return { kind: 'password', user: server.admin.user, password: server.admin.password };
  throw new PermanentError(
    ErrorCode.ConfigInvalid,
    `No ${side} credentials for mailbox "${user}".`,
    `Have the user enter it on their personal credential page (the Credentials page issues the link), add a ${side}_password (or _env/_file) column to the mailboxes CSV, or give the ${side} server an admin login with mode: master.`,
  );
}

export interface MailboxOutcome {
  mailboxId: number;
  label: string;
  status: 'done' | 'failed' | 'stopped';
  counters?: PassCounters;
  error?: string;
}

export interface RunOptions {
  /** Only these mailboxes (source logins). */
  only?: string[];
  dryRun?: boolean;
  /** Narrow the pass to a phase of the plan (pre-stage, recent…); default: everything. */
  phase?: Phase;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** How long and how often to retry (default: from the environment, see engine/retry.ts). */
  retry?: RetryPolicy;
}

/** A mailbox as progress and outcomes name it. */
export const labelOf = (spec: Pick<MailboxSpec, 'sourceUser' | 'destUser'>): string =>
  spec.sourceUser === spec.destUser ? spec.sourceUser : `${spec.sourceUser} → ${spec.destUser}`;

/**
 * The project's mailboxes (or those named by source login) registered in the store, starred first, then
 * largest first (a large mailbox started late decides the finish time). Unknown names are an error.
 */
export async function registerMailboxes(
  mailboxes: MailboxRepo,
  project: ProjectConfig,
  only?: string[],
): Promise<Array<{ id: number; spec: MailboxSpec }>> {
  const selected = project.mailboxes.filter((m) => !only?.length || only.includes(m.sourceUser));
  if (only?.length) {
    const unknown = only.filter((u) => !project.mailboxes.some((m) => m.sourceUser === u));
    if (unknown.length)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `Unknown mailbox: ${unknown.join(', ')}.`,
        'Use the source login exactly as in the mailboxes CSV (`cutover status` lists them).',
      );
  }
  const entries: Array<{ id: number; spec: MailboxSpec }> = [];
  for (const spec of selected)
    entries.push({
      id: await mailboxes.upsert({
        key: mailboxKey(project.source, project.destination, spec),
        sourceUser: spec.sourceUser,
        destUser: spec.destUser,
        starred: spec.starred,
      }),
      spec,
    });
  const sizes = new Map((await mailboxes.list()).map((r) => [r.id, r.sourceBytes]));
  entries.sort(
    (a, b) =>
      Number(b.spec.starred) - Number(a.spec.starred) || (sizes.get(b.id) ?? 0) - (sizes.get(a.id) ?? 0),
  );
  return entries;
}

/** Both sides of a mailbox: connector, server and login (mailboxes CSV, stored credential, admin login). */
export function endpointsFor(
  project: ProjectConfig,
  spec: MailboxSpec,
  id: number,
  stored: StoredAuths,
): { source: Endpoint; dest: Endpoint } {
  return {
    source: {
      connector: connectorFor(project.source.kind, stored.connectors),
      server: project.source,
      auth: authFor(
        project.source,
        spec.sourceUser,
        spec.sourceAuth ?? stored.auth(id, 'source', spec.sourceUser),
        'source',
      ),
    },
    dest: {
      connector: connectorFor(project.destination.kind, stored.connectors),
      server: project.destination,
      auth: authFor(
        project.destination,
        spec.destUser,
        spec.destAuth ?? stored.auth(id, 'destination', spec.destUser),
        'destination',
      ),
    },
  };
}

/** Run one pass over the project's mailboxes. */
export async function runMigration(
  store: Store,
  project: ProjectConfig,
  opts: RunOptions,
): Promise<MailboxOutcome[]> {
  const mailboxes = new MailboxRepo(store.db);
  const ledger = new LedgerRepo(store.db);
  const plan = project.plan ?? defaultPlan();
  if (opts.phase) phaseOptions(opts.phase, project.defaults, plan); // a phase out of its time fails here, once
  await mailboxes.closeStalePasses();

  const entries = await registerMailboxes(mailboxes, project, opts.only);

  // Passwords users handed over on their credential page (mailboxes CSV first, admin login last).
  const stored = await loadStoredAuths(
    store,
    entries.map((e) => e.id),
  );
  const alerts = new AlertRepo(store.db);
  const deps = {
    ledger,
    mailboxes,
    slots: new ConnectionSlots(),
    limiter: new RateLimiter(project.limits),
    progress: opts.progress,
    retry: opts.retry ?? retryPolicy(),
  };
  const tasks = entries.map(({ id, spec }) => async (): Promise<MailboxOutcome> => {
    const label = labelOf(spec);
    opts.progress.started?.(id, label);
    let job: MailboxJob;
    try {
      job = {
        mailboxId: id,
        label,
        ...endpointsFor(project, spec, id, stored),
        options: opts.phase ? phaseOptions(opts.phase, spec.options, plan) : spec.options,
        foldersInParallel: project.concurrency.foldersPerMailbox,
        dryRun: opts.dryRun ?? false,
      };
    } catch (err) {
      const e = asCutoverError(err);
      await mailboxes.setStatus(id, 'failed', e.describe());
      opts.progress.note(id, 'error', e.describe());
      if (!opts.dryRun) await raisePassAlert(alerts, id, label, 'credentials-missing', e);
      return { mailboxId: id, label, status: 'failed', error: e.describe() };
    }
    try {
      const counters = await syncMailbox(job, deps, opts.signal);
      if (!opts.dryRun) {
        await clearPassAlerts(alerts, id);
        await stored.worked(id);
      }
      return { mailboxId: id, label, status: 'done', counters };
    } catch (err) {
      const e = asCutoverError(err);
      if (!opts.signal?.aborted) opts.progress.note(id, 'error', e.describe());
      // A password the user handed over stopped working: find which, and ask the user again.
      const refused =
        e.code === ErrorCode.AuthFailed
          ? await stored
              .rejected(id, { source: project.source, destination: project.destination })
              .catch(() => [])
          : [];
      const type = opts.signal?.aborted ? undefined : alertFor('sync', e, refused.length > 0);
      if (type && !opts.dryRun) await raisePassAlert(alerts, id, label, type, e, sideOf(e, project));
      return {
        mailboxId: id,
        label,
        status: opts.signal?.aborted ? 'stopped' : 'failed',
        error: e.describe(),
      };
    }
  });
  // Throttling windows (project time zone) decide how many mailboxes start at once, looked at every few seconds.
  const limit = plan.windows.length
    ? () => concurrencyAt(new Date(), plan, project.concurrency.mailboxes)
    : project.concurrency.mailboxes;
  const settled = await runPool(tasks, limit, opts.signal).finally(() => stored.close());
  return settled.map((s, i) =>
    s.status === 'fulfilled'
      ? s.value
      : {
          mailboxId: entries[i]!.id,
          label: entries[i]!.spec.sourceUser,
          status: 'stopped' as const,
          error: String(s.reason),
        },
  );
}
