import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guessSpecialUse, specialUseFromAttribute } from '../../src/connectors/special-use.js';

describe('specialUseFromAttribute (RFC 6154)', () => {
  it('maps every RFC 6154 attribute, case-insensitively', () => {
    assert.equal(specialUseFromAttribute('\\Sent'), 'sent');
    assert.equal(specialUseFromAttribute('\\DRAFTS'), 'drafts');
    assert.equal(specialUseFromAttribute('\\trash'), 'trash');
    assert.equal(specialUseFromAttribute('\\Junk'), 'junk');
    assert.equal(specialUseFromAttribute('\\Archive'), 'archive');
    assert.equal(specialUseFromAttribute('\\All'), 'all');
    assert.equal(specialUseFromAttribute('\\Flagged'), 'flagged');
  });

  it('understands the pre-standard Gmail XLIST names', () => {
    assert.equal(specialUseFromAttribute('\\Inbox'), 'inbox');
    assert.equal(specialUseFromAttribute('\\Spam'), 'junk');
    assert.equal(specialUseFromAttribute('\\AllMail'), 'all');
    assert.equal(specialUseFromAttribute('\\Starred'), 'flagged');
  });

  it('ignores attributes that are not special uses', () => {
    assert.equal(specialUseFromAttribute('\\HasChildren'), undefined);
    assert.equal(specialUseFromAttribute('\\Noselect'), undefined);
    assert.equal(specialUseFromAttribute('\\Important'), undefined);
    assert.equal(specialUseFromAttribute('\\constructor'), undefined);
  });
});

describe('guessSpecialUse', () => {
  const cases: Array<[string[], string | undefined]> = [
    [['INBOX'], 'inbox'],
    [['inbox'], 'inbox'],
    [['Sent'], 'sent'],
    [['Sent Items'], 'sent'],
    [['sent messages'], 'sent'],
    [['Gesendete Elemente'], 'sent'],
    [['Gesendete Objekte'], 'sent'],
    [['Éléments envoyés'], 'sent'],
    [['ÉLÉMENTS ENVOYÉS'], 'sent'],
    [['Envoyés'], 'sent'],
    [['Elementos enviados'], 'sent'],
    [['Posta inviata'], 'sent'],
    [['Verzonden items'], 'sent'],
    [['Itens enviados'], 'sent'],
    [['Skickat'], 'sent'],
    [['Wysłane'], 'sent'],
    [['Entwürfe'], 'drafts'],
    [['Entwu\u0308rfe'], 'drafts'], // decomposed ü (NFD, as macOS clients sometimes write it)
    [['Brouillons'], 'drafts'],
    [['Kopie robocze'], 'drafts'],
    [['Deleted Items'], 'trash'],
    [['Papierkorb'], 'trash'],
    [['Gelöschte Elemente'], 'trash'],
    [['Éléments supprimés'], 'trash'],
    [['Itens excluídos'], 'trash'],
    [['Papperskorgen'], 'trash'],
    [['Kosz'], 'trash'],
    [['Junk E-mail'], 'junk'],
    [['Junk-E-Mail'], 'junk'],
    [['Spam'], 'junk'],
    [['Spam-Verdacht'], 'junk'],
    [['Courrier indésirable'], 'junk'],
    [['Ongewenste e-mail'], 'junk'],
    [['Lixo eletrônico'], 'junk'],
    [['Skräppost'], 'junk'],
    [['Wiadomości-śmieci'], 'junk'],
    [['Archives'], 'archive'],
    [['Archiwum'], 'archive'],
    [['Arkiv'], 'archive'],
    // Courier / Dovecot Maildir++ put everything under INBOX
    [['INBOX', 'Sent'], 'sent'],
    [['INBOX', 'Drafts'], 'drafts'],
    [['inbox', 'Trash'], 'trash'],
    // Gmail
    [['[Gmail]', 'Sent Mail'], 'sent'],
    [['[Google Mail]', 'Bin'], 'trash'],
    [['[Gmail]', 'All Mail'], 'all'],
    [['[Gmail]', 'Starred'], 'flagged'],
    [['[Gmail]', 'Spam'], 'junk'],
    // not guessed
    [['Projects'], undefined],
    [['Projects', 'Sent'], undefined],
    [['INBOX', 'Sent', 'Old'], undefined],
    [['Sent', 'INBOX'], undefined],
    [['Work', 'INBOX'], undefined],
    [['Outbox'], undefined],
    [['constructor'], undefined],
    [['[Gmail]', 'constructor'], undefined],
    [[], undefined],
  ];
  for (const [path, expected] of cases) {
    it(`${JSON.stringify(path)} → ${expected ?? 'none'}`, () => {
      assert.equal(guessSpecialUse(path), expected);
    });
  }
});
