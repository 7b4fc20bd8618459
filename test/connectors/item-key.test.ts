/**
 * The numeric key of a string id (Graph and Gmail message ids, POP3 UIDLs) is stored in the ledger: a
 * change to a single byte of its derivation would make every copied message look new. Pinned here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemKey } from '../../src/connectors/shared/item-key.js';

test('item keys are the first 48 bits of SHA-256, as stored ledgers hold them', () => {
  assert.equal(itemKey('AAMkAGI2TG93AAA='), 123703606157454);
  assert.equal(itemKey('000000016b02acad'), 160786718555236);
  assert.equal(itemKey(''), 250348346448124);
  assert.ok(Number.isSafeInteger(itemKey('x')) && itemKey('x') > 0 && itemKey('x') < 2 ** 48);
});
