/** Folder names ⇄ directory names of the file store: exact both ways, and every name safe on every common file system. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirNameOf, isShortened, MAX_NAME_BYTES, nameOfDir } from '../../src/connectors/file/file-names.js';

const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** What NTFS, exFAT, ext4 and APFS/HFS+ all accept, and what none of them changes. */
function assertSafe(dir: string, from: string): void {
  const why = `${JSON.stringify(from)} → ${JSON.stringify(dir)}`;
  assert.ok(dir.length > 0, why);
  // eslint-disable-next-line no-control-regex -- control characters are what it checks for
  assert.ok(!/[<>:"/\\|?*\x00-\x1f\x7f]/.test(dir), `forbidden character: ${why}`);
  assert.ok(dir !== '.' && dir !== '..', why);
  assert.ok(!/[. ]$/.test(dir), `trailing dot or blank: ${why}`);
  assert.ok(!DEVICE.test(dir), `device name: ${why}`);
  assert.ok(!/^(manifest\.jsonl|\d+\.eml|\.\d+\.eml\.tmp)$/i.test(dir), `a store file's name: ${why}`);
  assert.ok(Buffer.byteLength(dir) <= MAX_NAME_BYTES, `${Buffer.byteLength(dir)} bytes: ${why}`);
  assert.equal(dir, dir.normalize('NFC'), `an NFC-normalising file system would change it: ${why}`);
}

function roundTrip(name: string): string {
  const dir = dirNameOf(name);
  assertSafe(dir, name);
  if (!isShortened(dir))
    assert.equal(nameOfDir(dir), name, `round trip of ${JSON.stringify(name)} via ${dir}`);
  return dir;
}

test('a plain ASCII name is its own directory name', () => {
  for (const n of [
    'INBOX',
    'Sent Items',
    'Archive 2019',
    'a-b_c.d',
    '.hidden',
    'Re: x'.replace(':', ''),
    "it's",
    '[Gmail]',
  ])
    assert.equal(roundTrip(n), n);
});

test('only what must be escaped is escaped, and it maps back', () => {
  assert.equal(roundTrip('CON'), '%43ON');
  assert.equal(roundTrip('nul'), '%6Eul');
  assert.equal(roundTrip('COM1.txt'), '%43OM1.txt');
  assert.equal(roundTrip('Console'), 'Console');
  assert.equal(roundTrip('a.'), 'a%2E');
  assert.equal(roundTrip('a '), 'a%20');
  assert.equal(roundTrip(' a'), ' a');
  assert.equal(roundTrip('.'), '%2E');
  assert.equal(roundTrip('..'), '.%2E');
  assert.equal(roundTrip('x/y'), 'x%2Fy');
  assert.equal(roundTrip('a\\b'), 'a%5Cb');
  assert.equal(roundTrip('<>:"|?*'), '%3C%3E%3A%22%7C%3F%2A');
  assert.equal(roundTrip('100%'), '100%25');
  assert.equal(roundTrip('tab\there\x00\x1f\x7f'), 'tab%09here%00%1F%7F');
  assert.equal(roundTrip(''), '%_');
  assert.equal(roundTrip('manifest.jsonl'), '%6Danifest.jsonl');
  assert.equal(roundTrip('12.eml'), '%312.eml');
  assert.equal(roundTrip('Entwürfe'), 'Entwürfe');
  assert.equal(roundTrip('📁 Projekte 🚀'), '📁 Projekte 🚀');
  assert.equal(roundTrip('收件箱'), '收件箱');
});

test('two Unicode spellings of one name stay two folders, on a file system that normalises too', () => {
  const nfc = 'Café'.normalize('NFC');
  const nfd = 'Café'.normalize('NFD');
  const a = roundTrip(nfc);
  const b = roundTrip(nfd);
  assert.equal(a, nfc);
  assert.equal(b, 'Cafe%CC%81');
  assert.notEqual(a.normalize('NFD'), b.normalize('NFD'));
});

test('a name over 255 bytes is shortened, distinctly, and says so', () => {
  const long = 'ü'.repeat(150); // 300 bytes
  const dir = roundTrip(long);
  assert.ok(isShortened(dir));
  assert.equal(nameOfDir(dir), undefined, 'the full name comes from the manifest');
  assert.notEqual(dirNameOf(long + 'x'), dir);
  const ascii = 'a'.repeat(300);
  assert.ok(isShortened(roundTrip(ascii)));
  assert.equal(roundTrip('a'.repeat(255)), 'a'.repeat(255));
  assert.ok(isShortened(roundTrip('a'.repeat(254) + '.')), 'the escaped trailing dot makes it too long');
  const escapes = '?'.repeat(100); // 300 bytes escaped: cut between escapes, never inside one
  assert.match(roundTrip(escapes), /^(%3F)+%~[0-9a-f]{16}$/);
});

test('every spelling of a name maps back to it, and no two spellings fold together', () => {
  for (const name of ['foo', 'Foo', 'CON', 'a.', 'Ünï', '']) {
    const all = [0, 1, 2, 3].map((k) => dirNameOf(name, k));
    for (const dir of all) {
      assertSafe(dir, name);
      assert.equal(nameOfDir(dir), name, dir);
    }
    if (['foo', 'Foo', 'Ünï'].includes(name))
      assert.equal(new Set(all.map((x) => x.toLowerCase())).size, 4, all.join(' '));
  }
});

test('round trip over random nasty names (seeded)', () => {
  let seed = 0x5eed;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = [
    ...'<>:"/\\|?*%. -_~aZ09',
    '\x00',
    '\x01',
    '\x1f',
    '\x7f',
    'é',
    'e\u0301',
    'ß',
    '🚀',
    '\u200b',
    '\ufeff',
    '\u00a0',
    '中',
    'Ω',
    'Å',
    'A\u030a',
    'CON',
    'lpt9',
    '.eml',
    'manifest.jsonl',
    '%2F',
    '%_',
    '%~',
  ];
  const seen = new Map<string, string>();
  for (let i = 0; i < 5000; i++) {
    let name = '';
    const len = rand(12) === 0 ? 200 + rand(100) : rand(10);
    while ([...name].length < len) name += alphabet[rand(alphabet.length)];
    const dir = roundTrip(name);
    const key = dir.normalize('NFC');
    const other = seen.get(key);
    assert.ok(
      other === undefined || other === name,
      `${JSON.stringify(name)} and ${JSON.stringify(other)} share ${dir}`,
    );
    seen.set(key, name);
  }
});
