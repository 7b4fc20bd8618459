/**
 * One folder's messages as the store holds them — from its manifest when it has one, else every `.eml` file
 * in it (a plain EML export: no flags, the internal date from the Date header, or the file's mtime when that
 * is missing or unreadable; bare LF line endings served as CRLF, see file-crlf.ts; keys are positions in name
 * order, and the folder's generation is a hash of the names, so a file added or removed renumbers it and the
 * engine matches by fingerprint again).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FolderState, ListOptions, MessageMeta, StreamedMessage } from '../contract.js';
import { parseIdentityHeaders } from '../shared/identity-headers.js';
import { countBareLf, crlf, CrlfStream } from './file-crlf.js';
import { fileError } from './file-errors.js';
import { readManifest, type AddLine, type ManifestState } from './file-manifest.js';

/** One folder's messages as the store holds them. */
export interface FolderView {
  dir: string;
  state: FolderState;
  /** Present messages by key, from the manifest (absent for a plain EML folder). */
  manifest?: ManifestState;
  /** A plain EML folder's file names in key order (key = position + 1). */
  files?: string[];
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

/** Read a folder's manifest, or its `.eml` files when it has none. */
export async function openView(dir: string): Promise<FolderView> {
  try {
    const manifest = await readManifest(dir);
    if (manifest) {
      const uids = [...manifest.messages.keys()];
      return {
        dir,
        manifest,
        state: {
          uidValidity: '1',
          uidNext: uids.reduce((a, b) => Math.max(a, b), 0) + 1,
          messages: uids.length,
          highestModseq: String(manifest.lines),
        },
      };
    }
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && /\.eml$/i.test(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort(byName);
    const generation = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
    // Any file rewritten or touched moves the modification sequence, so an unchanged folder is skipped.
    const stamp = createHash('sha256');
    for (const f of files) {
      const st = await fsp.stat(path.join(dir, f));
      stamp.update(`${f}\n${st.size}\n${st.mtimeMs}\n`);
    }
    return {
      dir,
      files,
      state: {
        uidValidity: String(parseInt(generation, 16)),
        uidNext: files.length + 1,
        messages: files.length,
        highestModseq: String(parseInt(stamp.digest('hex').slice(0, 12), 16)),
      },
    };
  } catch (err) {
    throw fileError(err, `The folder directory ${dir}`);
  }
}

/** Every key in the view, ascending. */
export function uidsOf(view: FolderView): number[] {
  if (view.manifest) return [...view.manifest.messages.keys()].sort((a, b) => a - b);
  return view.files!.map((_, i) => i + 1);
}

/** The file of a key, or undefined when the view has no such key. */
export function fileOf(view: FolderView, uid: number): string | undefined {
  const name = view.manifest ? view.manifest.messages.get(uid)?.file : view.files?.[uid - 1];
  return name === undefined ? undefined : path.join(view.dir, name);
}

const PAGE = 500;

/** Metadata in pages, ascending (a plain EML folder's headers are read from its files). */
export async function* metasOf(view: FolderView, opts: ListOptions = {}): AsyncIterable<MessageMeta[]> {
  let uids = uidsOf(view);
  if (opts.uids) {
    const want = new Set(opts.uids);
    uids = uids.filter((u) => want.has(u));
  }
  if (opts.fromUid !== undefined) uids = uids.filter((u) => u >= opts.fromUid!);
  for (let i = 0; i < uids.length; i += PAGE) {
    const page: MessageMeta[] = [];
    for (const uid of uids.slice(i, i + PAGE)) {
      const line = view.manifest?.messages.get(uid);
      page.push(line ? metaOfLine(line) : await metaOfFile(uid, fileOf(view, uid)!));
    }
    yield page;
  }
}

function metaOfLine(l: AddLine): MessageMeta {
  const m: MessageMeta = {
    uid: l.uid,
    size: l.size,
    internalDate: new Date(l.internalDate),
    flags: [...l.flags],
  };
  if (l.messageId !== undefined) m.messageId = l.messageId;
  if (l.dateHeader !== undefined) m.dateHeader = l.dateHeader;
  if (l.headerHash !== undefined) m.headerHash = l.headerHash;
  return m;
}

async function metaOfFile(uid: number, file: string): Promise<MessageMeta> {
  try {
    const [st, head, bare] = await Promise.all([fsp.stat(file), readHeader(file), countBareLf(file)]);
    const header = bare ? crlf(head) : head; // as served (see file-crlf.ts)
    const ids = parseIdentityHeaders(header);
    const dated = ids.dateHeader ? new Date(ids.dateHeader) : undefined;
    const meta: MessageMeta = {
      uid,
      size: st.size + bare,
      internalDate: dated && !Number.isNaN(dated.getTime()) ? dated : st.mtime,
      flags: [],
      ...ids,
    };
    if (!ids.messageId) meta.headerHash = createHash('sha256').update(header).digest('hex');
    return meta;
  } catch (err) {
    throw fileError(err, `The message file ${file}`);
  }
}

const HEADER_MAX = 1024 * 1024;

/** The header block of a message file: up to and including the empty line (CRLF or LF) that ends it. */
export async function readHeader(file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 64 * 1024, end: HEADER_MAX - 1 })) {
    parts.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    const all = Buffer.concat(parts);
    const crlf = all.indexOf('\r\n\r\n');
    const lf = all.indexOf('\n\n');
    const ends = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((x) => x > 0);
    if (ends.length) return all.subarray(0, Math.min(...ends));
    if (size >= HEADER_MAX) break;
  }
  return Buffer.concat(parts);
}

/** The bodies of these keys, one file after another (a key not in the view is not yielded). */
export async function* bodiesOf(view: FolderView, uids: number[]): AsyncIterable<StreamedMessage> {
  for (const uid of [...uids].sort((a, b) => a - b)) {
    const file = fileOf(view, uid);
    if (!file) continue;
    let size: number;
    let bare = 0;
    try {
      size = (await fsp.stat(file)).size;
      if (view.files) bare = await countBareLf(file); // a plain EML file is served with CRLF line endings
    } catch (err) {
      yield { uid, unreadable: fileError(err, `The message file ${file}`).message };
      continue;
    }
    const body = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
    if (!bare) yield { uid, size, body };
    else
      yield {
        uid,
        size: size + bare,
        body: body.pipe(new CrlfStream()),
        altered: `${bare} bare LF line ending(s) of ${path.basename(file)} served as CRLF, as a message has on the wire`,
      };
  }
}
