/**
 * A project's cutover plan as stored (JSON: instants as ISO strings, the TSIG key sealed), as the API shows
 * it, and as the services run it (PlanConfig with the project's time zone and throttling windows).
 */
import { defaultPlan, parseClock, type PlanConfig } from '../config/plan.js';
import type { SecretBox } from '../security/secret-box.js';
import type { PlanIn, PlanOut, Window } from '../schemas/projects.js';
import { validatePlanAndFolders } from './project-validate.js';
import type { StoredSecret } from './stored-secret.js';
import { InvalidInputError } from '../errors.js';

/** The plan as stored in `projects.settings.plan`. */
export interface StoredPlan extends Omit<
  PlanConfig,
  'cutoverAt' | 'notifyFrom' | 'timezone' | 'windows' | 'dnsServer'
> {
  cutoverAt?: string;
  notifyFrom?: string;
  dnsServer?: { host: string; port: number; keyName?: string; keySecret?: StoredSecret };
}

const DNS_CONTEXT = 'project-dns-key';

/** The stored plan from the API's input, checked by the project file's reader; `previous` keeps the TSIG key. */
export function storePlan(
  box: SecretBox,
  input: PlanIn,
  timezone: string,
  previous: StoredPlan | undefined,
): StoredPlan {
  const { plan } = validatePlanAndFolders({}, input, timezone);
  const { cutoverAt, notifyFrom, timezone: _tz, windows: _w, dnsServer, ...rest } = plan;
  const out: StoredPlan = { ...rest };
  if (cutoverAt) out.cutoverAt = cutoverAt.toISOString();
  if (notifyFrom) out.notifyFrom = notifyFrom.toISOString();
  if (dnsServer) {
    const given = input.dnsServer?.keySecret;
    const prev = previous?.dnsServer;
    const same = prev && prev.host === dnsServer.host && prev.keyName === dnsServer.keyName;
    const keySecret = given ? { sealed: box.seal(given, DNS_CONTEXT) } : same ? prev.keySecret : undefined;
    if (dnsServer.keyName && !keySecret)
      throw new InvalidInputError(
        'plan.dnsServer has a key name but no key secret (a stored one is kept only for the same host and key name).',
        'Send plan.dnsServer.keySecret (stored encrypted, never shown again).',
      );
    out.dnsServer = {
      host: dnsServer.host,
      port: dnsServer.port,
      ...(dnsServer.keyName ? { keyName: dnsServer.keyName } : {}),
      ...(keySecret ? { keySecret } : {}),
    };
  }
  return out;
}

/** The stored plan of a project file's PlanConfig (inline TSIG key sealed, references kept). */
export function planFromConfig(box: SecretBox, p: PlanConfig): StoredPlan {
  const { cutoverAt, notifyFrom, timezone: _tz, windows: _w, dnsServer, ...rest } = p;
  const k = dnsServer?.keySecret;
  return {
    ...rest,
    ...(cutoverAt ? { cutoverAt: cutoverAt.toISOString() } : {}),
    ...(notifyFrom ? { notifyFrom: notifyFrom.toISOString() } : {}),
    ...(dnsServer
      ? {
          dnsServer: {
            ...dnsServer,
            keySecret: !k ? undefined : 'value' in k ? { sealed: box.seal(k.value, DNS_CONTEXT) } : k,
          },
        }
      : {}),
  };
}

/** The plan as the API shows it (the TSIG key only as set or not). */
export function showPlan(p: StoredPlan | undefined): PlanOut {
  const d = p ?? storedDefault();
  return {
    cutover: d.cutoverAt ?? null,
    notifyFrom: d.notifyFrom ?? null,
    mode: d.mode,
    communications: d.communications,
    contact: d.contact ?? null,
    domains: d.domains,
    dns: d.dns,
    dnsServer: d.dnsServer
      ? {
          host: d.dnsServer.host,
          port: d.dnsServer.port,
          keyName: d.dnsServer.keyName ?? null,
          keySecretSet: Boolean(d.dnsServer.keySecret),
        }
      : null,
    dnsTarget: d.dnsTarget ?? null,
    prestageOlderThanDays: d.prestageOlderThanDays ?? null,
    recentMonths: d.recentMonths ?? null,
    catchUpDays: d.catchUpDays,
    addressReplacements: d.addressReplacements,
  };
}

function storedDefault(): StoredPlan {
  const { timezone: _tz, windows: _w, cutoverAt: _c, notifyFrom: _n, dnsServer: _d, ...rest } = defaultPlan();
  return rest;
}

/** The plan as the services run it: stored plan, project time zone and windows, TSIG key opened. */
export function runtimePlan(
  box: SecretBox,
  p: StoredPlan | undefined,
  timezone: string,
  windows: Window[],
): PlanConfig {
  const d = p ?? storedDefault();
  const { cutoverAt, notifyFrom, dnsServer, ...rest } = d;
  const k = dnsServer?.keySecret;
  return {
    ...rest,
    timezone,
    windows: windows.map((w) => ({ ...w, from: parseClock(w.from) ?? 0, to: parseClock(w.to) ?? 1440 })),
    ...(cutoverAt ? { cutoverAt: new Date(cutoverAt) } : {}),
    ...(notifyFrom ? { notifyFrom: new Date(notifyFrom) } : {}),
    ...(dnsServer
      ? {
          dnsServer: {
            ...dnsServer,
            keySecret: !k ? undefined : 'sealed' in k ? { value: box.open(k.sealed, DNS_CONTEXT) } : k,
          },
        }
      : {}),
  };
}
