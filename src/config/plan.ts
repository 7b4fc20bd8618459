/**
 * The cutover plan, as the project file's `plan:` section describes it. Every key is optional:
 *
 *   plan:
 *     cutover: 2026-12-12T18:00         # local time in `timezone` (default: suggested from the estimate)
 *     notifyFrom: 2026-11-25            # when end-user communications start (default: today)
 *     timezone: Europe/Berlin           # IANA name (default: this machine's)
 *     mode: credentials                 # credentials | admin | oauth
 *     communications: users             # none | users | contact | operator
 *     contact: it@example.com           # for communications: contact
 *     domains: [example.com]            # mail domains whose DNS moves at cutover
 *     dns: self-service                 # self-service | zone | dynamic
 *     dnsServer: { host: ns1.example.com, port: 53, keyName: cutover, keySecret: { env: TSIG_SECRET } }
 *     dnsTarget: { kind: imap, mxHost: mx.new.example, imapHost: imap.new.example, verification: [] }
 *     windows:                          # throttling windows: concurrency (mailboxes at once) by day and time
 *       - { days: mon-fri, from: "08:00", to: "18:00", concurrency: 1 }
 *       - { days: sat-sun, concurrency: 8 }
 *     prestageOlderThanDays: 30         # pre-stage phase: only items older than this
 *     recentMonths: 6                   # "recent" phase: only the last N months before cutover
 *     catchUpDays: 7                    # catch-up passes are allowed this long after cutover
 *     addressReplacements:              # old address or domain → new (login names, contacts, attendees)
 *       - { from: "@old.example", to: "@new.example" }
 */
import type { SecretRef } from './secret-ref.js';

export type MigrationMode = 'credentials' | 'admin' | 'oauth';
export type Communications = 'none' | 'users' | 'contact' | 'operator';
export type DnsMode = 'self-service' | 'zone' | 'dynamic';

/** A throttling window: on these weekdays (0 = Sunday), between `from` and `to` local time. */
export interface ThrottleWindow {
  days: number[];
  /** Minutes after midnight, inclusive. */
  from: number;
  /** Minutes after midnight, exclusive; may be ≤ from for a window that runs past midnight. */
  to: number;
  /** Mailboxes at once during the window; 0 pauses migration. */
  concurrency: number;
}

export interface PlanConfig {
  cutoverAt?: Date;
  notifyFrom?: Date;
  timezone: string;
  mode: MigrationMode;
  communications: Communications;
  contact?: string;
  domains: string[];
  dns: DnsMode;
  dnsServer?: { host: string; port: number; keyName?: string; keySecret?: SecretRef };
  /**
   * Where mail goes after cutover, for the DNS records it needs: Microsoft 365 (tenantPrefix enables the
   * DKIM CNAMEs), Google Workspace, or an IMAP/SMTP host (default: the destination server's host).
   */
  dnsTarget?: {
    kind: 'microsoft365' | 'google' | 'imap';
    mxHost?: string;
    imapHost?: string;
    smtpHost?: string;
    tenantPrefix?: string;
    verification: string[];
    autoconfigHost?: string;
  };
  windows: ThrottleWindow[];
  prestageOlderThanDays?: number;
  recentMonths?: number;
  catchUpDays: number;
  addressReplacements: Array<{ from: string; to: string }>;
}

export const MODES: readonly MigrationMode[] = ['credentials', 'admin', 'oauth'];
export const COMMUNICATIONS: readonly Communications[] = ['none', 'users', 'contact', 'operator'];
export const DNS_MODES: readonly DnsMode[] = ['self-service', 'zone', 'dynamic'];

