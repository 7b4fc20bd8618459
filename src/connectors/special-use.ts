/**
 * Special-use folders (Sent, Drafts, Trash, ...): from server attributes (RFC 6154, XLIST) or, for a use
 * the server flags on no folder, guessed from well-known folder names in the languages mail clients
 * commonly use. The attributes always win: a server that flags `Archive` as \Archive also holding a user
 * folder `Archiv` means `Archiv` is an ordinary folder, whatever its name looks like.
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

/** A listed folder as far as special use is concerned. */
export interface SpecialUseCandidate {
  path: string[];
  specialUse?: SpecialUse;
  /** False for \Noselect containers: never guessed to be a special folder. */
  selectable?: boolean;
}

const keyOf = (path: string[]): string =>
  (/^inbox$/i.test(path[0] ?? '') ? ['INBOX', ...path.slice(1)] : path).join('\u0000');

/**
 * The special use of each folder of one mailbox, keyed by path (segments joined with U+0000, a top-level
 * INBOX spelled `INBOX`). A use the server flags on some folder is taken from the flags alone; a use it
 * flags on none is guessed from names, among selectable folders only. INBOX is always the inbox.
 */
export function specialUsesOf(folders: SpecialUseCandidate[]): Map<string, SpecialUse> {
  const out = new Map<string, SpecialUse>([['INBOX', 'inbox']]);
  const flagged = new Set<SpecialUse>();
  for (const f of folders)
    if (f.specialUse) {
      out.set(keyOf(f.path), f.specialUse);
      flagged.add(f.specialUse);
    }
  for (const f of folders) {
    const key = keyOf(f.path);
    if (out.has(key) || f.selectable === false) continue;
    const guess = guessSpecialUse(f.path);
    if (guess && !flagged.has(guess)) out.set(key, guess);
  }
  return out;
}

/**
 * The special-use lookup for one mailbox's folder list (see specialUsesOf). A path the list does not hold
 * (the unlisted parent of a listed folder) is guessed by name, unless its use is flagged elsewhere.
 */
export function specialUseLookup(folders: SpecialUseCandidate[]): (path: string[]) => SpecialUse | undefined {
  const uses = specialUsesOf(folders);
  const listed = new Set(folders.map((f) => keyOf(f.path)));
  const flagged = new Set(folders.flatMap((f) => (f.specialUse ? [f.specialUse] : [])));
  return (path) => {
    const key = keyOf(path);
    if (uses.has(key) || listed.has(key)) return uses.get(key);
    const guess = guessSpecialUse(path);
    return guess && !flagged.has(guess) ? guess : undefined;
  };
}

/**
 * Where each special use lives on a destination: the folder flagged for it, else one guessed by name
 * (attributes first, then listing order; \Noselect containers never).
 */
export function specialFoldersOf(folders: SpecialUseCandidate[]): Partial<Record<SpecialUse, string[]>> {
  const uses = specialUsesOf(folders);
  const out: Partial<Record<SpecialUse, string[]>> = {};
  for (const pass of [true, false])
    for (const f of folders) {
      const use = uses.get(keyOf(f.path));
      if (use && use !== 'inbox' && Boolean(f.specialUse) === pass) out[use] ??= f.path;
    }
  return out;
}
