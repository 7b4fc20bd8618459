/**
 * Archiving filters (no server): no connector on this branch implements `openFilters` yet (ManageSieve,
 * Microsoft 365 and Gmail filters are being built against filters-contract.ts), so the endpoints here are
 * in-memory ones holding what such a system would hand over. What is asserted is the archive's own
 * behaviour: scripts byte for byte under safe names, the rule set as JSON, nothing written again on a rerun,
 * a changed script as a new version beside the old, and every file chained and verified.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FilterEndpoint, FilterSet } from '../../src/connectors/filters-contract.js';
import { appendChain, GENESIS, writeHead } from '../../src/services/archive-chain.js';
import { archiveFilters } from '../../src/services/archive-filters.js';
import { FILTERS_DIR } from '../../src/services/archive-layout.js';
import { sealMailbox, type ChainTail } from '../../src/services/archive-seal.js';
import { verifyArchive } from '../../src/services/archive-verify.js';

/** A script system's filters as a ManageSieve server would hand them over. */
function sieveEndpoint(scripts: Map<string, Buffer>, active: () => string | null): FilterEndpoint {
  return {
    capabilities: { scripts: true, vacation: true, signatures: false },
    listScripts: async () => [...scripts.keys()].map((name) => ({ name, active: name === active() })),
    readScript: async (name) => scripts.get(name)!,
    readRules: async () => assert.fail('a script system is archived by its scripts'),
    writeRules: async () => assert.fail('the archive never writes to the source'),
    close: async () => undefined,
  };
}

function rulesEndpoint(set: () => FilterSet): FilterEndpoint {
  return {
    capabilities: { scripts: false, vacation: true, signatures: true },
    readRules: async () => set(),
    writeRules: async () => assert.fail('the archive never writes to the source'),
    close: async () => undefined,
  };
}

const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('archive: filters', () => {
  test('Sieve scripts byte for byte, a rerun writes nothing, a change is a new version beside the old', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-archive-filters-'));
    const filters = path.join(dir, 'alice', FILTERS_DIR);
    const tail: ChainTail = { head: GENESIS, n: 0, latest: new Map() };
    const seal = async (t: Date) => {
      const added = await sealMailbox(dir, 'alice', 'alice', tail, t);
      await appendChain(dir, added);
      await writeHead(dir, tail.head);
      return added;
    };
    const vacation = Buffer.from(
      'require ["vacation"];\r\nvacation :days 7 "Bin im Urlaub – zurück am 3.";',
      'utf8',
    ); // CRLF, no final newline
    const big = Buffer.from(`# big\n${'if header :contains "subject" "x" { keep; }\n'.repeat(1000)}`);
    const scripts = new Map<string, Buffer>([
      ['vacation', vacation],
      ['Ordner & Ümlaute / sort', Buffer.from('require "fileinto";\nfileinto "Projekte/2024";\n')],
      ['big', big],
    ]);
    let active: string | null = 'vacation';
    const ep = sieveEndpoint(scripts, () => active);

    const first = await archiveFilters(ep, filters, new Date('2026-01-01T00:00:00Z'));
    assert.equal(first.form, 'scripts');
    assert.deepEqual(first.written.sort(), [
      'scripts/Ordner & Ümlaute %2F sort.sieve',
      'scripts/big.sieve',
      'scripts/vacation.sieve',
    ]);
    assert.ok(fs.readFileSync(path.join(filters, 'scripts/vacation.sieve')).equals(vacation));
    assert.ok(fs.readFileSync(path.join(filters, 'scripts/big.sieve')).equals(big));
    const m = lines(path.join(filters, 'manifest.jsonl'));
    assert.deepEqual(
      m.map((l) => [l.name, l.active]),
      [
        ['vacation', true],
        ['Ordner & Ümlaute / sort', false],
        ['big', false],
      ],
    );
    assert.equal((await seal(new Date())).length, 4, 'three scripts and the manifest');

    const again = await archiveFilters(ep, filters, new Date('2026-01-02T00:00:00Z'));
    assert.deepEqual(again, { form: 'scripts', written: [], unchanged: 3, gone: 0 });
    assert.equal((await seal(new Date())).length, 0, 'nothing new, no chain line');

    scripts.set('vacation', Buffer.from('require ["vacation"];\r\nvacation :days 3 "Zurück am 5.";'));
    scripts.delete('big');
    active = 'Ordner & Ümlaute / sort';
    const third = await archiveFilters(ep, filters, new Date('2026-01-03T00:00:00Z'));
    assert.deepEqual(third, {
      form: 'scripts',
      written: ['scripts/vacation%v2.sieve'],
      unchanged: 0,
      gone: 1,
    });
    assert.ok(
      fs.readFileSync(path.join(filters, 'scripts/vacation.sieve')).equals(vacation),
      'the old version stays',
    );
    assert.deepEqual(
      lines(path.join(filters, 'manifest.jsonl'))
        .slice(3)
        .map((l) => [l.op, l.name, l.file, l.active]),
      [
        ['script', 'vacation', 'scripts/vacation%v2.sieve', false],
        ['script', 'Ordner & Ümlaute / sort', 'scripts/Ordner & Ümlaute %2F sort.sieve', true],
        ['script-gone', 'big', undefined, undefined],
      ],
    );
    const added = await seal(new Date());
    assert.deepEqual(
      added.map((l) => l.path),
      ['alice/filters/scripts/vacation%v2.sieve', 'alice/filters/manifest.jsonl'],
    );
    const v = await verifyArchive(dir, { expectHead: tail.head });
    assert.deepEqual(v.findings, []);
    assert.equal(v.holds, true);

    // A script file changed afterwards is found.
    fs.appendFileSync(path.join(filters, 'scripts/big.sieve'), 'discard;\n');
    const after = await verifyArchive(dir);
    assert.deepEqual(
      after.findings.map((f) => [f.kind, f.path]),
      [['file-changed', 'alice/filters/scripts/big.sieve']],
    );
  });

  test('a system without scripts: the neutral rule set as JSON, again only when it changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-archive-rules-'));
    let set: FilterSet = {
      rules: [
        {
          name: 'Newsletter',
          enabled: true,
          conditions: [{ kind: 'text', field: 'from', match: 'contains', values: ['news@example.com'] }],
          exceptions: [],
          actions: [{ kind: 'move', folder: ['Newsletter'] }],
          stop: true,
          original: '{"displayName":"Newsletter"}',
        },
      ],
      vacation: {
        enabled: true,
        body: 'Away',
        html: false,
        audience: 'all',
        start: new Date('2026-07-01T00:00:00Z'),
        original: '{}',
      },
      untranslated: [],
    };
    const ep = rulesEndpoint(() => set);
    const first = await archiveFilters(ep, dir, new Date());
    assert.deepEqual(first, { form: 'rules', written: ['rules.json'], unchanged: 0, gone: 0 });
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(dir, 'rules.json'), 'utf8')),
      JSON.parse(JSON.stringify(set)),
    );
    assert.deepEqual(await archiveFilters(ep, dir, new Date()), {
      form: 'rules',
      written: [],
      unchanged: 1,
      gone: 0,
    });
    set = { ...set, rules: [] };
    assert.deepEqual((await archiveFilters(ep, dir, new Date())).written, ['rules%v2.json']);
    assert.equal(lines(path.join(dir, 'manifest.jsonl')).length, 2);
  });
});
