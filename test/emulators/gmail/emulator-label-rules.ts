/**
 * EMULATOR (test code): what Gmail refuses about labels, so a connector that ignores it fails here as it
 * would against Google.
 *
 * - Names. "System label names are reserved; no USER label can be created with the same name as any SYSTEM
 *   label" (Gmail API guide, Manage labels). Public reports add the names Gmail shows for them and a few
 *   more that labels.create answers 400 "Invalid label name": Drafts (got-your-back PR #95), Trash (lieer
 *   #52), Muted and Migrated (got-your-back #350, #82, answered by its maintainer), Archive (lieer #109,
 *   got-your-back 28e2eb4), and localised system names in the account's language (got-your-back #135,
 *   #442: "Ongelezen", "Enviado"). A name under a reserved one is refused as well: got-your-back renames
 *   every label whose first segment is reserved since 2016 (f34b0d2), and gmailctl #300 shows "INBOX"
 *   refused as a parent.
 * - System labels that cannot be applied by hand: SENT and DRAFT ("Can be manually applied: no", same
 *   guide). messages.modify/batchModify naming either answers 400 "Invalid label: SENT"
 *   (googleapis/google-api-php-client #1254); so does messages.import (got-your-back #452).
 */

/** Gmail's system labels (the ones this emulator knows). */
export const SYSTEM_LABELS = [
  'INBOX',
  'SENT',
  'DRAFT',
  'TRASH',
  'SPAM',
  'STARRED',
  'UNREAD',
  'IMPORTANT',
  'CHAT',
  'CATEGORY_PERSONAL',
];

/** System labels a request may not add or remove: Gmail applies them itself. */
export const NOT_MANUAL = new Set(['SENT', 'DRAFT']);

/** Names user labels cannot take (compared case-insensitively), at the top level of a nested name too. */
export const RESERVED_NAMES = new Set([
  ...SYSTEM_LABELS.map((l) => l.toLowerCase()),
  'drafts',
  'chats',
  'all mail',
  'allmail',
  'snoozed',
  'scheduled',
  'muted',
  'migrated',
  'archive',
]);

/** Whether labels.create refuses `name`; `localised` are the system names in the account's language. */
export function labelNameRefused(name: string, localised: string[] = []): boolean {
  const reserved = (s: string) =>
    RESERVED_NAMES.has(s.toLowerCase()) || localised.some((l) => l.toLowerCase() === s.toLowerCase());
  const top = name.split('/')[0] ?? '';
  return name.trim() === '' || reserved(name) || reserved(top);
}

/** The first label of `ids` a request may not apply or remove by hand, if any. */
export function notManual(ids: string[]): string | undefined {
  return ids.find((l) => NOT_MANUAL.has(l));
}
