/**
 * The HTTP API's one error body `{ code, message, hint? }` (ApiError and its codes live in src/api-error.ts),
 * and the mapping of Cutover's typed errors to HTTP statuses.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CutoverError, ErrorCode, RateLimitError } from '../errors.js';
import { ApiError, ApiErrorCode } from '../api-error.js';

export { ApiError, ApiErrorCode } from '../api-error.js';

/** HTTP status for each of Cutover's codes; anything not listed is a 500. */
const statusOf: Partial<Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 429 | 501>> = {
  [ErrorCode.ConfigInvalid]: 400,
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.NotConfigured]: 501,
  [ErrorCode.CsvRowInvalid]: 400,
  [ErrorCode.UrlInvalid]: 400,
  [ErrorCode.DnsRecordInvalid]: 400,
  [ErrorCode.AuthFailed]: 401,
  [ErrorCode.DnsUpdateRefused]: 403,
  [ErrorCode.DnsTransferRefused]: 403,
  [ErrorCode.DnsNotFound]: 404,
  [ErrorCode.Busy]: 409,
  [ErrorCode.Throttled]: 429,
};

/** One line per failed rule: where it is (`body.password`) and what is wrong. */
function describeValidation(err: FastifyError): string {
  const where = err.validationContext ?? 'request';
  return (err.validation ?? [])
    .map((v) => {
      const path = v.instancePath ? v.instancePath.slice(1).replace(/\//g, '.') : '';
      const params = v.params as {
        missingProperty?: string;
        additionalProperty?: string;
        allowedValues?: unknown[];
      };
      const named = params.missingProperty ?? params.additionalProperty;
      const field = [where, path, named].filter(Boolean).join('.');
      if (params.missingProperty) return `${field} is required`;
      if (params.additionalProperty) return `${field} is not accepted`;
      if (params.allowedValues) return `${field} must be one of ${params.allowedValues.join(', ')}`;
      return `${field} ${v.message}`;
    })
    .join('; ');
}

/** Fastify error handler: every failure leaves as `{ code, message, hint? }`. */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiError) {
    if (err.retryAfter !== undefined) void reply.header('Retry-After', String(err.retryAfter));
    return reply.code(err.status).send({ code: err.code, message: err.message, hint: err.hint });
  }
  if (err instanceof CutoverError) {
    const status = statusOf[err.code] ?? 500;
    if (err instanceof RateLimitError)
      void reply.header('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
    if (status === 500) request.log.error({ err }, 'cutover error');
    return reply.code(status).send({ code: err.code, message: err.message, hint: err.hint });
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    return reply.code(400).send({
      code: ApiErrorCode.ValidationFailed,
      message: `Invalid request: ${describeValidation(fe)}.`,
      hint: `Send what ${request.method} ${request.routeOptions.url ?? request.url} accepts; see /api/openapi.json.`,
    });
  }
  // Fastify's own client errors (malformed JSON, wrong content type, body too large).
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return reply.code(fe.statusCode).send({
      code: ApiErrorCode.ValidationFailed,
      message: fe.message,
      hint: 'Send a JSON body with Content-Type: application/json.',
    });
  }
  request.log.error({ err }, 'unexpected error');
  return reply.code(500).send({
    code: ErrorCode.Internal,
    message: 'Internal error.',
    hint: 'See the server log for details.',
  });
}
