/**
 * `cutover serve` as a user starts it — `node bin/cutover.js serve …` in a child process (the bundle `npm run
 * build` makes), stopped by its PID — and a raw HTTP client that sets any header (Host, X-Forwarded-For), so
 * the security suite attacks the real server from outside.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CLI } from '../integration/helpers.js';

/** A running server: where it answers, what it printed so far, and how to stop it. */
export interface Served {
  base: string;
  port: number;
  pid: number;
  /** Everything written to stdout (the setup link, the JSON request log) so far. */
  out(): string;
  /** Everything written to stderr (warnings, permission fixes) so far. */
  err(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Start `cutover serve --port 0 <args>` and wait until it says where it listens. */
export async function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  if (!existsSync(path.resolve('dist/cutover.mjs')))
    throw new Error('dist/cutover.mjs is missing: run `npm run build` before the security suite');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    // The suite's own settings only: nothing from the caller's environment decides what is tested.
    env: { ...process.env, CUTOVER_PUBLIC_URL: '', CUTOVER_TRUST_PROXY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, 'SIGTERM');
    const killer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  const started = Date.now();
  for (;;) {
    const m = /web UI on (http:\/\/[^/\s]+)\//.exec(out);
    if (m) {
      const base = m[1]!;
      return {
        base,
        port: Number(new URL(base).port),
        pid: child.pid!,
        out: () => out,
        err: () => err,
        stop,
      };
    }
    if (child.exitCode !== null) throw new Error(`cutover serve exited (${child.exitCode}):\n${err}${out}`);
    if (Date.now() - started > 30_000) {
      await stop();
      throw new Error(`cutover serve did not start in 30 s:\n${err}${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An HTTP answer. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One request on a fresh connection, `path` sent as written, with exactly the headers given (Host included when set). */
export function request(
  base: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: unknown },
): Promise<Answer> {
  const u = new URL(base); // the path goes out as written (`//p/…` included)
  const payload =
    o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...o.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: o.path, method: o.method ?? 'GET', headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body) as T,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The operator the suite creates. */
export const OPERATOR = { user: 'admin', password: 'correct horse battery' };

/** Cookie and CSRF headers of a logged-in operator (set up first when `setupToken` or `setup` says so). */
export async function operator(
  base: string,
  o: { setup?: boolean; token?: string; headers?: Record<string, string> } = {},
): Promise<Record<string, string>> {
  if (o.setup ?? true) {
    const s = await request(base, {
      method: 'POST',
      path: '/api/setup',
      headers: o.headers,
      body: { ...OPERATOR, ...(o.token ? { token: o.token } : {}) },
    });
    if (s.status !== 201) throw new Error(`setup: ${s.status} ${s.body}`);
  }
  const l = await request(base, { method: 'POST', path: '/api/login', headers: o.headers, body: OPERATOR });
  if (l.status !== 200) throw new Error(`login: ${l.status} ${l.body}`);
  const cookie = String(l.headers['set-cookie']?.[0]).split(';')[0]!;
  return { ...o.headers, cookie, 'x-csrf-token': l.json<{ csrfToken: string }>().csrfToken };
}
