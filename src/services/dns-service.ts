/**
 * DNS at cutover, per mail domain of the plan: the records that must exist after cutover, the records
 * that exist now (live lookups), the difference, and the three ways to apply it — self-service steps with
 * times and TTL advice, a complete zone file for the operator's name servers, or RFC 2136 updates signed
 * with TSIG — plus the readiness check that raises an alert while the change is not visible.
 */
import type { PlanConfig } from '../config/plan.js';
import { resolveSecret } from '../config/secrets.js';
import type { ProjectConfig } from '../config/types.js';
import { ErrorCode, PermanentError } from '../errors.js';
import {
  applyUpdate,
  currentRecords,
  diffRecords,
  selfServiceSteps,
  waitUntilVisible,
  zoneFile,
  type DnsChange,
  type DnsStep,
} from '../dns/plan.js';
import { requiredRecords, rrsetKey, type DnsRecord, type MailDestination } from '../dns/records.js';
import { axfr } from '../dns/resolver.js';
import type { TsigKey } from '../dns/tsig.js';
import type { Store } from '../store/db.js';
import { AlertRepo } from '../store/alert-repo.js';

/** A name server to ask, "host:port" or "host". */
export type DnsServer = { host: string; port: number };

export interface DomainDnsPlan {
  domain: string;
  current: DnsRecord[];
  required: DnsRecord[];
  changes: DnsChange[];
  /** Self-service: what to do when (TTL lowering first). */
  steps: DnsStep[];
}

/** The records the plan's target needs (default: the destination server as IMAP/SMTP/MX host). */
export function targetOf(project: ProjectConfig, plan: PlanConfig): MailDestination {
  const t = plan.dnsTarget;
  const common = { verification: t?.verification ?? [], autoconfigHost: t?.autoconfigHost };
  if (t?.kind === 'microsoft365') return { kind: 'microsoft365', tenantPrefix: t.tenantPrefix, ...common };
  if (t?.kind === 'google') return { kind: 'google', ...common };
  const host = project.destination.host;
  return {
    kind: 'imap',
    mxHost: t?.mxHost ?? host,
    imapHost: t?.imapHost ?? host,
    smtpHost: t?.smtpHost,
    ...common,
  };
}

/** The TSIG key of plan.dnsServer, or a clear error saying what is missing. */
export function tsigKeyOf(plan: PlanConfig): { server: DnsServer; key: TsigKey } {
  const s = plan.dnsServer;
  if (!s || !s.keyName || !s.keySecret)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'Dynamic DNS updates need the primary name server and a TSIG key.',
      'Add plan.dnsServer: { host, port, keyName, keySecret: { env: TSIG_SECRET } } (hmac-sha256, base64 secret).',
    );
  return {
    server: { host: s.host, port: s.port },
    key: { name: s.keyName, algorithm: 'hmac-sha256', secret: resolveSecret(s.keySecret) },
  };
}

/** Current, required and changes for every domain of the plan, looked up at `server` (default: the system resolver). */
export async function dnsPlan(
  project: ProjectConfig,
  plan: PlanConfig,
  opts: { server?: DnsServer; cutoverAt: Date; now?: Date; signal?: AbortSignal },
): Promise<DomainDnsPlan[]> {
  if (plan.domains.length === 0)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'The plan lists no mail domains.',
      'Add plan.domains: [example.com] to the project file.',
    );
  const target = targetOf(project, plan);
  const out: DomainDnsPlan[] = [];
  for (const domain of plan.domains) {
    const current = await currentRecords(domain, { server: opts.server, signal: opts.signal });
    const required = requiredRecords(domain, target);
    const changes = diffRecords(current, required);
    const currentTtls: Record<string, number> = {};
    for (const r of current) currentTtls[rrsetKey(r)] = Math.max(currentTtls[rrsetKey(r)] ?? 0, r.ttl);
    out.push({
      domain,
      current,
      required,
      changes,
      steps: selfServiceSteps(changes, { cutoverAt: opts.cutoverAt, now: opts.now, currentTtls }),
    });
  }
  return out;
}

/**
 * The zone hand-over file of one domain: the whole zone (by AXFR from `server`, signed with the plan's key
 * when there is one) with the changes applied; when the transfer is refused, the zone rebuilt from the
 * records Cutover can see, and a note saying so.
 */
export async function handOverZone(
  d: DomainDnsPlan,
  plan: PlanConfig,
  server: DnsServer | undefined,
): Promise<{ text: string; note?: string }> {
  if (server) {
    try {
      const key = plan.dnsServer?.keyName && plan.dnsServer.keySecret ? tsigKeyOf(plan).key : undefined;
      return { text: zoneFile(d.domain, await axfr(d.domain, { server, tsig: key }), d.changes) };
    } catch (err) {
      return {
        text: zoneFile(d.domain, d.current, d.changes),
        note: `The zone transfer was refused (${(err as Error).message}); this file holds only the records Cutover looked up — add the others (A, www, CAA…) before loading it.`,
      };
    }
  }
  return {
    text: zoneFile(d.domain, d.current, d.changes),
    note: 'No name server to transfer the zone from: this file holds only the records Cutover looked up.',
  };
}

/** Apply the changes of every domain by RFC 2136 dynamic update to plan.dnsServer. */
export async function applyDns(
  plans: DomainDnsPlan[],
  plan: PlanConfig,
  signal?: AbortSignal,
): Promise<void> {
  const { server, key } = tsigKeyOf(plan);
  for (const d of plans)
    if (d.changes.length) await applyUpdate(d.domain, d.changes, { server, tsig: key, signal });
}

/** Poll until every change is visible; raise (or clear) the project's dns-not-ready alert. */
export async function checkDns(
  store: Store,
  plans: DomainDnsPlan[],
  opts: { server?: DnsServer; timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<{ ready: boolean; missing: DnsChange[] }> {
  const changes = plans.flatMap((p) => p.changes);
  const r = await waitUntilVisible(changes, opts);
  const alerts = new AlertRepo(store.db);
  if (r.ready) await alerts.clear(null, 'dns-not-ready');
  else
    await alerts.raise({
      mailboxId: null,
      type: 'dns-not-ready',
      level: 'critical',
      text: `${r.missing.length} DNS change(s) not visible yet (${[...new Set(r.missing.map((c) => `${c.record.name} ${c.record.type}`))].join(', ')}); mail may still reach the old system.`,
    });
  return r;
}
