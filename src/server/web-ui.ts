/**
 * Serves the built web UI (dist/web, made by scripts/build-web.mjs) at `/`: its hashed assets as static
 * files, and index.html for every other GET outside /api, so the UI's own paths (/mailboxes/12) survive a
 * reload. When the UI has not been built, `/` says how to build it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './errors.js';
import { ErrorCode } from '../errors.js';

/** The UI's only sources are itself: no inline script, no third-party origin. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

/** dist/web of the package this module belongs to (from src/server, dist/ or dist/server alike). */
export function defaultWebRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'web');
}

function withHeaders(reply: FastifyReply): FastifyReply {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
  return reply;
}

/** Fastify plugin: the web UI from `root` (default: defaultWebRoot()). */
export async function webUi(app: FastifyInstance, opts: { root?: string }): Promise<void> {
  const root = opts.root ?? defaultWebRoot();
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      withHeaders(reply)
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          `The web UI has not been built (no ${root}/index.html). Run: npm run build\nThe API is at /api/docs.`,
        ),
    );
    return;
  }
  // Asset names carry a content hash (scripts/build-web.mjs), so they may be cached for good.
  await app.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    // Looked up per request: a rebuild while the server runs adds new hashed files.
    wildcard: true,
    index: false,
    maxAge: '365d',
    immutable: true,
    setHeaders: (res) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    },
  });
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    if (req.url === '/api' || req.url.startsWith('/api/'))
      throw new ApiError(
        404,
        ErrorCode.NotFound,
        `No route GET ${req.url}.`,
        'See /api/docs for the routes.',
      );
    return withHeaders(reply)
      .header('cache-control', 'no-cache')
      .sendFile('index.html', root, { cacheControl: false });
  });
}
