/** In-process API server for tests: a fresh data directory, optionally an admin already logged in. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { tempDataDir } from '../integration/helpers.js';

export const ADMIN = { user: 'admin', password: 'correct horse battery' };

export async function server(opts: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  return buildServer({ dataDir: tempDataDir(), ...opts });
}

/** Set up the admin and log in; returns what authenticated requests need. */
export async function loggedIn(app: FastifyInstance): Promise<{
  cookies: Record<string, string>;
  headers: Record<string, string>;
}> {
  const s = await app.inject({ method: 'POST', url: '/api/setup', payload: ADMIN });
  if (s.statusCode !== 201) throw new Error(`setup failed: ${s.body}`);
  return logIn(app);
}

/** Log in as the admin set up before (a server restarted on the same data directory). */
export async function logIn(app: FastifyInstance): Promise<{
  cookies: Record<string, string>;
  headers: Record<string, string>;
}> {
  const l = await app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
  if (l.statusCode !== 200) throw new Error(`login failed: ${l.body}`);
  const token = l.cookies.find((c) => c.name === 'cutover_session')!.value;
  const { csrfToken } = l.json<{ csrfToken: string }>();
  return { cookies: { cutover_session: token }, headers: { 'x-csrf-token': csrfToken } };
}

/** The one error body, checked. */
export function errorBody(r: LightMyRequestResponse): { code: string; message: string; hint?: string } {
  const b = r.json<{ code: string; message: string; hint?: string }>();
  if (typeof b.code !== 'string' || typeof b.message !== 'string')
    throw new Error(`not an error body: ${r.body}`);
  return b;
}

/** The source admin password of projectBody. */
export const PROJECT_SECRET = 'sup3r-secret-master-pw';

/** A valid project body; `over` replaces top-level keys. */
export function projectBody(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    source: {
      kind: 'imap',
      host: 'old.example',
      port: 143,
      tls: 'none',
      admin: { user: 'master', mode: 'master', password: PROJECT_SECRET },
    },
    destination: { kind: 'imap', host: 'new.example', port: 993, tls: 'tls' },
    ...over,
  };
}
