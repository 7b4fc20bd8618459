/**
 * `cutover dns`: for each mail domain of the plan, the records that must exist after cutover, those that
 * exist now, and the difference; then, by the plan's DNS mode, self-service steps, a zone file, or a
 * signed dynamic update (--apply) and the readiness check (--check).
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultPlan } from '../../config/plan.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import { formatRecord } from '../../dns/records.js';
import { describeChange, when } from '../../dns/steps.js';
import { openStoreAt } from '../../store/db.js';
import { estimate, measuredRates } from '../../services/estimate.js';
import { applyDns, checkDns, dnsPlan, handOverZone, type DnsServer } from '../../services/dns-service.js';
import { resolveTarget, type TargetOptions } from '../context.js';

export interface DnsCommandOptions extends TargetOptions {
  server?: string;
  zoneDir?: string;
  apply?: boolean;
  check?: boolean;
  timeout?: string;
  format: 'text' | 'json';
}

function parseServer(s: string | undefined): DnsServer | undefined {
  if (!s) return undefined;
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s.trim());
  if (!m)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `--server ${s}: not HOST or HOST:PORT`,
      'Example: --server ns1.example.com:53',
    );
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 53 };
}

export async function dnsCommand(o: DnsCommandOptions): Promise<void> {
  const { project, dataDir, store: target } = resolveTarget(o);
  const plan = project.plan ?? defaultPlan();
  const server =
    parseServer(o.server) ??
    (plan.dnsServer ? { host: plan.dnsServer.host, port: plan.dnsServer.port } : undefined);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = await openStoreAt(target);
  try {
    const cutoverAt =
      plan.cutoverAt ??
      estimate([], project, plan, await measuredRates(store)).suggestedCutover ??
      new Date(Date.now() + 7 * 24 * 3600 * 1000);
    const plans = await dnsPlan(project, plan, { server, cutoverAt });
    const out: string[] = [];
    const json: Record<string, unknown> = {
      cutoverAt: cutoverAt.toISOString(),
      mode: plan.dns,
      domains: plans,
    };
    for (const d of plans) {
      out.push(
        `${d.domain} — ${d.changes.length} change(s) for cutover at ${when(cutoverAt)} (DNS mode ${plan.dns})`,
      );
      out.push('  Now:');
      for (const r of d.current) out.push(`    ${formatRecord(r)}  (TTL ${r.ttl})`);
      out.push('  Needed after cutover:');
      for (const r of d.required) out.push(`    ${formatRecord(r)}`);
      out.push('  Changes:');
      for (const c of d.changes) out.push(`    ${describeChange(c)}`);
      if (d.changes.length === 0) out.push('    none: the domain is ready');
      if (plan.dns === 'self-service') {
        out.push('  Steps:');
        for (const s of d.steps) out.push(`    ${when(s.at)}  ${s.text}`);
      }
      if (plan.dns === 'zone' || o.zoneDir) {
        const zone = await handOverZone(d, plan, server);
        const file = path.join(o.zoneDir ?? dataDir, `${d.domain}.zone`);
        fs.writeFileSync(file, zone.text, { mode: 0o600 }); // like every file in the data directory
        out.push(`  Zone file for the new name servers: ${file}`);
        if (zone.note) out.push(`  ! ${zone.note}`);
        (json as { zoneFiles?: string[] }).zoneFiles = [
          ...((json as { zoneFiles?: string[] }).zoneFiles ?? []),
          file,
        ];
      }
    }
    if (o.apply) {
      if (plan.dns !== 'dynamic')
        throw new PermanentError(
          ErrorCode.ConfigInvalid,
          `--apply sends dynamic updates, but the plan's DNS mode is ${plan.dns}.`,
          'Set plan.dns: dynamic (and plan.dnsServer with a TSIG key), or make the changes listed above by hand.',
        );
      await applyDns(plans, plan);
      out.push(
        `Applied ${plans.reduce((s, d) => s + d.changes.length, 0)} change(s) by signed dynamic update.`,
      );
    }
    if (o.check || o.apply) {
      const timeoutMs = o.timeout ? Number(o.timeout) * 1000 : o.apply ? 60_000 : 5_000;
      const r = await checkDns(store, plans, {
        server,
        timeoutMs,
        intervalMs: Math.min(5000, timeoutMs / 4),
      });
      json.ready = r.ready;
      out.push(
        r.ready
          ? 'Ready: every change is visible.'
          : `Not ready: ${r.missing.length} change(s) not visible yet — an alert was raised (cutover alerts).`,
      );
      if (!r.ready) process.exitCode = 1;
    }
    process.stdout.write(o.format === 'json' ? JSON.stringify(json, null, 2) + '\n' : out.join('\n') + '\n');
  } finally {
    await store.close();
  }
}
