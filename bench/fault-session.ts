/**
 * One proxied connection: client ↔ target, each direction framed into IMAP commands and responses so a
 * fault lands where a real server would put it — an injected answer replaces a whole command (swallowing its
 * LITERAL+ data, or answering at a synchronizing literal so the client never sends it) and is written to the
 * client between two responses, never inside one. Bytes are forwarded in order through a small queue per
 * direction, which is where delays, stalls and cuts happen.
 */
import net from 'node:net';
import { once } from 'node:events';
import type { CommandFault, FaultProfile, FaultStats } from './fault-profile.js';
import { ImapFramer, literalAt } from './imap-framer.js';

/** Logged-in connections per user, shared by every session of one proxy (the `cap` fault). */
export type UserCounts = Map<string, number>;

/**
 * Where a command log goes, with this connection's number: each command as it reaches the proxy from the
 * client (`>`), each tagged answer as it reaches the proxy from the server (`<`), before any added delay.
 */
export type CommandLog = (conn: number, dir: '>' | '<', line: string) => void;

type Item = { data: Buffer; at: number } | { waitMs: number } | { close: true };

/** Bytes queued beyond this pause the socket they come from. */
const HIGH_WATER = 1 << 20;
const COMMAND = /^([^\s*+]+) (UID [A-Za-z]+|[A-Za-z]+)\b/;

/** Forwards one direction in order, honouring waits, the delay profile and the session's cut point. */
class Outbox {
  private items: Item[] = [];
  private queued = 0;
  private running = false;

  constructor(
    private readonly session: FaultSession,
    private readonly to: () => Promise<net.Socket>,
    private readonly from: net.Socket,
  ) {}

