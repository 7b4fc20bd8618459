/**
 * The closed set of error codes Cutover reports, and the few typed classes that tell the runner what to do
 * with a failure: fail now (permanent), retry later (transient) or wait (rate-limited).
 * Provider errors are mapped to these once, at the connector's edge.
 */

/** Every error code Cutover can report. Add here, never invent strings elsewhere. */
export const ErrorCode = {
  ConfigInvalid: 'CONFIG_INVALID',
  Busy: 'BUSY',
  CsvRowInvalid: 'CSV_ROW_INVALID',
  UrlInvalid: 'URL_INVALID',
  DnsNotFound: 'DNS_NOT_FOUND',
  DnsQueryFailed: 'DNS_QUERY_FAILED',
  DnsRecordInvalid: 'DNS_RECORD_INVALID',
  DnsUpdateRefused: 'DNS_UPDATE_REFUSED',
  DnsTransferRefused: 'DNS_TRANSFER_REFUSED',
  DnsTsigInvalid: 'DNS_TSIG_INVALID',
  ConnectionRefused: 'CONNECTION_REFUSED',
  ConnectionTimeout: 'CONNECTION_TIMEOUT',
  ConnectionLost: 'CONNECTION_LOST',
  ConnectionLimit: 'CONNECTION_LIMIT',
  ServerUnavailable: 'SERVER_UNAVAILABLE',
  TlsFailed: 'TLS_FAILED',
  AuthFailed: 'AUTH_FAILED',
  Throttled: 'THROTTLED',
  FolderCreateFailed: 'FOLDER_CREATE_FAILED',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  MessageRejected: 'MESSAGE_REJECTED',
  QuotaExceeded: 'QUOTA_EXCEEDED',
  SourceReadFailed: 'SOURCE_READ_FAILED',
  ProtocolError: 'PROTOCOL_ERROR',
  Aborted: 'ABORTED',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  InvalidInput: 'INVALID_INPUT',
  NotConfigured: 'NOT_CONFIGURED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class: a code, a message that says what is wrong, and a hint that says what to do. */
export class CutoverError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
  /** Message plus hint, for people. */
  describe(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}

/** Retrying will not help (bad password, message too large, invalid input). */
export class PermanentError extends CutoverError {}

/** May succeed later (dropped connection, server busy): retry with backoff. */
export class TransientError extends CutoverError {
  /**
   * The source message being read when this happened, when one can be named: a message that breaks the
   * connection every time it is read is failed on its own instead of failing its whole folder.
   */
  suspectUid?: number;
  /**
   * How the break relates to that message: a byte offset into it (where it broke, when the connector can
   * tell), 'before' when none of it had arrived yet (the break came between messages, so it may be no fault
   * of this one), undefined when it broke while this message was read but the connector cannot say where.
   */
  suspectAt?: number | 'before';
}

/**
 * Mark `err` as having happened while reading source message `uid` (returns it, for `throw`). A throttling
 * answer or a server saying it is unavailable is nobody's message's fault and is never blamed.
 */
export function blame(err: unknown, uid: number | undefined, at?: number | 'before'): unknown {
  if (
    uid !== undefined &&
    err instanceof TransientError &&
    !(err instanceof RateLimitError) &&
    err.code !== ErrorCode.ServerUnavailable &&
    err.suspectUid === undefined
  ) {
    err.suspectUid = uid;
    err.suspectAt = at;
  }
  return err;
}

/** The server asked us to slow down. The scheduler owns the wait; connectors never sleep. */
export class RateLimitError extends TransientError {
  constructor(
    message: string,
    /** The wait the server asked for; 0 when it did not say (then the scheduler backs off on its own). */
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      ErrorCode.Throttled,
      message,
      'Cutover waits and retries on its own; lower concurrency if this persists.',
      options,
    );
  }
}

/**
 * The server turned a new connection away — refused or reset it before its greeting, or answered the login
 * with a connection cap (`NO [LIMIT]`, "too many connections"). Retried later, with fewer connections to
 * that server (`user` set: to that user on it).
 */
export class RefusedError extends TransientError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly server: { host: string; port: number; user?: string },
    options?: { cause?: unknown },
  ) {
    super(
      code,
      message,
      'Cutover retries on its own with fewer connections to this server; lower maxConnections if this persists.',
      options,
    );
  }
}

/** The named thing (a project, a mailbox, a run) does not exist. */
export class NotFoundError extends PermanentError {
  constructor(message: string, hint: string) {
    super(ErrorCode.NotFound, message, hint);
  }
}

/** The request conflicts with stored state (a duplicate name, a run already going). */
export class ConflictError extends PermanentError {
  constructor(message: string, hint: string) {
    super(ErrorCode.Conflict, message, hint);
  }
}

/** The request's values are wrong in a way a schema cannot say (a date range backwards, a bad regex). */
export class InvalidInputError extends PermanentError {
  constructor(message: string, hint: string) {
    super(ErrorCode.InvalidInput, message, hint);
  }
}

/** The request is well-formed but asks for something this installation is not set up to do. */
export class NotConfiguredError extends PermanentError {
  constructor(message: string, hint: string) {
    super(ErrorCode.NotConfigured, message, hint);
  }
}

/** The operation was stopped by the user (Ctrl-C, pause). Not a failure. */
export class AbortError extends CutoverError {
  constructor(message = 'Stopped') {
    super(ErrorCode.Aborted, message);
  }
}

/** Wrap anything thrown into a CutoverError, keeping typed ones as they are. */
export function asCutoverError(err: unknown): CutoverError {
  if (err instanceof CutoverError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TransientError(ErrorCode.Internal, message, undefined, { cause: err });
}

/** Throw AbortError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}
