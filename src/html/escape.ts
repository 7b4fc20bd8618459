/**
 * HTML escaping, shared by everything that writes HTML by hand (the portal's pages, the messages sent to
 * people, alert e-mails) — here, below all of them, so none imports another's folder for it.
 */

/** Escape text for HTML element content and double-quoted attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
