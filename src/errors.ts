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
}

/** Mark `err` as having happened while reading source message `uid` (returns it, for `throw`). */
export function blame(err: unknown, uid: number | undefined): unknown {
  if (uid !== undefined && err instanceof TransientError && !(err instanceof RateLimitError))
    err.suspectUid ??= uid;
  return err;
}

/** The server asked us to slow down. The scheduler owns the wait; connectors never sleep. */
export class RateLimitError extends TransientError {
  constructor(
    message: string,
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
