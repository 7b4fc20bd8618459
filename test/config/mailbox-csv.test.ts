import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMailboxCsv } from '../../src/config/mailbox-csv.js';
import type { MailboxOptions } from '../../src/config/types.js';

const defaults: MailboxOptions = {
  itemTypes: ['mail'],
  since: new Date('2015-01-01T00:00:00Z'),
  folders: { map: [{ from: 'INBOX/Old', to: 'Archive/Old' }], regex: [], include: [], exclude: ['^Spam$'] },
};

describe('parseMailboxCsv', () => {
  it('keeps good rows around a bad one and points at the right line after a quoted newline', () => {
    const csv = [
      'source,destination,source_password,star',
      'alice@old,alice@new,"multi',
      'line pw",yes', // line 3 continues row 2
      'bob@old,,,maybe', // line 4: bad star
      '',
      '# a comment',
      'carol@old,carol@new,,★',
    ].join('\n');
    const { mailboxes, problems } = parseMailboxCsv(csv, 'mailboxes.csv', defaults);
    assert.deepEqual(
      mailboxes.map((m) => [m.sourceUser, m.destUser, m.starred, m.origin]),
      [
        ['alice@old', 'alice@new', true, 'mailboxes.csv:2'],
        ['carol@old', 'carol@new', true, 'mailboxes.csv:7'],
      ],
    );
    assert.deepEqual(mailboxes[0]?.sourceAuth, {
      kind: 'password',
      user: 'alice@old',
      password: { value: 'multi\nline pw' },
    });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.where, 'mailboxes.csv:4');
    assert.match(problems[0]?.message ?? '', /column star: 'maybe'/);
    assert.match(problems[0]?.hint ?? '', /yes or no/);
  });

  it('reports an unknown column on line 1 and still parses the rest', () => {
    const { mailboxes, problems } = parseMailboxCsv(
      'source,destinaton,star\nalice,x,yes\n',
      'm.csv',
      defaults,
    );
    assert.equal(mailboxes.length, 1);
    assert.equal(mailboxes[0]?.destUser, 'alice');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.where, 'm.csv:1');
    assert.match(problems[0]?.message ?? '', /unknown column 'destinaton'/);
    assert.match(problems[0]?.hint ?? '', /Did you mean 'destination'\?.*Known columns: source, destination/);
  });

  it('flags a duplicate source on its second occurrence only', () => {
    const { mailboxes, problems } = parseMailboxCsv('source\nalice\nbob\nALICE\n', 'm.csv', defaults);
    assert.deepEqual(
      mailboxes.map((m) => m.sourceUser),
      ['alice', 'bob'],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.where, 'm.csv:4');
    assert.match(problems[0]?.message ?? '', /'ALICE' is listed twice \(first at m\.csv:2\)/);
  });

  it('reads semicolon-separated files with a BOM, CRLF and spaced header names', () => {
    const csv =
      '\uFEFFSource;Destination Password Env;Max-Size;Items\r\nalice;DEST_PW;25MB;mail, contacts\r\n';
    const { mailboxes, problems } = parseMailboxCsv(csv, 'm.csv', defaults);
    assert.deepEqual(problems, []);
    const m = mailboxes[0];
    assert.equal(m?.sourceUser, 'alice');
    assert.deepEqual(m?.destAuth, { kind: 'password', user: 'alice', password: { env: 'DEST_PW' } });
    assert.equal(m?.options.maxMessageBytes, 25 * 1024 * 1024);
    assert.deepEqual(m?.options.itemTypes, ['mail', 'contacts']);
  });

  it('parses sizes and dates, and starts each row from a copy of the defaults', () => {
    const csv = 'source,max_size,since,before\na,1.5GB,,2024-01-01\nb,500KB,2020-02-29,\nc,12345,,\n';
    const { mailboxes, problems } = parseMailboxCsv(csv, 'm.csv', defaults);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      mailboxes.map((m) => m.options.maxMessageBytes),
      [1610612736, 512000, 12345],
    );
    assert.equal(mailboxes[0]?.options.since?.toISOString(), '2015-01-01T00:00:00.000Z');
    assert.equal(mailboxes[0]?.options.before?.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal(mailboxes[1]?.options.since?.toISOString(), '2020-02-29T00:00:00.000Z');
    assert.deepEqual(mailboxes[2]?.options, { ...defaults, maxMessageBytes: 12345 });
    mailboxes[2]?.options.folders.exclude.push('x');
    assert.deepEqual(defaults.folders.exclude, ['^Spam$']);
    assert.notEqual(mailboxes[0]?.options.since, defaults.since);
  });

  it('reports bad sizes, dates, items and conflicting password columns with column, value and hint', () => {
    const csv = [
      'source,max_size,since,items,source_password,source_password_env',
      'a,25XB,,,,',
      'b,,31/01/2024,,,',
      'c,,,mail;notes,,',
      'd,,,,pw,PW_VAR',
      'e,,,,,',
    ].join('\n');
    const { mailboxes, problems } = parseMailboxCsv(csv, 'm.csv', defaults);
    assert.deepEqual(
      mailboxes.map((m) => m.sourceUser),
      ['e'],
    );
    assert.deepEqual(
      problems.map((p) => p.where),
      ['m.csv:2', 'm.csv:3', 'm.csv:4', 'm.csv:5'],
    );
    assert.match(problems[0]?.message ?? '', /column max_size: '25XB' is not a size/);
    assert.match(problems[0]?.hint ?? '', /25MB/);
    assert.match(problems[1]?.message ?? '', /column since: '31\/01\/2024'/);
    assert.match(problems[1]?.hint ?? '', /YYYY-MM-DD/);
    assert.match(problems[2]?.message ?? '', /column items: 'notes'/);
    assert.match(problems[3]?.message ?? '', /source password is given 2 ways/);
    assert.doesNotMatch(problems[3]?.message ?? '', /pw,/);
  });

  it('skips only the row with an unclosed quote', () => {
    const { mailboxes, problems } = parseMailboxCsv('source,destination\na,"oops\nb,b2\n', 'm.csv', defaults);
    assert.deepEqual(
      mailboxes.map((m) => [m.sourceUser, m.destUser, m.origin]),
      [['b', 'b2', 'm.csv:3']],
    );
    assert.equal(problems[0]?.where, 'm.csv:2');
  });

  it('needs a header with a source column', () => {
    const { mailboxes, problems } = parseMailboxCsv('alice@old,alice@new\n', 'm.csv', defaults);
    assert.equal(mailboxes.length, 0);
    assert.ok(problems.some((p) => p.where === 'm.csv:1' && /no 'source' column/.test(p.message)));
  });
});
