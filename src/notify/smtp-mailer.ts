/**
 * Sending mail to people over SMTP (nodemailer). A failure that certainly left nothing at the server (no
 * connection, a 4xx answer) is retried with backoff; a 5xx is final; a connection lost after the message body
 * was sent is reported as `uncertain` and never retried, so nobody gets a message twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import { ErrorCode, PermanentError } from '../errors.js';

/** Where and as whom to send. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (465); otherwise STARTTLS is used when offered. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Sender, e.g. `IT team <it@example.com>`. */
  from: string;
  /** Accept self-signed certificates (test labs). */
  allowInvalidCertificates?: boolean;
}

/** One message to one person. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable Message-ID (without brackets), so receivers can also see a repeat as one message. */
  messageId?: string;
  headers?: Record<string, string>;
}

/** Why a send failed: `retry` = nothing was delivered, try later; `final` = refused; `uncertain` = may have arrived. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly kind: 'retry' | 'final' | 'uncertain',
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** Something that sends mail (SMTP here; tests may give a receiver's address). */
export interface Mailer {
  send(mail: OutgoingMail, signal?: AbortSignal): Promise<{ messageId: string }>;
  close(): void;
}

type SmtpFailure = Error & { code?: string; responseCode?: number; command?: string };

function classify(err: SmtpFailure): SendError {
  const what = err.responseCode
    ? `${err.responseCode} ${err.message}`
    : `${err.code ?? 'error'}: ${err.message}`;
  if (err.responseCode && err.responseCode >= 500)
    return new SendError(`The mail server refused the message (${what}).`, 'final');
  if (err.responseCode && err.responseCode >= 400)
    return new SendError(`The mail server deferred the message (${what}).`, 'retry');
  // Lost while the body was being sent or before its answer: it may have been accepted.
  if (err.command === 'DATA' || (err.command === undefined && err.code === 'ESTREAM'))
    return new SendError(
      `The connection broke while the message was being sent (${what}); it may have been delivered.`,
      'uncertain',
    );
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE')
    return new SendError(`The message cannot be sent (${what}).`, 'final');
  return new SendError(`The mail server could not be reached (${what}).`, 'retry');
}

/** SMTP via nodemailer, with `retries` further attempts after a `retry` failure (backoff 1 s, 4 s, 16 s...). */
export class SmtpMailer implements Mailer {
  private readonly transport;

  constructor(
    private readonly cfg: SmtpConfig,
    private readonly retry: { retries: number; baseDelayMs: number } = { retries: 3, baseDelayMs: 1000 },
  ) {
    this.transport = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? '' } : undefined,
      tls: { rejectUnauthorized: !cfg.allowInvalidCertificates },
      // A few kept-open connections: thousands of announcements go out in one tick.
      pool: true,
      maxConnections: 2,
      maxMessages: 100,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
  }

  async send(mail: OutgoingMail, signal?: AbortSignal): Promise<{ messageId: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const info = await this.transport.sendMail({
          from: this.cfg.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId ? `<${mail.messageId}>` : undefined,
          headers: { 'Auto-Submitted': 'auto-generated', ...mail.headers },
        });
        return { messageId: info.messageId };
      } catch (err) {
        const e = classify(err as SmtpFailure);
        if (e.kind !== 'retry' || attempt >= this.retry.retries || signal?.aborted) throw e;
        await sleep(this.retry.baseDelayMs * 4 ** attempt, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * SMTP settings from the environment: CUTOVER_SMTP_URL (smtp://user:pass@host:587 or smtps://…:465) and
 * CUTOVER_SMTP_FROM; undefined when the URL is not set.
 */
export function smtpFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpConfig | undefined {
  const raw = env.CUTOVER_SMTP_URL;
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid://');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'CUTOVER_SMTP_URL is not an smtp:// or smtps:// URL.',
      'Example: smtp://user:password@mail.example.com:587',
    );
  const from = env.CUTOVER_SMTP_FROM;
  if (!from)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'CUTOVER_SMTP_FROM is not set (the sender of messages to users).',
      "Example: CUTOVER_SMTP_FROM='IT team <it@example.com>'",
    );
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    from,
  };
}
