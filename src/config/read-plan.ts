/** The plan: section of the project file (cutover date, mode, communications, DNS, windows, phases). */
import {
  COMMUNICATIONS,
  DNS_MODES,
  MODES,
  defaultPlan,
  fromZonedWallTime,
  parseClock,
  parseDays,
  type PlanConfig,
} from './plan.js';
import type { Field, Reader } from './yaml-reader.js';

const PLAN_KEYS = [
  'cutover',
  'notifyFrom',
  'timezone',
  'mode',
  'communications',
  'contact',
  'domains',
  'dns',
  'dnsServer',
  'dnsTarget',
  'windows',
  'prestageOlderThanDays',
  'recentMonths',
  'catchUpDays',
  'addressReplacements',
];

/** A date-time in the plan's time zone: "2026-12-12T18:00", "2026-12-12 18:00", a date (midnight), or ISO with an offset. */
function zonedTime(input: string | Date, timeZone: string): Date | undefined {
  if (input instanceof Date) return input;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2}))?$/.exec(input.trim());
  if (m)
    return fromZonedWallTime(
      [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)],
      timeZone,
    );
  const t = Date.parse(input);
  return Number.isNaN(t) || !/([zZ]|[+-]\d\d:?\d\d)$/.test(input.trim()) ? undefined : new Date(t);
}

/** The plan: section; the defaults where it is absent. */
export function readPlan(r: Reader, f: Field | undefined): PlanConfig {
  const plan = defaultPlan();
  const m = f && r.map(f, PLAN_KEYS);
  if (!m) return plan;
  const tz = r.str(m.get('timezone'));
  if (tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      plan.timezone = tz;
    } catch {
      r.add(
        m.get('timezone')!.at,
        `plan.timezone: '${tz}' is not a time zone`,
        'Use an IANA name such as Europe/Berlin or America/New_York.',
      );
    }
  }
  const when = (key: 'cutover' | 'notifyFrom'): Date | undefined => {
    const field = m.get(key);
    if (!field) return undefined;
    const v = r.scalar(field, 'a date and time');
    if (v === undefined) return undefined;
    const d = typeof v === 'string' || v instanceof Date ? zonedTime(v, plan.timezone) : undefined;
    if (!d)
      r.add(
        field.at,
        `plan.${key}: ${JSON.stringify(v)} is not a date and time`,
        `Write e.g. ${key}: "2026-12-12T18:00" (in plan.timezone).`,
      );
    return d;
  };
  plan.cutoverAt = when('cutover');
  plan.notifyFrom = when('notifyFrom');
  const choice = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = r.str(m.get(key));
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    return r.add(
      m.get(key)!.at,
      `plan.${key}: '${v}' is not one of ${allowed.join(', ')}`,
      `Write ${key}: ${allowed[0]}.`,
    );
  };
  plan.mode = choice('mode', MODES) ?? plan.mode;
  plan.communications = choice('communications', COMMUNICATIONS) ?? plan.communications;
  plan.dns = choice('dns', DNS_MODES) ?? plan.dns;
  plan.contact = r.str(m.get('contact'));
  const df = m.get('domains');
  if (df)
    plan.domains = r
      .list(df, true)
      .map((x) => r.str(x)?.toLowerCase())
      .filter((x): x is string => !!x);
  const sf = m.get('dnsServer');
  const sm = sf && r.map(sf, ['host', 'port', 'keyName', 'keySecret']);
  if (sm) {
    const host = r.str(sm.get('host'));
    if (!host)
      r.add(
        sf.at,
        'plan.dnsServer needs a host',
        'Write dnsServer: { host: ns1.example.com, keyName: …, keySecret: { env: … } }.',
      );
    else
      plan.dnsServer = {
        host,
        port: r.int(sm.get('port'), 1, 65535, 'A port number, 53 by default.') ?? 53,
        keyName: r.str(sm.get('keyName')),
        keySecret: r.secret(sm.get('keySecret')),
      };
  }
  const tf = m.get('dnsTarget');
  const tm =
    tf &&
    r.map(tf, ['kind', 'mxHost', 'imapHost', 'smtpHost', 'tenantPrefix', 'verification', 'autoconfigHost']);
  if (tm) {
    const kind = r.str(tm.get('kind')) ?? 'imap';
    if (!['microsoft365', 'google', 'imap'].includes(kind))
      r.add(
        tm.get('kind')!.at,
        `plan.dnsTarget.kind: '${kind}' is not one of microsoft365, google, imap`,
        'Write kind: microsoft365, google or imap.',
      );
    else {
      const vf = tm.get('verification');
      plan.dnsTarget = {
        kind: kind as 'microsoft365' | 'google' | 'imap',
        mxHost: r.str(tm.get('mxHost')),
        imapHost: r.str(tm.get('imapHost')),
        smtpHost: r.str(tm.get('smtpHost')),
        tenantPrefix: r.str(tm.get('tenantPrefix')),
        autoconfigHost: r.str(tm.get('autoconfigHost')),
        verification: vf
          ? r
              .list(vf, true)
              .map((x) => r.str(x))
              .filter((x): x is string => !!x)
          : [],
      };
    }
  }
  const wf = m.get('windows');
  for (const item of wf ? r.list(wf) : []) {
    const w = r.map(item, ['days', 'from', 'to', 'concurrency']);
    if (!w) continue;
    const daysText = r.str(w.get('days')) ?? 'daily';
    const days = parseDays(daysText);
    const from = parseClock(r.str(w.get('from')) ?? '00:00');
    const to = parseClock(r.str(w.get('to')) ?? '24:00');
    const concurrency = r.int(w.get('concurrency'), 0, 1000, 'Mailboxes at once in this window; 0 pauses.');
    if (!days)
      r.add(
        w.get('days')?.at ?? item.at,
        `${item.path}.days: '${daysText}' is not understood`,
        'Write mon-fri, sat-sun, "mon,wed,fri" or daily.',
      );
    if (from === undefined || to === undefined)
      r.add(item.at, `${item.path}: from/to must be HH:MM`, 'Write from: "08:00", to: "18:00" (quoted).');
    if (concurrency === undefined && !w.get('concurrency'))
      r.add(
        item.at,
        `${item.path} needs a concurrency`,
        'Write concurrency: 2 (0 pauses migration in this window).',
      );
    if (days && from !== undefined && to !== undefined && concurrency !== undefined)
      plan.windows.push({ days, from, to, concurrency });
  }
  plan.prestageOlderThanDays = r.int(m.get('prestageOlderThanDays'), 0, 36500, 'A number of days.');
  plan.recentMonths = r.int(m.get('recentMonths'), 1, 1200, 'A number of months.');
  plan.catchUpDays = r.int(m.get('catchUpDays'), 0, 365, 'A number of days.') ?? plan.catchUpDays;
  const af = m.get('addressReplacements');
  for (const item of af ? r.list(af) : []) {
    const a = r.map(item, ['from', 'to']);
    const from = a && r.str(a.get('from'));
    const to = a && r.str(a.get('to'));
    if (from && to) plan.addressReplacements.push({ from: from.toLowerCase(), to: to.toLowerCase() });
    else if (a)
      r.add(item.at, `${item.path} needs from and to`, 'Write { from: "@old.example", to: "@new.example" }.');
  }
  return plan;
}
