/**
 * Process plumbing for the test servers that run as a tree of processes (Cyrus, Courier): each is started
 * in a session of its own, so its process group — the master, its per-connection children and anything
 * they fork — can be signalled by the group's ID, never by name. Groups still running when the test
 * process exits are killed and their directories removed; a test process killed outright (SIGKILL, a
 * runner's SIGTERM) runs no exit handler, so the next start reaps what such a process left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// In every server's environment: how reapOrphans() recognises a process group as one of ours.
const DIR_ENV = 'CUTOVER_TEST_SERVER_DIR';

/** A started server process tree; `pid` is also its process-group ID. */
export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  dir: string;
  logFile: string;
}

const running = new Map<number, ServerProcess>();
process.on('exit', () => {
  for (const s of running.values()) {
    killGroup(s.pid);
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/**
 * Spawn `cmd` as the leader of a new session (detached), stdout and stderr appended to `logFile`.
 * The child is unref'd: a forgotten server must not keep the test process alive.
 */
export function spawnServer(
  cmd: string,
  args: string[],
  opts: { dir: string; logFile: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number },
): ServerProcess {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, {
      cwd: opts.dir,
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
      env: { ...opts.env, [DIR_ENV]: opts.dir },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.on('error', () => undefined); // reported through exitCode / the greeting wait
    child.unref();
    if (!child.pid) throw new Error(`could not start ${cmd}`);
    const s = { child, pid: child.pid, dir: opts.dir, logFile: opts.logFile };
    running.set(s.pid, s);
    writeFileSync(path.join(opts.dir, 'owner'), `${process.pid} ${s.pid}\n`);
    return s;
  } finally {
    closeSync(fd);
  }
}

/**
 * Wait until `port` answers with an IMAP `* OK` greeting from a socket the leader itself listens on
 * ('FOREIGN': another process took the port between probe and bind). 'EXITED' if the leader died first.
 */
export async function waitForGreeting(
  s: ServerProcess,
  port: number,
  timeoutMs: number,
): Promise<'OK' | 'EXITED' | 'TIMEOUT' | 'FOREIGN'> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(25)) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return 'EXITED';
    const greeting = await readGreeting(port);
    if (greeting === undefined || !greeting.startsWith('* OK')) continue;
    return listensOn(s.pid, port) ? 'OK' : 'FOREIGN';
  }
  return 'TIMEOUT';
}

/** True when `pid` holds the socket listening on 127.0.0.1:`port` (/proc/net/tcp inode → /proc/PID/fd). */
export function listensOn(pid: number, port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set(
    readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === local && f[3] === '0A') // 0A: LISTEN
      .map((f) => `socket:[${f[9]}]`),
  );
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** The first line a client gets on `port`, or undefined when nothing answers within a second. */
export function readGreeting(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (line: string | undefined) => (sock.destroy(), resolve(line));
    sock.setTimeout(1000, () => done(undefined));
    sock.on('error', () => done(undefined));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end >= 0) done(buf.slice(0, end));
    });
  });
}

/**
 * SIGTERM the whole group, wait up to `graceMs` for every member to exit, SIGKILL what is left, then
 * remove the server's directory. Safe to call twice and after kill().
 */
export async function stopServer(s: ServerProcess, graceMs = 5000): Promise<void> {
  signalGroup(s.pid, 'SIGTERM');
  for (const deadline = Date.now() + graceMs; Date.now() < deadline && groupMembers(s.pid).length;)
    await sleep(25);
  killGroup(s.pid);
  for (let i = 0; i < 100 && groupMembers(s.pid).length; i++) await sleep(20);
  running.delete(s.pid);
  await rm(s.dir, { recursive: true, force: true });
}

/**
 * Kill and remove what earlier test processes left in os.tmpdir()/`prefix`*: directories whose owner
 * (the test process that wrote DIR/owner) is gone. The recorded group is killed only if its leader's
 * environment names that directory, so a reused PID is never hit.
 */
export function reapOrphans(prefix: string): void {
  const tmp = os.tmpdir();
  for (const name of readdirSync(tmp).filter((n) => n.startsWith(prefix))) {
    const dir = path.join(tmp, name);
    let owner: number, pgid: number;
    try {
      [owner, pgid] = readFileSync(path.join(dir, 'owner'), 'utf8').trim().split(' ').map(Number) as [
        number,
        number,
      ];
    } catch {
      continue; // being set up right now, or not ours
    }
    if (alive(owner)) continue;
    if (alive(pgid) && environOf(pgid).includes(`${DIR_ENV}=${dir}`)) killGroup(pgid);
    rmSync(dir, { recursive: true, force: true });
  }
}

function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** SIGKILL a start attempt that failed and forget it; its directory stays for the next attempt. */
export async function discardServer(s: ServerProcess): Promise<void> {
  killGroup(s.pid);
  for (let i = 0; i < 100 && groupMembers(s.pid).length; i++) await sleep(20);
  running.delete(s.pid);
}

/** SIGKILL every process of the group at once (a crash); stopServer() still cleans up afterwards. */
export function killGroup(pgid: number): void {
  signalGroup(pgid, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone already */
  }
}

// Orphans go to PID 1, which on some machines (this VM) never reaps them: a zombie counts as gone.
const alive = (pid: number) => (procStat(pid)?.[0] ?? 'Z') !== 'Z';

/** Live (non-zombie) processes whose process group is `pgid` (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = procStat(Number(name));
    if (f && f[0] !== 'Z' && Number(f[2]) === pgid) out.push(Number(name));
  }
  return out;
}

/** Fields after "pid (comm)": [state, ppid, pgrp, ...]; undefined once the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of the server's log, for error messages. */
export async function logTail(s: { logFile: string }, lines = 30): Promise<string> {
  const log = await readFile(s.logFile, 'utf8').catch(() => '(no log file)');
  return log.split('\n').slice(-lines).join('\n');
}

/** A port that was free a moment ago (bind 0, close); the race that remains is why starts retry. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** UID and GID of a system user from /etc/passwd (the servers' mail processes run as `mail`). */
export function systemUser(name: string): [number, number] {
  const f = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
    ?.split(':');
  if (!f) throw new Error(`no system user \`${name}\``);
  return [Number(f[2]), Number(f[3])];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
