import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderRules } from '../../src/config/types.js';
import { planFolder, planFolders, type DestinationFolderTraits } from '../../src/engine/folder-map.js';
import { specialFoldersOf } from '../../src/connectors/special-use.js';

const noRules: FolderRules = { map: [], regex: [], include: [], exclude: [] };
const rules = (r: Partial<FolderRules>): FolderRules => ({ ...noRules, ...r });
/** A Dovecot-like destination: '/' separator, reports its special-use folders. */
const dovecot: DestinationFolderTraits = {
  delimiter: '/',
  specialUse: { sent: ['Sent'], drafts: ['Drafts'], trash: ['Trash'], junk: ['Junk'] },
};
/** A Courier-like destination: '.' separator, everything under INBOX. */
const courier: DestinationFolderTraits = {
  delimiter: '.',
  specialUse: { sent: ['INBOX', 'Sent'], trash: ['INBOX', 'Trash'] },
};
const bare: DestinationFolderTraits = { delimiter: '/', specialUse: {} };

describe('planFolder', () => {
  it('keeps ordinary folders and deep nesting as they are', () => {
    assert.deepEqual(planFolder({ path: ['Projects', 'Clients', 'ACME', '2024', 'Q1'] }, noRules, dovecot), {
      action: 'migrate',
      destPath: ['Projects', 'Clients', 'ACME', '2024', 'Q1'],
    });
  });

  it('keeps INBOX and its children, whatever the source spelling of INBOX', () => {
    assert.deepEqual(planFolder({ path: ['inbox'] }, noRules, dovecot), {
      action: 'migrate',
      destPath: ['INBOX'],
      specialUse: 'inbox',
    });
    assert.deepEqual(planFolder({ path: ['Inbox', 'Receipts', '2023'] }, noRules, courier), {
      action: 'migrate',
      destPath: ['INBOX', 'Receipts', '2023'],
    });
  });

  it("places 'Sent Items' in the destination's \\Sent folder", () => {
    assert.deepEqual(planFolder({ path: ['Sent Items'] }, noRules, dovecot), {
      action: 'migrate',
      destPath: ['Sent'],
      specialUse: 'sent',
      renamed: {
        reason: "'Sent Items' is the source's Sent folder; placed in the destination's Sent folder 'Sent'",
      },
    });
  });

  it('trusts the source attribute over the name', () => {
    const d = planFolder({ path: ['Versendet'], specialUse: 'sent' }, noRules, courier);
    assert.deepEqual(d, {
      action: 'migrate',
      destPath: ['INBOX', 'Sent'],
      specialUse: 'sent',
      renamed: {
        reason:
          "'Versendet' is the source's Sent folder; placed in the destination's Sent folder 'INBOX/Sent'",
      },
    });
  });

  it("moves children of a special folder: 'Gesendete Elemente/2019' → 'Sent/2019'", () => {
    assert.deepEqual(planFolder({ path: ['Gesendete Elemente', '2019'] }, noRules, bare), {
      action: 'migrate',
      destPath: ['Sent', '2019'],
      renamed: {
        reason:
          "'Gesendete Elemente/2019' is inside the source's Sent folder 'Gesendete Elemente'; " +
          "placed under 'Sent' as the destination reports no Sent folder",
      },
    });
  });

  it("recognises Maildir++ 'INBOX.Sent' (source delimiter '.') and moves it to a '/' destination", () => {
    const d = planFolder({ path: ['INBOX', 'Sent'] }, noRules, dovecot);
    assert.equal(d.action, 'migrate');
    assert.deepEqual(d.action === 'migrate' && d.destPath, ['Sent']);
    assert.equal(d.action === 'migrate' && d.specialUse, 'sent');
    const child = planFolder({ path: ['INBOX', 'Trash', 'old'] }, noRules, dovecot);
    assert.deepEqual(child.action === 'migrate' && child.destPath, ['Trash', 'old']);
  });

  it("moves a '/' source's special folders under INBOX on a Courier-like destination", () => {
    const d = planFolder({ path: ['Deleted Items', 'Keep'] }, noRules, courier);
    assert.deepEqual(d.action === 'migrate' && d.destPath, ['INBOX', 'Trash', 'Keep']);
  });

  it('uses the canonical English name, or the folder’s own name for All Mail, when the destination has none', () => {
    assert.deepEqual(planFolder({ path: ['Papierkorb'] }, noRules, bare), {
      action: 'migrate',
      destPath: ['Trash'],
      specialUse: 'trash',
      renamed: {
        reason:
          "'Papierkorb' is the source's Trash folder; placed in 'Trash' as the destination reports no Trash folder",
      },
    });
    const all = planFolder({ path: ['[Gmail]', 'All Mail'], specialUse: 'all' }, noRules, bare);
    assert.deepEqual(all.action === 'migrate' && all.destPath, ['All Mail']);
    const gsent = planFolder({ path: ['[Gmail]', 'Sent Mail'] }, noRules, dovecot);
    assert.deepEqual(gsent.action === 'migrate' && gsent.destPath, ['Sent']);
  });

  it("renames a segment containing the destination's '/' separator (source '.' → destination '/')", () => {
    assert.deepEqual(planFolder({ path: ['Clients', 'A/B Testing'] }, noRules, dovecot), {
      action: 'migrate',
      destPath: ['Clients', 'A\u2215B Testing'],
      renamed: {
        reason:
          "'A/B Testing' contains '/', the destination's folder separator; renamed to 'A\u2215B Testing'",
      },
    });
  });

  it("renames a segment containing the destination's '.' separator (source '/' → destination '.')", () => {
    assert.deepEqual(planFolder({ path: ['INBOX', 'Releases', 'v1.2'] }, noRules, courier), {
      action: 'migrate',
      destPath: ['INBOX', 'Releases', 'v1\u20242'],
      renamed: { reason: "'v1.2' contains '.', the destination's folder separator; renamed to 'v1\u20242'" },
    });
  });

  it('fixes what the destination declares: reserved names, empty segments, a declared length limit', () => {
    const dest: DestinationFolderTraits = { ...dovecot, reservedNames: ['Outbox'], maxNameLength: 8 };
    const cases: Array<[string[], string[], string]> = [
      [['outbox'], ['outbox_'], "'outbox' is a name the destination reserves; renamed to 'outbox_'"],
      [['Work', ''], ['Work', '_'], "'' is empty; renamed to '_'"],
      [
        ['Correspondence'],
        ['Correspo'],
        "'Correspondence' is longer than 8 characters; renamed to 'Correspo'",
      ],
    ];
    for (const [path, destPath, reason] of cases) {
      assert.deepEqual(planFolder({ path }, noRules, dest), {
        action: 'migrate',
        destPath,
        renamed: { reason },
      });
    }
  });

  it('keeps names a server merely might refuse (spaces at the ends, control characters, symbols, length)', () => {
    for (const name of [' Leading Space', 'Trailing Space ', 'a\tb', 'x|y%z', 'C'.repeat(300)])
      assert.deepEqual(planFolder({ path: [name] }, noRules, dovecot), {
        action: 'migrate',
        destPath: [name],
      });
  });

  it('excludes by rule and says which rule', () => {
    assert.deepEqual(planFolder({ path: ['Spam'] }, rules({ exclude: ['^Trash', '^Spam$'] }), dovecot), {
      action: 'exclude',
      reason: "'Spam' matches the exclude rule /^Spam$/",
    });
    assert.deepEqual(planFolder({ path: ['Work'] }, rules({ include: ['^INBOX', '^Projects/'] }), dovecot), {
      action: 'exclude',
      reason: "'Work' matches none of the include rules (/^INBOX/, /^Projects\\//)",
    });
    const inc = planFolder({ path: ['Projects', 'A'] }, rules({ include: ['^Projects/'] }), dovecot);
    assert.deepEqual(inc, { action: 'migrate', destPath: ['Projects', 'A'] });
  });

  it('applies exclude before map, map before regex, and regex before special-use placement', () => {
    const r = rules({
      map: [{ from: 'Sent Items', to: 'Archive/Old Sent' }],
      regex: [
        { pattern: '^Sent Items$', replacement: 'never' },
        { pattern: '^Gesendet(/|$)', replacement: 'Archive/Gesendet$1' },
      ],
    });
    assert.deepEqual(planFolder({ path: ['Sent Items'] }, r, dovecot), {
      action: 'migrate',
      destPath: ['Archive', 'Old Sent'],
    });
    assert.deepEqual(planFolder({ path: ['Gesendet', '2019'] }, r, dovecot), {
      action: 'migrate',
      destPath: ['Archive', 'Gesendet', '2019'],
    });
    const excluded = planFolder({ path: ['Sent Items'] }, { ...r, exclude: ['^Sent'] }, dovecot);
    assert.equal(excluded.action, 'exclude');
  });

  it('matches map rules case-sensitively except for INBOX', () => {
    const r = rules({
      map: [
        { from: 'inbox/Old', to: 'Archive/Old' },
        { from: 'work', to: 'Job' },
      ],
    });
    assert.deepEqual(planFolder({ path: ['INBOX', 'Old'] }, r, dovecot), {
      action: 'migrate',
      destPath: ['Archive', 'Old'],
    });
    assert.deepEqual(planFolder({ path: ['Work'] }, r, dovecot), { action: 'migrate', destPath: ['Work'] });
  });

  it('sanitises what a rule produces', () => {
    const r = rules({ regex: [{ pattern: '^Old/(.*)$', replacement: 'Archive/$1/' }] });
    assert.deepEqual(planFolder({ path: ['Old', 'x'] }, r, dovecot), {
      action: 'migrate',
      destPath: ['Archive', 'x', '_'],
      renamed: { reason: "'' is empty; renamed to '_'" },
    });
  });

  it('throws on an invalid rule pattern', () => {
    assert.throws(
      () => planFolder({ path: ['a'] }, rules({ exclude: ['('] }), dovecot),
      /Folder rule \/\(\/ is not a valid/,
    );
  });
});

describe('planFolders', () => {
  it('keys decisions by the source path joined with NUL and decides every folder', () => {
    const out = planFolders(
      [{ path: ['INBOX'] }, { path: ['a', 'b'] }, { path: ['Spam'] }],
      rules({ exclude: ['^Spam'] }),
      dovecot,
    );
    assert.deepEqual([...out.keys()], ['INBOX', 'a\u0000b', 'Spam']);
    assert.equal(out.get('Spam')?.action, 'exclude');
  });

  it('suffixes a folder whose sanitised name collides with another folder, and its children follow', () => {
    const out = planFolders(
      [{ path: ['a/b'] }, { path: ['a/b', 'c'] }, { path: ['a\u2215b'] }, { path: ['a\u2215b', 'c'] }],
      noRules,
      dovecot,
    );
    const reason =
      "'a/b' contains '/', the destination's folder separator; renamed to 'a\u2215b (2)' because 'a\u2215b' is already taken by the folder 'a\u2215b'";
    assert.deepEqual(out.get('a/b'), { action: 'migrate', destPath: ['a\u2215b (2)'], renamed: { reason } });
    assert.deepEqual(out.get('a/b\u0000c'), {
      action: 'migrate',
      destPath: ['a\u2215b (2)', 'c'],
      renamed: { reason },
    });
    assert.deepEqual(out.get('a\u2215b'), { action: 'migrate', destPath: ['a\u2215b'] });
    assert.deepEqual(out.get('a\u2215b\u0000c'), { action: 'migrate', destPath: ['a\u2215b', 'c'] });
  });

  it('numbers several collisions in a stable order, skipping names already in use', () => {
    const out = planFolders(
      [{ path: ['abcdefghY'] }, { path: ['abcd (2)'] }, { path: ['abcdefghX'] }, { path: ['abcdefgh'] }],
      noRules,
      { ...dovecot, maxNameLength: 8 },
    );
    const dest = (k: string): string[] | undefined => {
      const d = out.get(k);
      return d?.action === 'migrate' ? d.destPath : undefined;
    };
    assert.deepEqual(dest('abcdefgh'), ['abcdefgh']);
    assert.deepEqual(dest('abcdefghX'), ['abcd (3)']);
    assert.deepEqual(dest('abcdefghY'), ['abcd (4)']);
    assert.deepEqual(dest('abcd (2)'), ['abcd (2)']);
    const d = out.get('abcdefghX');
    assert.equal(
      d?.action === 'migrate' && d.renamed?.reason,
      "'abcdefghX' is longer than 8 characters; renamed to 'abcd (3)' because 'abcdefgh' is already taken by the folder 'abcdefgh'",
    );
  });

  it('does not suffix merges the operator asked for', () => {
    const r = rules({
      map: [{ from: 'Old Projects', to: 'Projects' }],
      regex: [{ pattern: '^Legacy$', replacement: 'Projects' }],
    });
    const out = planFolders(
      [{ path: ['Projects'] }, { path: ['Old Projects'] }, { path: ['Legacy'] }],
      r,
      dovecot,
    );
    for (const k of ['Projects', 'Old Projects', 'Legacy']) {
      assert.deepEqual(out.get(k), { action: 'migrate', destPath: ['Projects'] });
    }
  });

  it('merges several sent folders into the one destination Sent folder', () => {
    const out = planFolders(
      [{ path: ['Sent'] }, { path: ['Sent Items'] }, { path: ['INBOX', 'Sent'] }],
      noRules,
      dovecot,
    );
    for (const d of out.values()) assert.deepEqual(d.action === 'migrate' && d.destPath, ['Sent']);
  });

  it('moves children of a folder whose special use comes only from its attribute', () => {
    const out = planFolders(
      [{ path: ['Versendet'], specialUse: 'sent' }, { path: ['Versendet', '2020'] }],
      noRules,
      dovecot,
    );
    assert.deepEqual(out.get('Versendet\u00002020'), {
      action: 'migrate',
      destPath: ['Sent', '2020'],
      renamed: {
        reason:
          "'Versendet/2020' is inside the source's Sent folder 'Versendet'; placed under the destination's Sent folder 'Sent'",
      },
    });
  });

  it("keeps a look-alike name when the source flags the real one: 'Archiv' beside a \\Archive 'Archive'", () => {
    const out = planFolders(
      [
        { path: ['Archive'], specialUse: 'archive' },
        { path: ['Archiv'] },
        { path: ['Archiv', '2019'] },
        { path: ['Archiv', '2019', 'Q1'] },
      ],
      noRules,
      { delimiter: '/', specialUse: { archive: ['Archive'] } },
    );
    assert.deepEqual(out.get('Archiv'), { action: 'migrate', destPath: ['Archiv'] });
    assert.deepEqual(out.get('Archiv\u00002019\u0000Q1'), {
      action: 'migrate',
      destPath: ['Archiv', '2019', 'Q1'],
    });
    assert.deepEqual(out.get('Archive'), { action: 'migrate', destPath: ['Archive'], specialUse: 'archive' });
  });

  it('still guesses by name the uses the source flags on no folder', () => {
    const out = planFolders(
      [{ path: ['Archive'], specialUse: 'archive' }, { path: ['Gesendete Elemente'] }],
      noRules,
      dovecot,
    );
    assert.deepEqual(out.get('Gesendete Elemente')?.action === 'migrate' && out.get('Gesendete Elemente'), {
      action: 'migrate',
      destPath: ['Sent'],
      specialUse: 'sent',
      renamed: {
        reason:
          "'Gesendete Elemente' is the source's Sent folder; placed in the destination's Sent folder 'Sent'",
      },
    });
  });

  it('never takes a \\Noselect container for a special folder', () => {
    const out = planFolders(
      [{ path: ['Trash'], selectable: false }, { path: ['Trash', 'Keep'] }],
      noRules,
      dovecot,
    );
    assert.deepEqual(out.get('Trash\u0000Keep'), { action: 'migrate', destPath: ['Trash', 'Keep'] });
    assert.deepEqual(out.get('Trash'), { action: 'migrate', destPath: ['Trash'] });
  });
});

describe('specialFoldersOf (the destination side)', () => {
  it('takes the flagged folder over a look-alike name, and guesses only unflagged uses', () => {
    assert.deepEqual(
      specialFoldersOf([
        { path: ['Archiv'] },
        { path: ['Archive'], specialUse: 'archive' },
        { path: ['Gesendet'] },
        { path: ['Papierkorb'], selectable: false },
      ]),
      { archive: ['Archive'], sent: ['Gesendet'] },
    );
  });
});
