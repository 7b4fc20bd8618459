/**
 * What ManageSieve replies say: a status line (OK/NO/BYE, its response code and text) and the capability
 * lines of a greeting or CAPABILITY reply (RFC 5804 §1.7).
 */
import { tokenText, type WireToken } from './managesieve-wire.js';

/** What the server said it can do (its capability lines). */
export interface SieveCapabilities {
  implementation?: string;
  /** SASL mechanisms, upper-cased. */
  sasl: string[];
  /** Sieve extensions (the SIEVE line), lower-cased as RFC 5228 names are compared. */
  sieve: string[];
  starttls: boolean;
  maxRedirects?: number;
  /** enotify methods (the NOTIFY line). */
  notify: string[];
  /** "1.0" on an RFC 5804 server; absent on older draft servers (which have no CAPABILITY command). */
  version?: string;
  /** Every line as "NAME" or "NAME=value", for reports. */
  lines: string[];
}

/** OK/NO/BYE with its response code and text, or undefined for a data line. */
export function statusOf(
  tokens: WireToken[],
): { status: 'OK' | 'NO' | 'BYE'; code?: string; text: string } | undefined {
  const first = tokens[0];
  if (first?.kind !== 'atom') return undefined;
  const status = first.value.toUpperCase();
  if (status !== 'OK' && status !== 'NO' && status !== 'BYE') return undefined;
  let i = 1;
  let code: string | undefined;
  const list = tokens[i];
  if (list?.kind === 'list') {
    code = tokenText(list.items[0])?.toUpperCase();
    i++;
  }
  return { status, code, text: tokenText(tokens[i]) ?? '' };
}

/** The capability lines ("NAME" ["value"]) of a greeting or CAPABILITY reply. */
export function parseCapabilities(data: WireToken[][]): SieveCapabilities {
  const caps: SieveCapabilities = { sasl: [], sieve: [], starttls: false, notify: [], lines: [] };
  for (const line of data) {
    const name = tokenText(line[0])?.toUpperCase();
    if (!name) continue;
    const value = tokenText(line[1]);
    caps.lines.push(value === undefined ? name : `${name}=${value}`);
    const words = (value ?? '').split(/\s+/).filter(Boolean);
    if (name === 'IMPLEMENTATION') caps.implementation = value;
    else if (name === 'SASL') caps.sasl = words.map((w) => w.toUpperCase());
    else if (name === 'SIEVE') caps.sieve = words.map((w) => w.toLowerCase());
    else if (name === 'STARTTLS') caps.starttls = true;
    else if (name === 'MAXREDIRECTS' && /^\d+$/.test(value ?? '')) caps.maxRedirects = Number(value);
    else if (name === 'NOTIFY') caps.notify = words;
    else if (name === 'VERSION') caps.version = value;
  }
  return caps;
}
