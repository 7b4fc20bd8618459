/** Loading the corpus straight into a Dovecot Maildir, and reading servers back with doveadm. */
import { execFile } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DovecotServer } from '../test/harness/dovecot.js';
import { KEYWORDS, renderMessage, type MessageSpec } from './corpus.js';

const run = promisify(execFile);

/** The doveadm binary (dsync is `doveadm backup`). */
export const DOVEADM = '/usr/bin/doveadm';

/** Run doveadm against a harness server's private config; resolves to stdout. */
export async function doveadm(server: DovecotServer, args: string[]): Promise<string> {
  const conf = path.join(server.dir, 'dovecot.conf');
  try {
    const { stdout } = await run(DOVEADM, ['-c', conf, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    // '*' also matches \NonExistent parents (e.g. "Projekte" of "Projekte/Überblick"): exit 68, rest fine.
    const e = err as { code?: number; stdout?: string; stderr?: string };
    const lines = (e.stderr ?? '').trim().split('\n');
    if (e.code === 68 && lines.every((l) => l.includes("Mailbox doesn't exist"))) return e.stdout ?? '';
    throw err;
  }
}

/** Modified UTF-7 (RFC 3501), which Dovecot 2.3 uses for Maildir++ folder names on disk. */
export function mutf7(name: string): string {
  return name.replace(/&/g, '&-').replace(/[^\x20-\x7e]+/g, (s) => {
    const b64 = Buffer.from(s, 'utf16le').swap16().toString('base64');
    return `&${b64.replace(/=+$/, '').replace(/\//g, ',')}-`;
  });
}

// Maildir info flags in the ASCII order Maildir requires; keywords follow as a, b, c (dovecot-keywords).
const FLAG_LETTERS: Array<[string, string]> = [
  ['Draft', 'D'],
  ['Flagged', 'F'],
  ['Answered', 'R'],
  ['Seen', 'S'],
];

/**
 * Write every message as a Maildir++ file (`cur/TIME.M<i>P<pid>.bench,S=..,W=..:2,FLAGS`, mtime = internal
 * date), chown to the mail user, then let Dovecot index each folder once. Returns bytes written.
 */
export async function loadMaildir(
  server: DovecotServer,
  user: string,
  specs: MessageSpec[],
): Promise<number> {
  const root = server.mailDir(user);
  const made = new Set<string>();
  const keywordFile = KEYWORDS.map((k, i) => `${i} ${k}\n`).join('');
  let bytes = 0;
  for (const [i, spec] of specs.entries()) {
    const isInbox = spec.folder.length === 1 && spec.folder[0] === 'INBOX';
    const dir = isInbox ? root : path.join(root, `.${spec.folder.map(mutf7).join('.')}`);
    if (!made.has(dir)) {
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(dir, sub), { recursive: true });
      if (!isInbox) await writeFile(path.join(dir, 'maildirfolder'), '');
      await writeFile(path.join(dir, 'dovecot-keywords'), keywordFile);
      made.add(dir);
    }
    const raw = renderMessage(spec, user);
    const sec = Math.floor(spec.internalDate.getTime() / 1000);
    const letters =
      FLAG_LETTERS.filter(([f]) => spec.flags.includes(f))
        .map(([, l]) => l)
        .join('') + spec.keywords.map((k) => String.fromCharCode(97 + KEYWORDS.indexOf(k))).join('');
    // Stored with CRLF, so the physical (S=) and virtual (W=) sizes are the same.
    const file = path.join(
      dir,
      'cur',
      `${sec}.M${i}P${process.pid}.bench,S=${raw.length},W=${raw.length}:2,${letters}`,
    );
    await writeFile(file, raw, { mode: 0o600 });
    await utimes(file, spec.internalDate, spec.internalDate);
    bytes += raw.length;
  }
  await run('chown', ['-R', 'mail:mail', path.dirname(root)]);
  // Index now, so neither tool pays for the first scan of the source.
  await doveadm(server, ['mailbox', 'status', '-u', user, 'messages', '*']);
  return bytes;
}

/** Every folder name LIST shows for a user (including non-existent parents such as "Projekte"). */
export async function folderNames(server: DovecotServer, user: string): Promise<string[]> {
  return (await doveadm(server, ['mailbox', 'list', '-u', user])).trim().split('\n').sort();
}

/** Message-ID, flags and internal date of every message, sorted: equal lists mean a faithful copy. */
export async function fingerprints(server: DovecotServer, user: string): Promise<string[]> {
  const fields = 'mailbox hdr.message-id flags date.received';
  const out = await doveadm(server, ['-f', 'tab', 'fetch', '-u', user, fields, 'all']);
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [box, id, flags, date] = l.split('\t');
      const kept = (flags ?? '').split(' ').filter((f) => f && f !== '\\Recent');
      return `${box}\t${(id ?? '').trim()}\t${kept.sort().join(' ')}\t${date}`;
    })
    .sort();
}

/** Verification of one destination against the source. */
export interface Check {
  sourceMessages: number;
  destMessages: number;
  missing: number;
  extra: number;
  metadataDiffs: number;
  /** "-Name" listed only at the source, "+Name" only at the destination. */
  folderDiffs: string[];
}

/** Compare a destination with the source: folder lists, then messages by folder + Message-ID, flags, date. */
export async function verify(
  src: DovecotServer,
  prints: Map<string, string[]>,
  dst: DovecotServer,
): Promise<Check> {
  const c: Check = {
    sourceMessages: 0,
    destMessages: 0,
    missing: 0,
    extra: 0,
    metadataDiffs: 0,
    folderDiffs: [],
  };
  for (const [user, want] of prints) {
    const [a, b] = [await folderNames(src, user), await folderNames(dst, user)];
    c.folderDiffs.push(...a.filter((f) => !b.includes(f)).map((f) => `${user}: -${f}`));
    c.folderDiffs.push(...b.filter((f) => !a.includes(f)).map((f) => `${user}: +${f}`));
    const got = await fingerprints(dst, user);
    c.sourceMessages += want.length;
    c.destMessages += got.length;
    const key = (f: string) => f.split('\t').slice(0, 2).join('\t'); // folder + Message-ID
    const left = new Map<string, number>();
    for (const f of want) left.set(key(f), (left.get(key(f)) ?? 0) + 1);
    for (const f of got) {
      const n = left.get(key(f)) ?? 0;
      if (n > 0) left.set(key(f), n - 1);
      else c.extra++;
    }
    c.missing += [...left.values()].reduce((s, n) => s + n, 0);
    const exact = new Set(got);
    c.metadataDiffs += want.filter((f) => !exact.has(f)).length;
  }
  c.metadataDiffs -= c.missing; // a missing message is not also a flag/date difference
  return c;
}

/** Error, warning and panic lines in a server's log (the harness logs to DIR/dovecot.log). */
export async function logProblems(server: DovecotServer): Promise<string[]> {
  const text = await readFile(path.join(server.dir, 'dovecot.log'), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /: (Error|Warning|Panic|Fatal):/.test(l));
}
