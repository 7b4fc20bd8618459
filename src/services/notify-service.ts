/**
 * E-mailing an alert to a person (the operator, a point of contact): for the API and the engine when
 * something needs a human. Once per (alert, recipient), recorded like every other message.
 */
import { SendError, type Mailer, type OutgoingMail } from '../notify/smtp-mailer.js';
import { esc } from '../html/escape.js';
import type { Store } from '../store/db.js';
import { MessageRepo, type MessageStatus } from '../store/message-repo.js';

/** The alert to send (AlertRow fits). */
export interface AlertMail {
  id: number;
  mailboxId: number | null;
  type: string;
  level: string;
  text: string;
}

/**
 * Send `alert` to `to` unless it was already sent there (or is being sent). Returns the outcome, or
 * undefined when nothing was sent because it had been before.
 */
export async function emailAlert(
  deps: { store: Store; mailer: Mailer },
  to: string,
  alert: AlertMail,
  context: { project?: string; mailbox?: string } = {},
): Promise<Exclude<MessageStatus, 'pending'> | undefined> {
  const repo = new MessageRepo(deps.store.db);
  const where = [context.project, context.mailbox].filter(Boolean).join(', ');
  const subject = `[Cutover ${alert.level}] ${alert.type}${where ? ` (${where})` : ''}`;
  const id = await repo.claim({
    mailboxId: alert.mailboxId,
    event: `alert-mail:${alert.id}:${to.toLowerCase()}`,
    recipient: to,
    subject,
  });
  if (id === undefined) return undefined;
  const text = `${alert.level === 'critical' ? 'Needs action' : 'For your information'}${where ? ` — ${where}` : ''}:\n\n${alert.text}\n`;
  return sendClaimed(repo, deps.mailer, id, {
    to,
    subject,
    text,
    html: `<p>${esc(text.trim()).replace(/\n+/g, '</p><p>')}</p>`,
    headers: { 'X-Cutover-Event': `alert:${alert.type}` },
  });
}

/**
 * Send a message claimed in `repo` as `id` and record the outcome: sent; failed (nothing delivered, retried
 * by a later claim); refused (final); uncertain (may have arrived, never retried).
 */
export async function sendClaimed(
  repo: MessageRepo,
  mailer: Mailer,
  id: number,
  mail: OutgoingMail,
): Promise<Exclude<MessageStatus, 'pending'>> {
  try {
    const r = await mailer.send(mail);
    await repo.finish(id, { status: 'sent', smtpId: r.messageId });
    return 'sent';
  } catch (err) {
    // A failure the mailer did not classify may have come after the server took the message: never retried,
    // so a person gets it at most once (the mailer classifies what it knows was refused or not delivered).
    const e = err instanceof SendError ? err : new SendError(String(err), 'uncertain');
    const status = e.kind === 'retry' ? 'failed' : e.kind === 'final' ? 'refused' : 'uncertain';
    await repo.finish(id, { status, error: e.message });
    return status;
  }
}