/** The plan when the project file has none. */
export function defaultPlan(): PlanConfig {
  return {
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    mode: 'credentials',
    communications: 'none',
    domains: [],
    dns: 'self-service',
    windows: [],
    catchUpDays: 7,
    addressReplacements: [],
  };
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** "mon-fri", "sat,sun", "daily" → weekday numbers; undefined when not understood. */
export function parseDays(input: string): number[] | undefined {
  const s = input.trim().toLowerCase();
  if (s === 'daily' || s === 'all' || s === '*') return [0, 1, 2, 3, 4, 5, 6];
  const out = new Set<number>();
  for (const part of s.split(/\s*,\s*/)) {
    const [a, b] = part.split(/\s*-\s*/).map((d) => DAY_NAMES.indexOf(d.slice(0, 3)));
    if (a === undefined || a < 0 || (b !== undefined && b < 0)) return undefined;
    if (b === undefined) out.add(a);
    else
      for (let d = a; ; d = (d + 1) % 7) {
        out.add(d);
        if (d === b) break;
      }
  }
  return [...out].sort();
}

/** "08:00" → 480; undefined when not HH:MM. "24:00" is the end of the day. */
export function parseClock(input: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(input.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) return undefined;
  return h * 60 + min;
}

/**
 * One formatter per time zone and shape: building an Intl.DateTimeFormat costs far more than using one (an
 * estimate over 25,000 mailboxes asked for hundreds), and they hold no state between calls.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, shape: 'clock' | 'wall'): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      'en-US',
      shape === 'clock'
        ? { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : {
            timeZone,
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hourCycle: 'h23',
          },
    );
    formatters.set(key, f);
  }
  return f;
}

/** Weekday and minutes after midnight of `t` in `timeZone`. */
export function localClock(t: Date, timeZone: string): { day: number; minutes: number } {
  const parts = formatter(timeZone, 'clock').formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    day: DAY_NAMES.indexOf(get('weekday').slice(0, 3).toLowerCase()),
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** Mailboxes at once at time `t`: the first window that covers it, else `fallback`. */
export function concurrencyAt(
  t: Date,
  plan: Pick<PlanConfig, 'windows' | 'timezone'>,
  fallback: number,
): number {
  if (plan.windows.length === 0) return fallback;
  const { day, minutes } = localClock(t, plan.timezone);
  for (const w of plan.windows) {
    const overnight = w.to <= w.from;
    const inDay = w.days.includes(day) && minutes >= w.from && (overnight || minutes < w.to);
    const yesterday = (day + 6) % 7;
    const spill = overnight && w.days.includes(yesterday) && minutes < w.to;
    if (inDay || spill) return w.concurrency;
  }
  return fallback;
}

/** How far `timeZone`'s wall clock is ahead of UTC at instant `t`, in milliseconds. */
export function zoneOffsetMs(t: Date, timeZone: string): number {
  const parts = formatter(timeZone, 'wall').formatToParts(t);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(t.getTime() / 1000) * 1000;
}

/** The instant at which `timeZone`'s clocks show [year, month (1-12), day, hour, minute]. */
export function fromZonedWallTime(w: [number, number, number, number, number], timeZone: string): Date {
  const wall = Date.UTC(w[0], w[1] - 1, w[2], w[3], w[4]);
  // Two rounds settle the offset also next to a daylight-saving change.
  let t = wall - zoneOffsetMs(new Date(wall), timeZone);
  t = wall - zoneOffsetMs(new Date(t), timeZone);
  return new Date(t);
}

/**
 * An address after the plan's replacements: a rule "@old.example" → "@new.example" moves the domain,
 * a rule with a whole address replaces that address; the first matching rule wins; case-insensitive.
 */
export function replaceAddress(address: string, rules: PlanConfig['addressReplacements']): string {
  const lower = address.toLowerCase();
  for (const r of rules) {
    if (r.from.startsWith('@') && lower.endsWith(r.from) && lower.length > r.from.length)
      return address.slice(0, address.length - r.from.length) + (r.to.startsWith('@') ? r.to : `@${r.to}`);
    if (!r.from.startsWith('@') && lower === r.from) return r.to;
  }
  return address;
}
