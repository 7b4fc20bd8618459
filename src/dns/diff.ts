/** What must change in a zone so that it publishes the required records, and nothing more. */
import { normalizeName } from './name.js';
import { isSpf, sameRecord, type DnsRecord } from './records.js';

/** One change: `replace` swaps `previous` for `record` (same name and type); `delete` removes `record`. */
export type DnsChange = {
  action: 'add' | 'delete' | 'replace';
  record: DnsRecord;
  previous?: DnsRecord;
};

/**
 * The changes that turn `current` into a zone publishing `required`. Records the destination does not
 * concern are left alone, except that:
 * - MX and SRV are sets: the whole set is replaced (an old MX left beside the new ones keeps getting mail);
 * - SPF: the existing `v=spf1` TXT is replaced, never joined by a second one (two SPF records are a
 *   permanent error for receivers, RFC 7208 §4.5); other TXT records (verifications, DKIM) stay;
 * - a CNAME cannot share its name with other records (RFC 1034 §3.6.2): those are deleted, and a CNAME
 *   where other required records go is deleted too.
 */
export function diffRecords(current: readonly DnsRecord[], required: readonly DnsRecord[]): DnsChange[] {
  const cur = current.map((r) => ({ ...r, name: normalizeName(r.name) }));
  const at = (name: string, type?: string) =>
    cur.filter((r) => r.name === name && (!type || r.type === type));
  const changes: DnsChange[] = [];
  const deleted = new Set<DnsRecord>();
  const remove = (r: DnsRecord) => {
    if (!deleted.has(r)) changes.push({ action: 'delete', record: r });
    deleted.add(r);
  };
  const groups = new Map<string, DnsRecord[]>();
  for (const r of required) {
    const n = { ...r, name: normalizeName(r.name) };
    const key = `${n.name} ${n.type}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  for (const want of groups.values()) {
    const { name, type } = want[0]!;
    const have = at(name, type);
    if (type === 'TXT') {
      const spf = want.find(isSpf);
      const oldSpf = have.filter(isSpf);
      if (spf) {
        const same = oldSpf.find((o) => sameRecord(o, spf));
        const replaced = same ?? oldSpf[0];
        if (!replaced) changes.push({ action: 'add', record: spf });
        else if (!same) changes.push({ action: 'replace', record: spf, previous: replaced });
        oldSpf.filter((o) => o !== replaced).forEach(remove);
      }
      for (const w of want.filter((x) => !isSpf(x)))
        if (!have.some((h) => sameRecord(h, w))) changes.push({ action: 'add', record: w });
    } else {
      // A set (MX, SRV, one CNAME): keep the equal ones, pair the rest as replacements, delete or add what remains.
      const wanted = type === 'CNAME' ? want.slice(0, 1) : want;
      const gone = have.filter((h) => !wanted.some((w) => sameRecord(h, w)));
      const added = wanted.filter((w) => !have.some((h) => sameRecord(h, w)));
      for (let i = 0; i < Math.max(gone.length, added.length); i++) {
        const [g, a] = [gone[i], added[i]];
        if (g && a) {
          changes.push({ action: 'replace', record: a, previous: g });
          deleted.add(g);
        } else if (g) remove(g);
        else if (a) changes.push({ action: 'add', record: a });
      }
    }
    // CNAME exclusivity, both ways.
    if (type === 'CNAME')
      at(name)
        .filter((r) => r.type !== 'CNAME')
        .forEach(remove);
    else at(name, 'CNAME').forEach(remove);
  }
  return changes;
}
