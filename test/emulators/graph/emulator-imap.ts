/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the parts of Exchange Online's IMAP
 * access that belong to Entra ID. App-only IMAP ("Authenticate an IMAP, POP or SMTP connection using OAuth")
 * needs a client-credentials token for the resource https://outlook.office365.com (scope
 * https://outlook.office365.com/.default) and a mailbox permission for the app's service principal
 * (Add-MailboxPermission … -AccessRights FullAccess). Such a token is not a Graph token (wrong audience).
 *
 * The IMAP server itself is a real Dovecot started by the test, whose oauth2 passdb asks an RFC 7662
 * introspection endpoint about each token; `introspect` is that endpoint's answer. Dovecot's introspection
 * sends only the token, not the SASL user, so the answer names the one mailbox the service principal was
 * granted (a test grants one) — and says inactive for a Graph token or an app without a grant.
 */

/** The resource app-only IMAP tokens are issued for. */
export const EXCHANGE_RESOURCE = 'https://outlook.office365.com';

/** Whether a token's scope is Exchange Online's (IMAP/POP/SMTP), not Graph's. */
export const isExchangeScope = (scope: string) =>
  scope.split(/\s+/).some((s) => s.startsWith(EXCHANGE_RESOURCE));

/** IMAP access for the app's service principal. */
export class EmImapAccess {
  /** The mailbox the app's service principal has FullAccess to (New-ServicePrincipal + Add-MailboxPermission). */
  granted: string | undefined;
  /** Tokens introspected, for tests. */
  readonly asked: string[] = [];

  /** The RFC 7662 answer for a token of this scope (undefined = unknown token). */
  introspect(token: string, scope: string | undefined): { active: boolean; username?: string } {
    this.asked.push(token);
    if (scope === undefined || !isExchangeScope(scope) || !this.granted) return { active: false };
    return { active: true, username: this.granted };
  }
}
