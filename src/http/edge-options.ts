/**
 * The settings that decide how the server meets the network, read and checked once: the public URL (the
 * only host name it answers to, and the base of every link and OAuth redirect it builds), the reverse
 * proxies it trusts for X-Forwarded-For/-Proto, and whether an address it listens on is only this machine.
 */
import net from 'node:net';
import { ErrorCode, PermanentError } from '../errors.js';

/** The environment variable of the public URL (--public-url). */
export const PUBLIC_URL_ENV = 'CUTOVER_PUBLIC_URL';
/** The environment variable of the trusted proxies (--trust-proxy). */
export const TRUST_PROXY_ENV = 'CUTOVER_TRUST_PROXY';

/** The origin of a public URL (`https://migrate.example.com`), or an error saying what is wrong with it. */
export function parsePublicUrl(text: string | undefined, where = PUBLIC_URL_ENV): string | undefined {
  const raw = text?.trim();
  if (!raw) return undefined;
  const bad = (why: string) =>
    new PermanentError(
      ErrorCode.ConfigInvalid,
      `${where} "${raw}" ${why}.`,
      'Give the address people open, with nothing after the host: e.g. https://migrate.example.com',
    );
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw bad('is not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad('is not an http(s) URL');
  if (u.username || u.password) throw bad('carries a user name or password');
  if (u.pathname.replace(/\/+$/, '') !== '' || u.search || u.hash)
    throw bad('has a path, query or fragment (Cutover is served at the root of its host)');
  return u.origin;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One trusted proxy: an address, a CIDR range, or loopback / linklocal / uniquelocal. */
function isProxySpec(s: string): boolean {
  if (PROXY_NAMES.has(s) || net.isIP(s)) return true;
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || !ip || !bits || !/^\d{1,3}$/.test(bits)) return false;
  const family = net.isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** `ADDR[,ADDR…]` as a list, or an error naming the entry that is not an address. */
export function parseTrustProxy(text: string | undefined, where = TRUST_PROXY_ENV): string[] {
  const list = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const wrong = list.find((s) => !isProxySpec(s));
  if (wrong !== undefined)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${where}: "${wrong}" is not an IP address, a CIDR range or loopback/linklocal/uniquelocal.`,
      'List the addresses your reverse proxy connects from, e.g. --trust-proxy 127.0.0.1,::1',
    );
  return list;
}

/** True for a listen address that only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}
