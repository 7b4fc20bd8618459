/**
 * The DNS part of a cutover plan: read the live records, compare them with what the destination needs, and
 * either make the changes (RFC 2136 update) or hand them over as timed steps or a complete zone file.
 * Typical use: `diffRecords(await currentRecords(d), requiredRecords(d, dest))`, then `applyUpdate` or
 * `selfServiceSteps`/`zoneFile`, then `waitUntilVisible`.
 */
import { normalizeName } from './name.js';
import type { DnsRecord } from './records.js';
import { lookup, type LookupOptions } from './resolver.js';

export { diffRecords, type DnsChange } from './diff.js';
export { selfServiceSteps, type DnsStep, type StepOptions } from './steps.js';
export { zoneFile, nextSerial } from './zone-file.js';
export { applyUpdate, sendUpdate, type UpdateOptions } from './update.js';
export { waitUntilVisible, type VisibilityOptions } from './visibility.js';

/**
 * The names requiredRecords() may write, with the types that matter there: the record itself and what
 * would conflict with it (a CNAME cannot sit beside an A record, nor a DKIM CNAME beside an old DKIM TXT).
 */
const PROBES: Array<[label: string, types: Array<DnsRecord['type']>]> = [
  ['', ['MX', 'TXT']],
  ['autodiscover', ['CNAME', 'A', 'AAAA']],
  ['autoconfig', ['CNAME', 'A', 'AAAA']],
  ['_imaps._tcp', ['SRV']],
  ['_submission._tcp', ['SRV']],
  ['_autodiscover._tcp', ['SRV']],
  ['selector1._domainkey', ['CNAME', 'TXT']],
  ['selector2._domainkey', ['CNAME', 'TXT']],
];

/** The live records at the names a cutover touches (apex MX and TXT included), looked up in parallel. */
export async function currentRecords(domain: string, opts: LookupOptions = {}): Promise<DnsRecord[]> {
  const d = normalizeName(domain);
  const found = await Promise.all(
    PROBES.flatMap(([label, types]) => {
      const name = label ? `${label}.${d}` : d;
      // Only records owned by the name itself: a resolver would add those at the end of a CNAME chain.
      return types.map(async (t) => (await lookup(name, t, opts)).filter((r) => r.name === name));
    }),
  );
  return found.flat();
}
