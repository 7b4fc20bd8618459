/**
 * Alerts for a mailbox pass that failed in a way a person must act on: no credentials to log in with, a login
 * the server refused, a mailbox the server says does not exist, or any other failure that stopped the pass.
 * A later pass of the mailbox that succeeds clears them, as does a working password entered for it.
 */
import { ErrorCode, type CutoverError } from '../errors.js';
import type { AlertRepo } from '../store/alert-repo.js';

/** The alert types this file raises, one active per mailbox at most. */
export const PASS_ALERTS = [
  'credentials-missing',
  'login-refused',
  'mailbox-missing',
  'mailbox-failed',
] as const;
export type PassAlert = (typeof PASS_ALERTS)[number];

/** Types a working credential makes obsolete (cleared when one is stored and verified). */
export const CREDENTIAL_ALERTS: readonly PassAlert[] = ['credentials-missing', 'login-refused'];

/**
 * Which alert a failed pass raises: `stage` says whether it failed before logging in (no credentials) or
 * while it ran; a refused login whose stored password was already reported (auth-failed) raises nothing more.
 */
export function alertFor(
  stage: 'credentials' | 'sync',
  e: CutoverError,
  storedRefused: boolean,
): PassAlert | undefined {
  if (stage === 'credentials') return 'credentials-missing';
  if (e.code === ErrorCode.AuthFailed) return storedRefused ? undefined : 'login-refused';
  if (e.code === ErrorCode.ConfigInvalid) return 'mailbox-missing';
  if (e.code === ErrorCode.Aborted) return undefined;
  return 'mailbox-failed';
}

const OPENING: Record<PassAlert, string> = {
  'credentials-missing': 'cannot be migrated: there is no password to log in with',
  'login-refused': 'cannot be migrated: the mail server refused the login',
  'mailbox-missing': 'cannot be migrated: the mail server does not have this mailbox as configured',
  'mailbox-failed': 'the last pass failed',
};

/** A refused login, by the side that refused it: at the destination it usually means the mailbox is not there. */
const REFUSED_BY: Record<'source' | 'destination', string> = {
  source:
    'cannot be migrated: the source server refused the login (wrong password, or no such mailbox there)',
  destination:
    'cannot be migrated: the destination refused the login (the mailbox does not exist there yet, or the password is wrong)',
};

/**
 * Which side an error came from, by the `host:port` its message names (undefined when both sides are the same
 * server, or the message names neither).
 */
export function sideOf(
  e: CutoverError,
  servers: Record<'source' | 'destination', { host: string; port: number }>,
): 'source' | 'destination' | undefined {
  const at = (s: { host: string; port: number }) => e.message.includes(`${s.host}:${s.port}`);
  const src = at(servers.source);
  const dst = at(servers.destination);
  return src === dst ? undefined : src ? 'source' : 'destination';
}

/** Raise the alert for a failed pass (replacing any other pass alert of the mailbox); `side` names a refusal's side. */
export async function raisePassAlert(
  alerts: Pick<AlertRepo, 'raise' | 'clear'>,
  mailboxId: number,
  label: string,
  type: PassAlert,
  e: CutoverError,
  side?: 'source' | 'destination',
): Promise<void> {
  for (const other of PASS_ALERTS) if (other !== type) await alerts.clear(mailboxId, other);
  const opening = type === 'login-refused' && side ? REFUSED_BY[side] : OPENING[type];
  await alerts.raise({
    mailboxId,
    type,
    level: 'critical',
    text: `${label}: ${opening}. ${e.describe().replace(/\n\s*→\s*/, ' → ')}`,
  });
}

/** A pass of the mailbox succeeded: its pass alerts are resolved. */
export async function clearPassAlerts(alerts: Pick<AlertRepo, 'clear'>, mailboxId: number): Promise<void> {
  for (const type of PASS_ALERTS) await alerts.clear(mailboxId, type);
}
