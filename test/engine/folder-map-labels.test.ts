/**
 * The folder planner for a destination whose folders are labels with reserved names (Gmail): folders under
 * INBOX go to the top level, folders under Sent/Drafts/Trash/Spam under '<name>_', reserved names at the top
 * level get '_'. The traits are the ones the Gmail connector declares (`GmailConnector.folderNaming`), so
 * these plans are what a scan and a pass show; the Gmail destination maps a path it is handed the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderRules } from '../../src/config/types.js';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import { gmailLabelPath } from '../../src/connectors/gmail/gmail-label-names.js';
import { planFolder, planFolders, type DestinationFolderTraits } from '../../src/engine/folder-map.js';

const noRules: FolderRules = { map: [], regex: [], include: [], exclude: [] };
const naming = new GmailConnector().folderNaming;
const gmail: DestinationFolderTraits = { delimiter: '/', ...naming };
const dest = (d: ReturnType<typeof planFolder> | undefined) => {
  assert.ok(d?.action === 'migrate', JSON.stringify(d));
  return d;
};

describe('folder planner, Gmail destination (labels)', () => {
  it('the Gmail connector declares its system folders and name rules without a connection', () => {
    assert.deepEqual(naming.specialUse, {
      inbox: ['INBOX'],
      sent: ['Sent'],
      drafts: ['Drafts'],
      trash: ['Trash'],
      junk: ['Spam'],
    });
    assert.deepEqual([...naming.noSubfolders].sort(), ['drafts', 'inbox', 'junk', 'sent', 'trash']);
    for (const n of ['Inbox', 'Sent', 'Drafts', 'Starred', 'Important', 'Muted', 'Archive', 'All Mail'])
      assert.ok(
        naming.reservedTopNames.some((r) => r.toLowerCase() === n.toLowerCase()),
        `${n} is reserved`,
      );
  });

  it('puts a folder under INBOX at the top level and says why', () => {
    assert.deepEqual(planFolder({ path: ['INBOX', 'Receipts'] }, noRules, gmail), {
      action: 'migrate',
      destPath: ['Receipts'],
      renamed: {
        reason:
          "'INBOX/Receipts' would go under INBOX, which cannot hold folders at the destination; placed at the top level as 'Receipts'",
      },
    });
    assert.deepEqual(dest(planFolder({ path: ['inbox', 'A', 'B'] }, noRules, gmail)).destPath, ['A', 'B']);
  });

  it('Cyrus/Courier folders (all under INBOX.) become top-level labels, whether or not the namespace was taken off', () => {
    // Listed through NAMESPACE (the IMAP source takes 'INBOX.' off) or as children of INBOX (no NAMESPACE).
    for (const listed of [
      [['INBOX'], ['Work'], ['Work', '2024'], ['Sent']],
      [['INBOX'], ['INBOX', 'Work'], ['INBOX', 'Work', '2024'], ['INBOX', 'Sent']],
    ]) {
      const out = planFolders(
        listed.map((path) => ({ path, ...(path.at(-1) === 'Sent' ? { specialUse: 'sent' as const } : {}) })),
        noRules,
        gmail,
      );
      const at = (p: string[]) => dest(out.get(p.join('\u0000'))).destPath;
      assert.deepEqual(at(listed[0]!), ['INBOX']);
      assert.deepEqual(at(listed[1]!), ['Work']);
      assert.deepEqual(at(listed[2]!), ['Work', '2024']);
      assert.deepEqual(at(listed[3]!), ['Sent']);
    }
  });

  it("puts a folder under the Sent folder under 'Sent_', whatever the source calls its Sent folder", () => {
    const out = planFolders(
      [
        { path: ['Sent Items'], specialUse: 'sent' },
        { path: ['Sent Items', '2019'] },
        { path: ['Drafts'] },
        { path: ['Drafts', 'Old'] },
        { path: ['Junk E-mail'] },
        { path: ['Junk E-mail', 'Keep'] },
        { path: ['INBOX', 'Sent', 'Old'] },
      ],
      noRules,
      gmail,
    );
    const at = (k: string) => dest(out.get(k));
    assert.deepEqual(out.get('Sent Items'), {
      action: 'migrate',
      destPath: ['Sent'],
      specialUse: 'sent',
      renamed: {
        reason: "'Sent Items' is the source's Sent folder; placed in the destination's Sent folder 'Sent'",
      },
    });
    assert.deepEqual(at('Sent Items\u00002019').destPath, ['Sent_', '2019']);
    assert.equal(
      at('Sent Items\u00002019').renamed?.reason,
      "'Sent Items/2019' would go under the destination's Sent folder 'Sent', which cannot hold folders; placed under 'Sent_'",
    );
    assert.deepEqual(at('Drafts\u0000Old').destPath, ['Drafts_', 'Old']);
    assert.deepEqual(at('Junk E-mail\u0000Keep').destPath, ['Spam_', 'Keep']);
    assert.deepEqual(at('Drafts').destPath, ['Drafts']);
    // A plain INBOX/Sent (not the Sent folder: that one is 'Sent Items') is a user folder at the top level.
    assert.deepEqual(at('INBOX\u0000Sent\u0000Old').destPath, ['Sent_', 'Old']);
  });

  it('renames a reserved name at the top level only', () => {
    assert.deepEqual(planFolder({ path: ['Starred'] }, noRules, gmail), {
      action: 'migrate',
      destPath: ['Starred_'],
      renamed: { reason: "'Starred' is a name the destination reserves; renamed to 'Starred_'" },
    });
    assert.deepEqual(planFolder({ path: ['Muted', 'Old'] }, noRules, gmail), {
      action: 'migrate',
      destPath: ['Muted_', 'Old'],
      renamed: { reason: "'Muted' is a name the destination reserves; renamed to 'Muted_'" },
    });
    assert.deepEqual(planFolder({ path: ['Clients', 'Important'] }, noRules, gmail), {
      action: 'migrate',
      destPath: ['Clients', 'Important'],
    });
    assert.deepEqual(dest(planFolder({ path: ['INBOX', 'Important'] }, noRules, gmail)).destPath, [
      'Important_',
    ]);
  });

  it('a rule that maps into INBOX or Sent is placed the same way', () => {
    const rules = (to: string) => ({ ...noRules, map: [{ from: 'Old/Receipts', to }] });
    const src = { path: ['Old', 'Receipts'] };
    assert.deepEqual(dest(planFolder(src, rules('INBOX/Receipts'), gmail)).destPath, ['Receipts']);
    assert.deepEqual(dest(planFolder(src, rules('Sent/Receipts'), gmail)).destPath, ['Sent_', 'Receipts']);
  });

  it('the Gmail destination maps a path it is handed exactly as the planner does', () => {
    const cases = [
      ['INBOX', 'Receipts'],
      ['INBOX', 'Sent', 'Old'],
      ['INBOX', 'Starred'],
      ['Sent', '2019'],
      ['Spam', 'Keep'],
      ['Starred'],
      ['Muted', 'Old'],
      ['Clients', 'Important'],
      ['Work'],
    ];
    for (const path of cases) {
      const planned = dest(planFolder({ path }, noRules, gmail));
      const placed = gmailLabelPath(path);
      assert.deepEqual(placed.path, planned.destPath, path.join('/'));
      assert.equal(
        placed.renamed === undefined,
        planned.renamed === undefined,
        `${path.join('/')}: reported`,
      );
    }
  });

  it('destinations without these traits are unchanged (Dovecot keeps INBOX/Receipts and Starred)', () => {
    const dovecot: DestinationFolderTraits = { delimiter: '/', specialUse: { sent: ['Sent'] } };
    for (const path of [['INBOX', 'Receipts'], ['Sent', '2019'], ['Starred']])
      assert.deepEqual(planFolder({ path }, noRules, dovecot), { action: 'migrate', destPath: path });
  });
});
