/**
 * The changes as a timed list of steps for whoever edits the zone by hand at a DNS provider: what to add
 * early, which TTLs to lower and by when, what to change at cutover, and what to do after.
 */
import type { DnsChange } from './diff.js';
import { formatRecord, isSpf, rrsetKey } from './records.js';

/** One thing to do, and when. */
export type DnsStep = {
  at: Date;
  phase: 'now' | 'before-cutover' | 'at-cutover' | 'after-cutover';
  /** One sentence for people. */
  text: string;
  /** The changes this step makes (none for TTL and checking steps). */
  changes: DnsChange[];
};

/** The cutover time and what is known of the TTLs. */
export interface StepOptions {
  cutoverAt: Date;
  /** Default: the current time. */
  now?: Date;
  /** The TTL (seconds) in force now of each RRset, keyed `name TYPE` (rrsetKey); overrides `previous.ttl`. */
  currentTtls: Readonly<Record<string, number>>;
  /** The TTL to lower to before cutover; default 300 s. */
  lowTtl?: number;
}

const TYPE_ORDER = ['MX', 'TXT', 'CNAME', 'SRV', 'A', 'AAAA', 'NS', 'SOA'];
const PHASES = ['now', 'before-cutover', 'at-cutover', 'after-cutover'];

/** Steps ordered by time. TTL advice: a cached record lives up to its old TTL, so lower it that long before. */
export function selfServiceSteps(changes: readonly DnsChange[], opts: StepOptions): DnsStep[] {
  const now = opts.now ?? new Date();
  const cutover = opts.cutoverAt;
  const low = opts.lowTtl ?? 300;
  const steps: DnsStep[] = [];
  // Records that send no mail anywhere (domain verification, DKIM keys) can go in now, unless a CNAME is
  // involved at their name: a CNAME cannot be added before the name's other records go, nor beside an old one.
  const removing = changes.filter((c) => c.action !== 'add').map((c) => c.previous ?? c.record);
  const early = (c: DnsChange) =>
    c.action === 'add' &&
    ((c.record.type === 'TXT' && !isSpf(c.record)) || c.record.name.includes('._domainkey.')) &&
    !removing.some((r) => r.name === c.record.name && (r.type === 'CNAME' || c.record.type === 'CNAME'));
  for (const c of changes.filter(early))
    steps.push({
      at: now,
      phase: 'now',
      text: `${describeChange(c)} now: it does not change where mail goes.`,
      changes: [c],
    });
  const atCutover = changes
    .filter((c) => !early(c))
    .sort((a, b) => TYPE_ORDER.indexOf(a.record.type) - TYPE_ORDER.indexOf(b.record.type));

  // TTLs of the RRsets that lose a record: resolvers may serve the old data for up to that long.
  const ttls = new Map<string, { name: string; type: string; ttl: number }>();
  for (const c of atCutover) {
    const old = c.action === 'replace' ? c.previous : c.action === 'delete' ? c.record : undefined;
    const key = rrsetKey(old ?? c.record);
    const ttl = opts.currentTtls[key] ?? old?.ttl;
    if (ttl !== undefined && ttl > low)
      ttls.set(key, { name: (old ?? c.record).name, type: c.record.type, ttl });
  }
  for (const { name, type, ttl } of ttls.values()) {
    const by = new Date(cutover.getTime() - ttl * 1000);
    const late = by < now;
    const text =
      `Lower the TTL of ${name} ${type} to ${low} at least ${duration(ttl)} before cutover, i.e. by ${when(by)}` +
      (late
        ? ` — that time has passed: lower it now; some resolvers may use the old ${type} until ${when(new Date(now.getTime() + ttl * 1000))}.`
        : '.');
    steps.push({ at: late ? now : by, phase: 'before-cutover', text, changes: [] });
  }

  for (const c of atCutover)
    steps.push({
      at: cutover,
      phase: 'at-cutover',
      text: `At cutover (${when(cutover)}): ${lower(describeChange(c))}.`,
      changes: [c],
    });
  if (atCutover.length) {
    // Lowered in time, every cache holds the old data at most `low` after cutover; lowered late, longer.
    const lateUntil = [...ttls.values()].map((t) => now.getTime() + t.ttl * 1000);
    const settled = new Date(Math.max(cutover.getTime() + low * 1000, ...lateUntil));
    steps.push({
      at: settled,
      phase: 'after-cutover',
      text: `From ${when(settled)} resolvers no longer hold the old records: check that the changes are visible, then run the final delta pass for mail that still reached the old servers.`,
      changes: [],
    });
  }
  if (ttls.size) {
    const later = new Date(cutover.getTime() + 86400_000);
    const which = [...ttls.values()].map((t) => `${t.name} ${t.type}`).join(', ');
    steps.push({
      at: later,
      phase: 'after-cutover',
      text: `Once mail flows (by ${when(later)}), set the TTLs you lowered (${which}) back to 1 hour or more.`,
      changes: [],
    });
  }
  return steps
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        a.s.at.getTime() - b.s.at.getTime() ||
        PHASES.indexOf(a.s.phase) - PHASES.indexOf(b.s.phase) ||
        a.i - b.i,
    )
    .map(({ s }) => s);
}

/** `Add …`, `Delete …`, `Replace … with …` (TTL of the new record included). */
export function describeChange(c: DnsChange): string {
  const ttl = ` (TTL ${duration(c.record.ttl)})`;
  if (c.action === 'add') return `Add ${formatRecord(c.record)}${ttl}`;
  if (c.action === 'delete') return `Delete ${formatRecord(c.record)}`;
  return `Replace ${formatRecord(c.previous!)} with ${formatRecord(c.record).slice(c.record.name.length + 1)}${ttl}`;
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** `2026-03-01 17:00 UTC`. */
export const when = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** `1 day`, `2 hours 30 minutes`, `5 minutes`, `45 seconds`. */
export function duration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const parts: string[] = [];
  let left = seconds;
  for (const [size, name] of units) {
    const n = Math.floor(left / size);
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    left -= n * size;
  }
  return parts.join(' ') || '0 seconds';
}
