/**
 * Sieve text, without a server: the lexer and parser on RFC 5228 constructs, sieve → rules (fileinto into
 * nested and Unicode folders, vacation, imap4flags, redirect :copy, Roundcube names and disabled rules, what
 * stays untranslated with its exact text), rules → sieve → rules round trips, and rewriteFolders leaving
 * every byte but the renamed folder names as it was.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilterSet } from '../../src/connectors/filters-contract.js';
import { lexSieve } from '../../src/connectors/sieve/sieve-lexer.js';
import { parseSieve } from '../../src/connectors/sieve/sieve-parse.js';
import { sieveToRules } from '../../src/connectors/sieve/sieve-to-rules.js';
import { rulesToSieve } from '../../src/connectors/sieve/rules-to-sieve.js';
import { rewriteFolders, type SieveNaming } from '../../src/connectors/sieve/sieve-folders.js';

const slash: SieveNaming = { delimiter: '/', prefix: '' };
const dot: SieveNaming = { delimiter: '.', prefix: 'INBOX.' };
const read = (text: string, naming = slash) => sieveToRules(Buffer.from(text, 'utf8'), naming, 'test');
/** The rules without their original text (which differs between a script and its regenerated form). */
const bare = (set: FilterSet) => ({
  rules: set.rules.map(({ original: _o, ...r }) => r),
  vacation: set.vacation && (({ original: _o, ...v }) => v)(set.vacation),
  untranslated: set.untranslated,
});
/** sieve → rules → sieve → rules: the second reading equals the first. */
function roundTrip(text: string, naming = slash): FilterSet {
  const first = read(text, naming);
  const { content, results } = rulesToSieve(first, naming);
  assert.ok(
    results.every((r) => r.outcome === 'written'),
    JSON.stringify(results),
  );
  const second = sieveToRules(content, naming, 'generated');
  assert.deepEqual(bare(second), bare(first), `regenerated:\n${content.toString('utf8')}`);
  // And once more: the generated script is a fixed point.
  assert.equal(rulesToSieve(second, naming).content.toString('utf8'), content.toString('utf8'));
  return first;
}