  push(item: Item): void {
    this.items.push(item);
    if ('data' in item && (this.queued += item.data.length) > HIGH_WATER) this.from.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let item = this.items.shift(); item && !this.session.closed; item = this.items.shift()) {
        if ('close' in item) return this.session.close();
        if ('waitMs' in item) {
          await sleep(item.waitMs);
          continue;
        }
        const late = item.at + this.session.delayMs() - Date.now();
        if (late > 0) await sleep(late);
        const socket = await this.to();
        const allowed = this.session.spend(item.data.length);
        if (allowed < item.data.length) {
          // The cut: what fits goes out, then both sides are closed mid-stream.
          if (allowed > 0) socket.write(item.data.subarray(0, allowed));
          return this.session.close('cut');
        }
        if (!socket.write(item.data)) await once(socket, 'drain').catch(() => undefined);
        if ((this.queued -= item.data.length) <= HIGH_WATER / 2) this.from.resume();
      }
    } catch {
      this.session.close();
    } finally {
      this.running = false;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultSession {
  closed = false;
  private readonly upstream: net.Socket;
  private readonly connected: Promise<net.Socket>;
  private readonly toServer: Outbox;
  private readonly toClient: Outbox;
  private readonly clientFrames: ImapFramer;
  private readonly serverFrames: ImapFramer;
  /** Bytes either way before the cut (Infinity: no cut on this connection). */
  private budget = Infinity;
  /** The command being swallowed, and what answers it once it is complete. */
  private swallowing: { reply: string; bye: boolean } | undefined;
  /** Answers waiting for the server's stream to reach the end of a response. */
  private pending: Array<{ reply: string; bye: boolean }> = [];
  /** Tags whose tagged answer is to be lost; once one is, nothing more from the server is forwarded. */
  private readonly lostTags = new Set<string>();
  private dropping = false;
  /** LOGIN/AUTHENTICATE in flight (tag → user), and the user this connection counts against. */
  private readonly authTags = new Map<string, string>();
  private user: string | undefined;
  /** AUTHENTICATE PLAIN without an initial response: the next client line carries the credentials. */
  private saslTag: string | undefined;
  /** Tagged answers the proxy replaces with its own (a cancelled AUTHENTICATE answered with the cap). */
  private readonly replace = new Map<string, string>();

  constructor(
    private readonly client: net.Socket,
    target: { host: string; port: number },
    private readonly profile: FaultProfile,
    private readonly rng: () => number,
    private readonly stats: FaultStats,
    private readonly users: UserCounts,
    private readonly log?: { write: CommandLog; conn: number },
  ) {
    this.upstream = net.connect(target.port, target.host);
    this.connected = once(this.upstream, 'connect').then(() => this.upstream);
    this.connected.catch(() => this.close());
    this.toServer = new Outbox(this, () => this.connected, client);
    this.toClient = new Outbox(this, async () => this.client, this.upstream);
    if (profile.cut && rng() < profile.cut.share)
      this.budget = 1 + Math.floor(rng() * profile.cut.withinBytes);
    this.clientFrames = new ImapFramer({
      head: (line, raw) => this.onCommand(line, raw),
      data: (raw) => this.swallowing || this.toServer.push({ data: raw, at: Date.now() }),
      end: () => this.onCommandEnd(),
    });
    this.serverFrames = new ImapFramer({
      head: (line, raw) => this.onResponse(line, raw),
      data: (raw) => this.dropping || this.toClient.push({ data: raw, at: Date.now() }),
      end: () => this.flushPending(),
    });
    client.on('data', (d: Buffer) => this.clientFrames.push(d));
    this.upstream.on('data', (d: Buffer) => this.serverFrames.push(d));
    // The server hung up: what it sent still reaches the client first.
    this.upstream.on('end', () => this.toClient.push({ close: true }));
    for (const s of [client, this.upstream])
      s.on('error', () => this.close()).on('close', () => this.close());
  }

  /** How many of `n` bytes may pass before the cut; charges them. */
  spend(n: number): number {
    const allowed = Math.min(n, this.budget);
    this.budget -= allowed;
    return allowed;
  }

  /** This chunk's delay (the `delay` fault), drawn per chunk. */
  delayMs(): number {
    const d = this.profile.delay;
    return d ? Math.max(0, d.ms + (this.rng() * 2 - 1) * d.jitter) : 0;
  }

  /** Close both sides once; `why` names the fault that did it, for the stats. */
  close(why?: 'cut'): void {
    if (this.closed) return;
    this.closed = true;
    if (why) this.stats[why]++;
    if (this.user) this.users.set(this.user, (this.users.get(this.user) ?? 1) - 1);
    this.client.destroy();
    this.upstream.destroy();
  }

  private onCommand(line: string, raw: Buffer): void {
    const m = COMMAND.exec(line);
    const sasl = this.saslTag;
    if (sasl && !m) {
      // The credentials of an AUTHENTICATE PLAIN sent without an initial response (imapflow does that).
      this.saslTag = undefined;
      const user = plainUser(line);
      if (user !== undefined && this.overCap(user)) {
        // Cancel the exchange upstream and answer its tagged result with the cap.
        this.replace.set(sasl, this.capReply(sasl));
        return this.toServer.push({ data: Buffer.from('*\r\n'), at: Date.now() });
      }
      this.loggingIn(sasl, user);
    }
    if (!m) return this.toServer.push({ data: raw, at: Date.now() });
    const [, tag, verb] = m as unknown as [string, string, string];
    // Credentials never reach the log: a login is logged by its verb alone.
    this.log?.write(this.log.conn, '>', /^(LOGIN|AUTHENTICATE)$/i.test(verb) ? `${tag} ${verb}` : line);
    const answer = (reply: string, bye = false) => {
      this.swallowing = { reply, bye };
      // A synchronizing literal: the client waits for "+", so the answer goes now and no literal follows.
      if (literalAt(line)?.synchronizing) this.clientFrames.abandonLiteral();
    };
    const cmd = verb.toUpperCase();
    // The proxy must read the stream: no compression, no TLS through it.
    if (cmd === 'COMPRESS' || cmd === 'STARTTLS')
      return answer(`${tag} NO [CANNOT] ${cmd} is not available through the fault proxy\r\n`);
    const login = cmd === 'LOGIN' || cmd === 'AUTHENTICATE';
    const user = cmd === 'LOGIN' ? loginUser(line) : cmd === 'AUTHENTICATE' ? authUser(line) : undefined;
    if (login && user !== undefined && this.overCap(user)) return answer(this.capReply(tag));
    if (cmd !== 'LOGOUT' && this.commandFault(tag, cmd, answer)) return;
    if (login && user !== undefined) this.loggingIn(tag, user);
    else if (cmd === 'AUTHENTICATE') this.saslTag = tag;
    if (this.profile.stall && this.rng() < this.profile.stall.share) {
      this.stats.stalled++;
      this.toServer.push({ waitMs: this.profile.stall.ms });
    }
    this.toServer.push({ data: raw, at: Date.now() });
  }

  /** Whether one more login of `user` would exceed the `cap` fault (counted when it does). */
  private overCap(user: string): boolean {
    if (!this.profile.cap || (this.users.get(user) ?? 0) < this.profile.cap) return false;
    this.stats.capped++;
    return true;
  }

  /** Dovecot 2.3's answer to a login over mail_max_userip_connections, word for word (not logged in, still open). */
  private capReply(tag: string): string {
    return `${tag} NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=${this.profile.cap})\r\n`;
  }

  /** Draw the per-command faults (at most one); true when the command is answered by the proxy. */
  private commandFault(tag: string, verb: string, answer: (reply: string, bye?: boolean) => void): boolean {
    const p = this.profile;
    let u = this.rng();
    // One draw, compared with the shares in turn: the faults of one command exclude each other.
    const hit = (f: CommandFault | undefined) =>
      f !== undefined &&
      (f.verb === undefined || f.verb === verb || f.verb === verb.split(' ')[0]) &&
      (u -= f.share) < 0;
    if (hit(p.bye)) {
      this.stats.bye++;
      answer('* BYE Server shutting down (fault proxy).\r\n', true);
      return true;
    }
    if (hit(p.unavailable)) {
      this.stats.unavailable++;
      answer(`${tag} NO [UNAVAILABLE] Backend temporarily unavailable (fault proxy).\r\n`);
      return true;
    }
    if (hit(p.throttled)) {
      this.stats.throttled++;
      answer(`${tag} NO [THROTTLED] Request rate exceeded, slow down (fault proxy).\r\n`);
      return true;
    }
    if (hit(p.lost)) this.lostTags.add(tag);
    return false;
  }

  private onCommandEnd(): void {
    const s = this.swallowing;
    if (!s) return;
    this.swallowing = undefined;
    this.pending.push(s);
    if (this.serverFrames.atBoundary) this.flushPending();
  }

  /** Injected answers go to the client between two server responses. */
  private flushPending(): void {
    for (const s of this.pending.splice(0)) {
      this.toClient.push({ data: Buffer.from(s.reply, 'latin1'), at: Date.now() });
      if (s.bye) this.toClient.push({ close: true });
    }
  }

  private onResponse(line: string, raw: Buffer): void {
    if (this.dropping) return;
    const m = /^(\S+) (OK|NO|BAD)\b/i.exec(line);
    const tag = m?.[1];
    if (m && tag && tag !== '*' && tag !== '+') {
      const who = this.authTags.get(tag);
      this.log?.write(this.log.conn, '<', who === undefined ? line : `${line.slice(0, 40)}… (user ${who})`);
      if (this.lostTags.delete(tag)) {
        // Everything before this answer reaches the client; the answer and the rest never will.
        this.stats.lost++;
        this.dropping = true;
        this.toClient.push({ close: true });
        return;
      }
      const instead = this.replace.get(tag);
      if (instead !== undefined) {
        this.replace.delete(tag);
        return this.toClient.push({ data: Buffer.from(instead, 'latin1'), at: Date.now() });
      }
      if (this.authTags.has(tag)) {
        this.authTags.delete(tag);
        if (m[2]!.toUpperCase() !== 'OK') this.loggedOut();
      }
    }
    this.toClient.push({ data: raw, at: Date.now() });
  }

  private loggingIn(tag: string, user: string | undefined): void {
    if (user === undefined || this.user !== undefined) return;
    this.user = user;
    this.users.set(user, (this.users.get(user) ?? 0) + 1);
    this.authTags.set(tag, user);
  }

  private loggedOut(): void {
    if (this.user === undefined) return;
    this.users.set(this.user, (this.users.get(this.user) ?? 1) - 1);
    this.user = undefined;
  }
}

/** An IMAP astring: atom or quoted string (a literal login is not counted). */
function astring(s: string): string | undefined {
  if (s.startsWith('"')) return /^"((?:[^"\\]|\\.)*)"/.exec(s)?.[1]?.replace(/\\(.)/g, '$1');
  return /^[^\s{]+/.exec(s)?.[0];
}

function loginUser(line: string): string | undefined {
  return astring(line.replace(/^\S+ LOGIN /i, ''));
}

/** AUTHENTICATE PLAIN with an initial response: the user acted for (authzid) or the one logging in. */
function authUser(line: string): string | undefined {
  const m = /^\S+ AUTHENTICATE PLAIN (\S+)$/i.exec(line);
  return m ? plainUser(m[1]!) : undefined;
}

function plainUser(b64: string): string | undefined {
  const [authzid, authcid] = Buffer.from(b64.trim(), 'base64').toString('utf8').split('\0');
  return authzid || authcid || undefined;
}
