/**
 * Special-use folders (Sent, Drafts, Trash, ...): from server attributes (RFC 6154) or, when a server
 * reports none, guessed from well-known folder names in the languages mail clients commonly use.
 */

/** The role a folder plays for mail clients; `inbox` is INBOX itself (RFC 3501 §5.1). */
export type SpecialUse = 'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged';

// RFC 6154 §2 attributes, plus the pre-standard Gmail XLIST names (\Inbox, \Spam, \AllMail, \Starred).
const ATTRIBUTES: Record<string, SpecialUse> = {
  inbox: 'inbox',
  sent: 'sent',
  drafts: 'drafts',
  trash: 'trash',
  junk: 'junk',
  spam: 'junk',
  archive: 'archive',
  all: 'all',
  allmail: 'all',
  flagged: 'flagged',
  starred: 'flagged',
};

/** Map a LIST attribute such as `\Sent` or `\Junk` (case-insensitive) to its special use. */
export function specialUseFromAttribute(attr: string): SpecialUse | undefined {
  const key = attr.trim().replace(/^\\/, '').toLowerCase();
  return Object.hasOwn(ATTRIBUTES, key) ? ATTRIBUTES[key] : undefined;
}

// Names as shown by common servers and clients (Outlook/Exchange, Thunderbird, Apple Mail, Roundcube,
// SOGo, Horde, Gmail...) in EN, DE, FR, ES, IT, NL, PT, SV, PL. Compared lower-cased and NFC-normalised.
// prettier-ignore
const NAMES: Record<Exclude<SpecialUse, 'inbox' | 'all' | 'flagged'>, string[]> = {
  sent: [
    'Sent', 'Sent Items', 'Sent Messages', 'Sent Mail', 'Sent-Mail', 'Gesendet', 'Gesendete Elemente',
    'Gesendete Objekte', 'Gesendete Nachrichten', 'Éléments envoyés', 'Messages envoyés', 'Envoyés',
    'Enviados', 'Elementos enviados', 'Posta inviata', 'Elementi inviati', 'Inviati', 'Verzonden',
    'Verzonden items', 'Itens enviados', 'Mensagens enviadas', 'Skickat', 'Skickade objekt',
    'Skickade meddelanden', 'Wysłane', 'Elementy wysłane',
  ],
  drafts: [
    'Drafts', 'Draft', 'Entwürfe', 'Brouillons', 'Borradores', 'Bozze', 'Concepten', 'Rascunhos', 'Utkast',
    'Kopie robocze',
  ],
  trash: [
    'Trash', 'Deleted', 'Deleted Items', 'Deleted Messages', 'Bin', 'Papierkorb', 'Gelöschte Elemente',
    'Gelöschte Objekte', 'Corbeille', 'Éléments supprimés', 'Papelera', 'Elementos eliminados', 'Cestino',
    'Posta eliminata', 'Elementi eliminati', 'Prullenbak', 'Verwijderde items', 'Lixeira', 'Itens excluídos',
    'Itens eliminados', 'Papperskorgen', 'Borttagna objekt', 'Kosz', 'Elementy usunięte',
  ],
  junk: [
    'Junk', 'Junk E-mail', 'Junk Email', 'Junk Mail', 'Spam', 'Bulk Mail', 'Junk-E-Mail', 'Spam-Verdacht',
    'Spamverdacht', 'Courrier indésirable', 'Indésirables', 'Pourriel', 'Correo no deseado',
    'Posta indesiderata', 'Ongewenste e-mail', 'Lixo eletrônico', 'Lixo electrónico', 'Skräppost',
    'Wiadomości-śmieci',
  ],
  archive: ['Archive', 'Archives', 'Archiv', 'Archivo', 'Archivio', 'Archief', 'Arquivo', 'Arkiv', 'Archiwum'],
};

// Children of Gmail's "[Gmail]" / "[Google Mail]" container that have no equivalent in NAMES.
const GMAIL_EXTRA = new Map<string, SpecialUse>([
  ['all mail', 'all'],
  ['starred', 'flagged'],
]);

const norm = (s: string): string => s.normalize('NFC').trim().toLowerCase();

const BY_NAME = new Map<string, SpecialUse>();
for (const [use, names] of Object.entries(NAMES)) {
  for (const n of names) BY_NAME.set(norm(n), use as SpecialUse);
}

/**
 * Guess a folder's special use from its name: top-level folders, direct children of INBOX (Courier and
 * Dovecot Maildir++ `INBOX.Sent`) and of Gmail's `[Gmail]`/`[Google Mail]`. INBOX itself is always inbox.
 */
export function guessSpecialUse(path: string[]): SpecialUse | undefined {
  const [first, second] = path;
  if (first === undefined) return undefined;
  const top = norm(first);
  if (path.length === 1) return top === 'inbox' ? 'inbox' : BY_NAME.get(top);
  if (path.length !== 2 || second === undefined) return undefined;
  const child = norm(second);
  if (top === 'inbox') return BY_NAME.get(child);
  if (top === '[gmail]' || top === '[google mail]') return BY_NAME.get(child) ?? GMAIL_EXTRA.get(child);
  return undefined;
}
