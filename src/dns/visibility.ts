/** Polling until changes can be seen in DNS. */
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError, throwIfAborted } from '../errors.js';
import type { DnsChange } from './diff.js';
import { normalizeName } from './name.js';
import { sameRecord, type DnsRecord } from './records.js';
import { DEFAULT_TIMEOUT_MS, lookup, type DnsServerAddress } from './resolver.js';

/** Where to look, how often and for how long. */
export interface VisibilityOptions {
  /** Default: the system resolver (which may answer from its cache: pass the zone's servers to see them). */
  server?: DnsServerAddress;
  /** Between two rounds of lookups; default 5 s. */
  intervalMs?: number;
  /** Give up after this long; default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Look every change up until each one is visible (added records present, deleted and replaced ones gone)
 * or the time is up. Failed lookups count as not yet visible. `missing` lists those still not visible.
 */
export async function waitUntilVisible(
  changes: readonly DnsChange[],
  opts: VisibilityOptions = {},
): Promise<{ ready: boolean; missing: DnsChange[] }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let missing = [...changes];
  for (;;) {
    throwIfAborted(opts.signal);
    const answers = new Map<string, Promise<DnsRecord[] | undefined>>();
    const records = (name: string, type: DnsRecord['type']) => {
      const key = `${normalizeName(name)} ${type}`;
      if (!answers.has(key)) {
        const timeoutMs = Math.max(100, Math.min(DEFAULT_TIMEOUT_MS, deadline - Date.now()));
        const found = lookup(name, type, { server: opts.server, timeoutMs, signal: opts.signal }).then(
          // Owner must match: a resolver follows CNAMEs and returns records of the chain's end.
          (rs) => rs.filter((r) => r.name === normalizeName(name)),
          (err: unknown) => {
            if (err instanceof AbortError) throw err;
            return undefined;
          },
        );
        answers.set(key, found);
      }
      return answers.get(key)!;
    };
    const visible = await Promise.all(
      missing.map(async (c) => {
        const rs = await records(c.record.name, c.record.type);
        if (!rs) return false;
        const has = (r: DnsRecord) => rs.some((x) => sameRecord(x, r));
        if (c.action === 'delete') return !has(c.record);
        return has(c.record) && !(c.previous && has(c.previous));
      }),
    );
    missing = missing.filter((_, i) => !visible[i]);
    const wait = opts.intervalMs ?? 5000;
    if (missing.length === 0) return { ready: true, missing };
    if (Date.now() + wait > deadline) return { ready: false, missing };
    try {
      await sleep(wait, undefined, { signal: opts.signal });
    } catch {
      throw new AbortError();
    }
  }
}
