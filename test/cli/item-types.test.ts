/**
 * Which item types a run moves, as the command line decides it (src/cli/context.ts): `--items` for a
 * one-off pair or a project, the items both URLs carry when it is not given, a clear refusal when the two
 * sides carry nothing in common, and `dav: { url }` beside a project's mail server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveTarget } from '../../src/cli/context.js';
import { CutoverError, ErrorCode } from '../../src/errors.js';

const items = (from: string, to: string, more: { items?: string } = {}) =>
  resolveTarget({ from, to, ...more }).project.mailboxes[0]!.options.itemTypes;

describe('item types of a run', () => {
  it('a one-off pair moves mail, or what both URLs carry', () => {
    assert.deepEqual(items('imap://a:p@h1', 'imap://b:p@h2'), ['mail']);
    assert.deepEqual(items('sieve://a:p@h1', 'sieve://b:p@h2'), ['filters']);
    assert.deepEqual(items('dav://a:p@h1/', 'davs://b:p@h2/dav/'), ['contacts', 'calendars', 'tasks']);
    assert.deepEqual(items('imap://a:p@h1', 'imap://b:p@h2', { items: 'mail,filters' }), ['mail', 'filters']);
  });

  it('two sides with nothing in common are refused with what each carries', () => {
    assert.throws(
      () => items('imap://a:p@h1', 'dav://b:p@h2/'),
      (e: unknown) =>
        e instanceof CutoverError &&
        e.code === ErrorCode.ConfigInvalid &&
        /source carries mail, filters; the destination carries contacts, calendars, tasks/.test(e.message) &&
        /dav:\/\/ with dav:\/\//.test(e.hint ?? ''),
    );
  });

  it('a bad --items value names the types there are', () => {
    assert.throws(
      () => items('imap://a:p@h1', 'imap://b:p@h2', { items: 'mail,calender' }),
      (e: unknown) => e instanceof CutoverError && /--items: 'calender' is not an item type/.test(e.message),
    );
  });

  it('--items applies to every mailbox of a project; dav: { url } names the CalDAV/CardDAV server beside it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-items-'));
    const file = path.join(dir, 'cutover.yaml');
    fs.writeFileSync(
      file,
      [
        'source: { host: old.example.com, dav: { url: "https://dav.old.example.com:8443/remote.php/dav/" } }',
        'destination: { host: new.example.com }',
        'mailboxes: [alice@example.com, bob@example.com]',
        '',
      ].join('\n'),
    );
    const { project } = resolveTarget({ project: file, items: 'mail,contacts' });
    assert.deepEqual(
      project.mailboxes.map((m) => m.options.itemTypes),
      [
        ['mail', 'contacts'],
        ['mail', 'contacts'],
      ],
    );
    assert.deepEqual(project.source.groupware, {
      kind: 'dav',
      host: 'dav.old.example.com',
      port: 8443,
      tls: 'tls',
      allowInvalidCertificates: false,
      maxConnections: 10,
      dav: { path: '/remote.php/dav/' },
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