describe('Sieve lexer and parser', () => {
  test('comments, escapes, multi-line text with dot-stuffing, numbers with quantifiers, positions', () => {
    const src = Buffer.from(
      '# hash\r\n/* bracket\r\n comment */ if size :over 10K { vacation text: # c\r\n..dot\r\nline "q"\r\n.\r\n; }\r\nfileinto "a\\"b\\\\c\\d";',
      'utf8',
    );
    const { tokens, comments } = lexSieve(src);
    assert.deepEqual(
      comments.map((c) => [c.text, c.hash]),
      [
        [' hash', true],
        [' bracket\r\n comment ', false],
      ],
    );
    const num = tokens.find((t) => t.kind === 'number');
    assert.equal(num?.kind === 'number' && num.value, 10 * 1024);
    const strings = tokens.filter((t) => t.kind === 'string').map((t) => t.kind === 'string' && t.value);
    assert.deepEqual(strings, ['.dot\r\nline "q"\r\n', 'a"b\\cd']);
    const script = parseSieve(src);
    assert.deepEqual(
      script.commands.map((c) => c.name),
      ['if', 'fileinto'],
    );
    const last = script.commands[1]!;
    assert.equal(src.subarray(last.start, last.end).toString(), 'fileinto "a\\"b\\\\c\\d";');
  });

  test('a syntax error is reported with its line, not thrown', () => {
    const set = read('require "fileinto";\r\nif header :is "x" "y" {\r\n fileinto "z"\r\n}');
    assert.equal(set.rules.length, 0);
    assert.match(set.untranslated[0]!.reason, /not valid Sieve \(line 4/);
  });
});

describe('sieve → rules', () => {
  test('Roundcube rules: names, nested and Unicode folders, flags, redirect :copy, stop, a disabled rule', () => {
    const text = [
      'require ["fileinto","imap4flags","copy"];',
      '# rule:[Projekte Ärger]',
      'if anyof (header :contains "subject" "Ärger", header :contains "subject" "Streit")',
      '{',
      '\tfileinto "Arbeit/Projekte/Ärger 2024";',
      '\tstop;',
      '}',
      '# rule:[Boss]',
      'if allof (address :is "from" "boss@example.com", not header :contains "subject" "[list]")',
      '{',
      '\taddflag "\\\\Flagged";',
      '\taddflag ["urgent", "$label1"];',
      '\tredirect :copy "me@example.org";',
      '}',
      '# rule:[Off]',
      'if false # header :contains "to" "old@example.com"',
      '{',
      '\tfileinto :copy "Archiv";',
      '}',
      '',
    ].join('\r\n');
    const set = roundTrip(text);
    assert.deepEqual(set.untranslated, []);
    assert.deepEqual(
      set.rules.map((r) => [r.name, r.enabled, r.stop]),
      [
        ['Projekte Ärger', true, true],
        ['Boss', true, false],
        ['Off', false, false],
      ],
    );
    assert.deepEqual(set.rules[0]!.conditions, [
      { kind: 'text', field: 'subject', match: 'contains', values: ['Ärger', 'Streit'] },
    ]);
    assert.deepEqual(set.rules[0]!.actions, [{ kind: 'move', folder: ['Arbeit', 'Projekte', 'Ärger 2024'] }]);
    assert.deepEqual(set.rules[1]!.exceptions, [
      { kind: 'text', field: 'subject', match: 'contains', values: ['[list]'] },
    ]);
    assert.deepEqual(set.rules[1]!.actions, [
      { kind: 'flag' },
      { kind: 'tag', names: ['urgent', '$label1'] },
      { kind: 'redirect', to: ['me@example.org'], keepCopy: true },
    ]);
    assert.deepEqual(set.rules[2]!.conditions, [
      { kind: 'text', field: 'to', match: 'contains', values: ['old@example.com'] },
    ]);
    assert.match(set.rules[0]!.original, /^# rule:\[Projekte Ärger\]\r\nif anyof[\s\S]*stop;\r\n\}$/);
  });

  test('a folder name with the server delimiter and namespace prefix becomes a path', () => {
    const set = roundTrip(
      'require "fileinto";\nif header :is "x-list" "a" { fileinto "INBOX.Listen.Ünïcødé"; }\n',
      dot,
    );
    assert.deepEqual(set.rules[0]!.actions, [{ kind: 'move', folder: ['Listen', 'Ünïcødé'] }]);
    assert.deepEqual(set.rules[0]!.conditions[0], {
      kind: 'text',
      field: { header: 'x-list' },
      match: 'is',
      values: ['a'],
    });
  });

  test('vacation with :days :subject :addresses and a multi-line reason; :mime HTML; a schedule', () => {
    const set = roundTrip(
      'require "vacation";\nvacation :days 7 :subject "Away" :addresses ["a@x.org", "b@x.org"] text:\nI am away.\n..and back soon.\n.\n;\n',
    );
    assert.deepEqual(bare(set).vacation, {
      enabled: true,
      body: 'I am away.\n.and back soon.\n',
      html: false,
      audience: 'all',
      days: 7,
      subject: 'Away',
      addresses: ['a@x.org', 'b@x.org'],
    });
    const html = roundTrip(
      'require ["vacation","date","relational"];\n# rule:[vacation]\nif allof (currentdate :zone "+0000" :value "ge" "iso8601" "2030-07-01T00:00:00", currentdate :zone "+0000" :value "lt" "iso8601" "2030-07-15T12:00:00")\n{\n  vacation :mime "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Away</p>";\n}\n',
    );
    assert.equal(html.vacation?.html, true);
    assert.equal(html.vacation?.body, '<p>Away</p>');
    assert.equal(html.vacation?.start?.toISOString(), '2030-07-01T00:00:00.000Z');
    assert.equal(html.vacation?.end?.toISOString(), '2030-07-15T12:00:00.000Z');
  });

  test('size, body, to-or-cc, subject-or-body, discard, keep, elsif exceptions', () => {
    const set = roundTrip(
      [
        'require ["body", "fileinto"];',
        'if size :over 1M { discard; stop; }',
        'elsif header :contains ["to", "cc"] "list@" { fileinto "Lists"; }',
        'else { keep; }',
        'if anyof (header :contains "subject" "invoice", body :text :contains "invoice") { fileinto "Bills"; }',
        'if allof (size :over 100, size :under 5K, body :text :is "x") { keep; }',
      ].join('\n'),
    );
    assert.deepEqual(
      set.rules.map((r) => r.name),
      ['Rule 1', 'Rule 1 (elsif 1)', 'Rule 1 (else 2)', 'Rule 2', 'Rule 3'],
    );
    assert.deepEqual(set.rules[1]!.exceptions, [{ kind: 'size', over: 1024 * 1024 }]);
    assert.deepEqual(set.rules[2]!.exceptions, [
      { kind: 'size', over: 1024 * 1024 },
      { kind: 'text', field: 'to-or-cc', match: 'contains', values: ['list@'] },
    ]);
    assert.equal(
      set.rules[3]!.conditions[0]!.kind === 'text' && set.rules[3]!.conditions[0]!.field,
      'subject-or-body',
    );
    assert.deepEqual(set.rules[4]!.conditions, [
      { kind: 'size', over: 100, under: 5 * 1024 },
      { kind: 'text', field: 'body', match: 'is', values: ['x'] },
    ]);
    // An else after an elsif of several conditions would need "not (a and b)": untranslated.
    const chain = read(
      'if size :over 1 { keep; } elsif allof (size :under 9, header :is "x" "y") { keep; } else { discard; }',
    );
    assert.deepEqual(
      chain.untranslated.map((u) => [u.name, u.original]),
      [['Rule 1 (else 2)', 'else { discard; }']],
    );
  });

  test('what the neutral form cannot hold is untranslated with its exact text; the rest is read', () => {
    const regex = 'if header :regex "subject" "^\\\\[[0-9]+\\\\]" {\r\n  fileinto "Tickets";\r\n}';
    const text = [
      'require ["fileinto", "include", "variables", "regex", "reject", "enotify"];',
      'include :personal "common";',
      'set "folder" "x";',
      '# rule:[Regex]',
      regex,
      'if header :matches "from" "*@spam.example" { discard; }',
      'if envelope :is "from" "x@y" { reject "no"; }',
      'if header :contains "subject" "ok" { fileinto "Ok"; }',
      'if true { notify :message "hi" "mailto:a@b"; }',
    ].join('\r\n');
    const set = read(text);
    assert.deepEqual(
      set.untranslated.map((u) => u.name),
      ['Rule 1', 'Rule 2', 'Regex', 'Rule 3', 'Rule 4', 'Rule 6'],
    );
    assert.equal(set.untranslated[0]!.original, 'include :personal "common";');
    assert.equal(set.untranslated[2]!.original, `# rule:[Regex]\r\n${regex}`);
    assert.match(set.untranslated[2]!.reason, /:regex/);
    assert.match(set.untranslated[3]!.reason, /:matches with wildcards/);
    assert.deepEqual(
      set.rules.map((r) => r.name),
      ['Rule 5'],
    );
  });
});

describe('rules → sieve', () => {
  test('require is computed, names are Roundcube comments, values escaped, vacation last', () => {
    const set: FilterSet = {
      rules: [
        {
          name: 'Quote "and" \\ back',
          enabled: true,
          conditions: [{ kind: 'text', field: 'subject', match: 'contains', values: ['say "hi" \\o/'] }],
          exceptions: [],
          actions: [{ kind: 'move', folder: ['A', 'B'] }, { kind: 'mark-read' }],
          stop: false,
          original: '',
        },
        {
          name: 'Attachments',
          enabled: true,
          conditions: [{ kind: 'has-attachment' }],
          exceptions: [],
          actions: [{ kind: 'copy', folder: ['INBOX'] }],
          stop: true,
          original: '',
        },
      ],
      vacation: { enabled: false, body: 'Out', html: false, audience: 'all', original: '' },
      untranslated: [],
    };
    const { content, results } = rulesToSieve(set, dot);
    const text = content.toString('utf8');
    assert.equal(
      text,
      [
        'require ["fileinto", "copy", "imap4flags", "mime", "vacation"];',
        '# rule:[Quote "and" \\ back]',
        'if header :contains "subject" "say \\"hi\\" \\\\o/"',
        '{',
        '\taddflag "\\\\Seen";',
        '\tfileinto "INBOX.A.B";',
        '}',
        '# rule:[Attachments]',
        'if header :mime :anychild :contains "Content-Disposition" "attachment"',
        '{',
        '\tfileinto :copy "INBOX";',
        '\tstop;',
        '}',
        '# rule:[vacation reply]',
        'if false # true',
        '{',
        '\tvacation "Out";',
        '}',
        '',
      ].join('\r\n'),
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['written', 'written', 'written'],
    );
    const back = sieveToRules(content, dot, 'x');
    assert.equal(back.rules[0]!.name, 'Quote "and" \\ back');
    assert.equal(back.vacation?.enabled, false);
  });

  test('a rule needing an extension the server lacks, or a reply Sieve cannot send, is untranslated', () => {
    const set: FilterSet = {
      rules: [
        {
          name: 'flag it',
          enabled: true,
          conditions: [],
          exceptions: [],
          actions: [{ kind: 'flag' }],
          stop: false,
          original: '',
        },
        {
          name: 'file it',
          enabled: true,
          conditions: [],
          exceptions: [],
          actions: [{ kind: 'move', folder: ['X'] }],
          stop: false,
          original: '',
        },
      ],
      vacation: { enabled: true, body: 'x', html: false, audience: 'internal', original: '' },
      untranslated: [],
    };
    const { content, results } = rulesToSieve(set, slash, ['fileinto', 'vacation']);
    assert.deepEqual(
      results.map((r) => [r.name, r.outcome]),
      [
        ['flag it', 'untranslated'],
        ['file it', 'written'],
        ['vacation reply', 'untranslated'],
      ],
    );
    assert.match(results[0]!.detail!, /lacks the extension imap4flags/);
    assert.equal(
      content.toString(),
      'require "fileinto";\r\n# rule:[file it]\r\nif true\r\n{\r\n\tfileinto "X";\r\n}\r\n',
    );
  });
});

describe('rewriteFolders', () => {
  test('replaces only fileinto mailbox strings (after :copy, :create, :flags <list>), every other byte kept', () => {
    const src = Buffer.from(
      'require ["fileinto","copy","mailbox","imap4flags"];\r\n' +
        '# fileinto "Comment/Not" stays\r\n' +
        'if header :contains "subject" "Old/Name" {\r\n' +
        '  fileinto :copy :create :flags ["\\\\Seen", "x"] "Old/Name";\r\n' +
        '  FileInto "Keep/Me";\n' +
        '} else { fileinto text:\r\nOld/Name\r\n.\r\n; redirect "Old/Name"; }\r\n' +
        'fileinto "Ärger/Süß"',
      'utf8',
    );
    const seen: string[][] = [];
    const out = rewriteFolders(src, '/', (path) => {
      seen.push(path);
      if (path.join('/') === 'Old/Name') return 'New.Näme';
      if (path[0] === 'Ärger') return 'Trouble.Sweet';
      return undefined;
    });
    // A text: string's value ends with its line break (RFC 5228 §2.4.2): no folder is named like that.
    assert.deepEqual(seen, [
      ['Old', 'Name'],
      ['Keep', 'Me'],
      ['Old', 'Name\r\n'],
      ['Ärger', 'Süß'],
    ]);
    assert.equal(out.renamed, 2);
    const expected = src
      .toString('utf8')
      .replace('"Old/Name";\r\n  FileInto', '"New.Näme";\r\n  FileInto')
      .replace('fileinto "Ärger/Süß"', 'fileinto "Trouble.Sweet"');
    assert.equal(out.content.toString('utf8'), expected);
    const none = rewriteFolders(src, '/', () => undefined);
    assert.equal(none.content, src);
    assert.equal(none.renamed, 0);
  });

  test('CRLF, a missing final newline and bytes that are not UTF-8 survive untouched', () => {
    const src = Buffer.concat([
      Buffer.from('# \xff\xfe latin1 comment\r\nrequire "fileinto";\r\nfileinto "A";\r\nkeep;', 'latin1'),
    ]);
    const out = rewriteFolders(src, '/', (p) => (p[0] === 'A' ? 'B' : undefined));
    assert.deepEqual(
      out.content,
      Buffer.from('# \xff\xfe latin1 comment\r\nrequire "fileinto";\r\nfileinto "B";\r\nkeep;', 'latin1'),
    );
  });
});
