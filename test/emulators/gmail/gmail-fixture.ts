/**
 * Test helpers around the Gmail EMULATOR: server specs and logins that point the real Gmail connector at
 * it (service account with domain-wide delegation by default), and seeding with IMAP-style flags.
 */
import type { AuthSpec, ServerSpec } from '../../../src/config/types.js';
import { GMAIL_SCOPE, type GmailEmulator } from './gmail-emulator.js';

/** A `kind: gmail` server aimed at the emulator. */
export function gmailServer(
  emu: GmailEmulator,
  extra: Partial<NonNullable<ServerSpec['gmail']>> = {},
): ServerSpec {
  return {
    kind: 'gmail',
    host: '127.0.0.1',
    port: Number(new URL(emu.url).port),
    tls: 'none',
    allowInvalidCertificates: false,
    maxConnections: 10,
    admin: { user: emu.admin, password: { file: emu.keyPath }, mode: 'master' },
    gmail: {
      apiUrl: emu.url,
      directoryUrl: emu.url,
      tokenUrl: emu.tokenUrl,
      // Below the emulator's per-user quota, as the default (200) is below Google's 250.
      quotaUnitsPerSecond: Math.floor(emu.unitsPerSecond * 0.8),
      ...extra,
    },
  };
}

/** The service account acting for `user` (what authFor builds from the server's admin). */
export function serviceAccountLogin(emu: GmailEmulator, user: string): AuthSpec {
  return { kind: 'master', user, masterUser: emu.admin, password: { file: emu.keyPath } };
}

/** A per-user OAuth access token. */
export function accessTokenLogin(emu: GmailEmulator, user: string): AuthSpec {
  return { kind: 'xoauth2', user, accessToken: { value: emu.auth.issue(user, [GMAIL_SCOPE]) } };
}

/** Labels for an IMAP-style folder path and flags. */
export function labelsFor(path: string[], flags: string[] = []): string[] {
  const sys: Record<string, string> = {
    INBOX: 'INBOX',
    SENT: 'SENT',
    DRAFTS: 'DRAFT',
    TRASH: 'TRASH',
    SPAM: 'SPAM',
  };
  const folder =
    path.length === 1 && sys[path[0]!.toUpperCase()] ? sys[path[0]!.toUpperCase()]! : path.join('/');
  return [
    folder,
    ...(flags.includes('\\Seen') ? [] : ['UNREAD']),
    ...(flags.includes('\\Flagged') ? ['STARRED'] : []),
  ];
}
