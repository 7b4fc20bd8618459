import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMailboxName, encodeMailboxName } from '../../src/connectors/imap/utf7.js';

describe('IMAP modified UTF-7 (RFC 3501 §5.1.3)', () => {
  const vectors: Array<[string, string]> = [
    // RFC 3501 §5.1.3 example
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
    ['日本語', '&ZeVnLIqe-'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['Éléments envoyés', '&AMk-l&AOk-ments envoy&AOk-s'],
    ['Wiadomości-śmieci', 'Wiadomo&AVs-ci-&AVs-mieci'],
    ['a&b', 'a&-b'],
    ['&', '&-'],
    ['😀', '&2D3eAA-'], // U+1F600 as the surrogate pair D83D DE00
    ['Mail 📬 box', 'Mail &2D3c7A- box'],
    ['tab\there', 'tab&AAk-here'], // control characters are not printable, so they are encoded
    ['INBOX', 'INBOX'],
    ['', ''],
  ];

  for (const [decoded, encoded] of vectors) {
    it(`encodes and decodes ${JSON.stringify(decoded)}`, () => {
      assert.equal(encodeMailboxName(decoded), encoded);
      assert.equal(decodeMailboxName(encoded), decoded);
    });
  }

  it('round-trips every printable ASCII character and a mix of scripts', () => {
    const ascii = Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    for (const s of [ascii, 'Ελληνικά & Русский', '한국어/中文', 'a😀b😀😀c', '\u00a0nbsp']) {
      assert.equal(decodeMailboxName(encodeMailboxName(s)), s);
    }
  });

  it('uses "," instead of "/" in the base64 alphabet and never pads', () => {
    assert.equal(encodeMailboxName('台北'), '&U,BTFw-');
    assert.equal(encodeMailboxName('ä'), '&AOQ-');
  });

  const invalid: Array<[string, RegExp]> = [
    ['&Jjo', /"&Jjo" is not terminated by "-"/],
    ['a&Jj!-b', /"&Jj!-" contains characters that are not modified BASE64/],
    ['&AGE-', /"&AGE-" encodes printable US-ASCII/],
    ['&2D0-', /"&2D0-" contains an unpaired UTF-16 surrogate/],
    ['&3gA-', /"&3gA-" contains an unpaired UTF-16 surrogate/],
    ['&AOQ-&APY-', /"&APY-" directly follows another encoded run/],
    ['Entwürfe', /"ü" \(U\+00FC\) must be encoded/],
    ['&AOR-', /"&AOR-" has non-zero padding bits/],
    ['&AA-', /"&AA-" is not a whole number of UTF-16 code units/],
    ['&AAAAA-', /"&AAAAA-" has an impossible BASE64 length/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => decodeMailboxName(input), message);
    });
  }

  it('accepts "&-" next to an encoded run', () => {
    assert.equal(decodeMailboxName('a&-&AOQ-'), 'a&ä');
    assert.equal(decodeMailboxName('&AOQ-&-'), 'ä&');
  });

  it('refuses to encode a lone surrogate', () => {
    assert.throws(() => encodeMailboxName('x\ud83d'), /lone UTF-16 surrogate at index 1/);
  });
});
