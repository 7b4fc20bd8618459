/**
 * A number the JSON or query parser reads but nothing downstream can use: `offset=1e309` is coerced to
 * Infinity, and Ajv's integer and maximum checks both let Infinity through; 1e20 passes an unbounded
 * integer and overflows SQLite. Both ended as 500s. This preHandler hook refuses, with 400, any number in
 * the query, the path or the body that is not finite or lies beyond ±2^53−1, whatever route it is for.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, ApiErrorCode } from './errors.js';

/** The first unusable number in `value` (by its path, e.g. `querystring.offset`), if any. */
export function unusableNumber(value: unknown, root: string): string | undefined {
  // An explicit stack: a deeply nested body must not overflow the call stack.
  const todo: Array<[unknown, string]> = [[value, root]];
  while (todo.length) {
    const [v, path] = todo.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) return path;
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v))
      for (const [k, x] of Object.entries(v)) todo.push([x, `${path}.${k}`]);
  }
  return undefined;
}

/** preHandler hook: 400 for a request carrying an unusable number. */
export async function finiteNumbers(req: FastifyRequest): Promise<void> {
  const bad =
    unusableNumber(req.query, 'querystring') ??
    unusableNumber(req.params, 'params') ??
    unusableNumber(req.body, 'body');
  if (bad)
    throw new ApiError(
      400,
      ApiErrorCode.ValidationFailed,
      `Invalid request: ${bad} is not a number this server can use (infinite, or beyond ±9007199254740991).`,
      'Send an ordinary whole number.',
    );
}
