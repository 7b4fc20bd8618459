/**
 * The faults the proxy injects, written as a comma-separated profile (`cut:0.3@400000,unavailable:0.05`)
 * so a benchmark run or a bug report can name them in one string. Shares are probabilities in [0, 1]:
 * per connection (cut, refuse), per tagged command (unavailable, throttled, bye, lost, stall).
 *
 *   cut:SHARE[@BYTES]        that share of connections is closed, both sides, after a byte count drawn
 *                            uniformly from 1..BYTES (default 1000000), counted over both directions
 *   unavailable:SHARE[@VERB] a command is answered `TAG NO [UNAVAILABLE] …` instead of being forwarded
 *   throttled:SHARE[@VERB]   a command is answered `TAG NO [THROTTLED] …` instead of being forwarded
 *   bye:SHARE[@VERB]         a command is answered `* BYE …` and the connection is closed
 *   lost:SHARE[@VERB]        a command is forwarded, its tagged answer dropped, then the connection closed
 *                            (@VERB: only commands with that verb, e.g. lost:0.5@APPEND, bye:0.2@UID FETCH)
 *   stall:SHARE@MS           a command is held MS milliseconds before it is forwarded
 *   refuse:SHARE[@HOW]       a new connection is refused: reset (RST at once, default), close (closed
 *                            before the greeting) or down (the port stops listening for 250 ms: ECONNREFUSED)
 *   cap:N                    at most N logged-in connections per user; LOGIN/AUTHENTICATE beyond that is
 *                            answered like Dovecot's mail_max_userip_connections does (`NO [LIMIT] …`)
 *   delay:MS[±JITTER]        every chunk, both ways, forwarded MS (± JITTER, uniform) milliseconds late;
 *                            `+-` may stand for `±`
 */

/** A fault drawn per command: its share, among the commands with `verb` when it is given. */
export interface CommandFault {
  share: number;
  verb?: string;
}

/** A parsed profile; absent faults are off. */
export interface FaultProfile {
  cut?: { share: number; withinBytes: number };
  unavailable?: CommandFault;
  throttled?: CommandFault;
  bye?: CommandFault;
  lost?: CommandFault;
  stall?: { share: number; ms: number };
  refuse?: { share: number; how: 'reset' | 'close' | 'down' };
  cap?: number;
  delay?: { ms: number; jitter: number };
}

/** Every fault counted as it is injected (`connections` counts accepted connections, for scale). */
export interface FaultStats {
  connections: number;
  cut: number;
  unavailable: number;
  throttled: number;
  bye: number;
  lost: number;
  stalled: number;
  refused: number;
  capped: number;
}

/** Zeroed stats. */
export function emptyStats(): FaultStats {
  return {
    connections: 0,
    cut: 0,
    unavailable: 0,
    throttled: 0,
    bye: 0,
    lost: 0,
    stalled: 0,
    refused: 0,
    capped: 0,
  };
}

/** The faults injected in all, for "did the test really see faults" checks. */
export function totalFaults(s: FaultStats): number {
  return s.cut + s.unavailable + s.throttled + s.bye + s.lost + s.stalled + s.refused + s.capped;
}

function share(name: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new Error(`fault profile: ${name} needs a share between 0 and 1, got "${v ?? ''}"`);
  return n;
}

function count(name: string, v: string | undefined, min = 0): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n) || n < min)
    throw new Error(`fault profile: ${name} needs a whole number ≥ ${min}, got "${v ?? ''}"`);
  return n;
}

/** Parse `name:value,…` (see the header); throws on anything it does not know. */
export function parseProfile(spec: string): FaultProfile {
  const p: FaultProfile = {};
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, value = ''] = item.split(/:(.*)/s) as [string, string?];
    const [a, b] = value.split('@') as [string, string?];
    switch (name) {
      case 'cut':
        p.cut = { share: share(name, a), withinBytes: b === undefined ? 1_000_000 : count(name, b, 1) };
        break;
      case 'unavailable':
      case 'throttled':
      case 'bye':
      case 'lost':
        p[name] = { share: share(name, a), verb: b?.toUpperCase() };
        break;
      case 'stall':
        p.stall = { share: share(name, a), ms: count(`${name}@MS`, b) };
        break;
      case 'refuse': {
        const how = b ?? 'reset';
        if (how !== 'reset' && how !== 'close' && how !== 'down')
          throw new Error(`fault profile: refuse@${how}: write reset, close or down`);
        p.refuse = { share: share(name, a), how };
        break;
      }
      case 'cap':
        p.cap = count(name, value, 1);
        break;
      case 'delay': {
        const [ms, jitter] = value.split(/±|\+-/) as [string, string?];
        p.delay = { ms: count(name, ms), jitter: jitter === undefined ? 0 : count(`${name} jitter`, jitter) };
        break;
      }
      default:
        throw new Error(
          `fault profile: unknown fault "${name}" (cut, unavailable, throttled, bye, lost, stall, refuse, cap, delay)`,
        );
    }
  }
  const shares = [p.unavailable, p.throttled, p.bye, p.lost].reduce((n, f) => n + (f?.share ?? 0), 0);
  if (shares > 1) throw new Error('fault profile: unavailable + throttled + bye + lost exceed 1');
  return p;
}
