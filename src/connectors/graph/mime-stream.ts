/**
 * A MIME message read as a stream, one line at a time: header blocks and the multipart tree are kept, each
 * leaf's body is decoded as it arrives (mime-decode.ts) into a PartSink — memory for small parts, a private
 * temporary file for large ones — so a message of any size is never held whole. Leaves come out as
 * mime-parse.ts's `leavesOf` gives them (multipart/alternative reduced to its richest text, 20 levels deep).
 */
import type { Readable } from 'node:stream';
import { throwIfAborted } from '../../errors.js';
import { decoderFor, type PartDecoder } from './mime-decode.js';
import { fieldsOf, parseParams, type Leaf } from './mime-parse.js';
import { PART_MEMORY_MAX, PartSink, type SpooledPart } from './part-spool.js';

/** A leaf whose decoded content is in memory or in a temporary file. */
export type StreamLeaf = Omit<Leaf, 'content'> & { content: Buffer | SpooledPart };

/** A parsed message; `dispose` removes every temporary file (call it in `finally`). */
export interface ParsedMessage {
  /** The top-level header block, blank line included. */
  head: Buffer;
  leaves: StreamLeaf[];
  /** Bytes read. */
  size: number;
  dispose: () => Promise<void>;
}

/** Body texts stay in memory up to Graph's request size (a larger one can only be an attachment). */
const BODY_MEMORY_MAX = 4 * 1024 * 1024;
/** A line this long without a break cannot be a boundary: its bytes go on without waiting for the end. */
const LONG_LINE = 4096;
const LF = 0x0a;
const DASH = 0x2d;

interface Node extends Omit<Leaf, 'content'> {
  children?: Node[];
  sink?: PartSink;
  content?: Buffer | SpooledPart;
}

class Parser {
  readonly root: Node = { fields: [], type: 'text/plain', params: {}, dispParams: {} };
  readonly head: Buffer[] = [];
  readonly sinks: PartSink[] = [];
  size = 0;
  private cur = this.root;
  private state: 'head' | 'body' | 'skip' = 'head';
  private headLines: string[] = [];
  private stack: Array<{ delim: Buffer; node: Node }> = [];
  private decoder: PartDecoder | undefined;
  private heldEol: Buffer | undefined;
  private partial: Buffer[] = [];
  private partialLength = 0;
  private midLine = false;

  push(chunk: Buffer): void {
    this.size += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(LF, at);
      if (nl < 0) return this.pending(chunk.subarray(at));
      const piece = chunk.subarray(at, nl + 1);
      this.line(this.partial.length ? Buffer.concat([...this.partial, piece]) : piece);
      this.partial = [];
      this.partialLength = 0;
      at = nl + 1;
    }
  }

  /** The sink now being written (for backpressure). */
  current(): PartSink | undefined {
    return this.state === 'body' ? this.cur.sink : undefined;
  }

  end(): void {
    if (this.partial.length) this.line(Buffer.concat(this.partial));
    this.partial = [];
    if (this.state === 'head') this.endHead();
    // At the end of the message (not before a delimiter) the last line break is content.
    if (this.state === 'body' && this.heldEol) this.decoder!.eol(this.heldEol);
    this.endLeaf();
  }

  private pending(piece: Buffer): void {
    this.partial.push(Buffer.from(piece));
    this.partialLength += piece.length;
    if (this.state !== 'body' || this.partialLength < LONG_LINE) return;
    if (this.heldEol) this.decoder!.eol(this.heldEol);
    this.heldEol = undefined;
    this.decoder!.content(Buffer.concat(this.partial));
    this.partial = [];
    this.partialLength = 0;
    this.midLine = true;
  }

  private line(line: Buffer): void {
    const eolLength = line.at(-1) === LF ? (line.at(-2) === 0x0d ? 2 : 1) : 0;
    const content = line.subarray(0, line.length - eolLength);
    const atStart = !this.midLine;
    this.midLine = false;
    if (this.state === 'head') {
      if (this.cur === this.root) this.head.push(Buffer.from(line));
      if (content.length === 0) this.endHead();
      else this.headLines.push(content.toString('latin1'));
      return;
    }
    if (atStart && content[0] === DASH && content[1] === DASH && this.stack.length) {
      for (let k = this.stack.length - 1; k >= 0; k--) {
        const { delim, node } = this.stack[k]!;
        if (content.length < delim.length || !content.subarray(0, delim.length).equals(delim)) continue;
        this.endLeaf();
        this.heldEol = undefined; // the line break before a delimiter belongs to it
        this.stack.length = k + 1;
        if (content[delim.length] === DASH && content[delim.length + 1] === DASH) {
          this.stack.pop();
          this.state = 'skip';
        } else {
          this.cur = { fields: [], type: 'text/plain', params: {}, dispParams: {} };
          node.children!.push(this.cur);
          this.headLines = [];
          this.state = 'head';
        }
        return;
      }
    }
    if (this.state !== 'body') return; // preamble and epilogue are not content
    if (this.heldEol) this.decoder!.eol(this.heldEol);
    this.decoder!.content(content);
    this.heldEol = eolLength ? Buffer.from(line.subarray(content.length)) : undefined;
  }

  private endHead(): void {
    const n = this.cur;
    n.fields = fieldsOf(Buffer.from(this.headLines.join('\n'), 'latin1'));
    this.headLines = [];
    const get = (name: string) => n.fields.find((f) => f.name === name)?.value;
    const ct = parseParams(get('content-type') ?? 'text/plain');
    const disp = get('content-disposition') ? parseParams(get('content-disposition')!) : undefined;
    [n.type, n.params, n.disposition, n.dispParams] = [ct.value, ct.params, disp?.value, disp?.params ?? {}];
    if (n.type.startsWith('multipart/') && ct.params.boundary && this.stack.length < 20) {
      n.children = [];
      this.stack.push({ delim: Buffer.from(`--${ct.params.boundary}`, 'latin1'), node: n });
      this.state = 'skip';
      return;
    }
    const bodyText =
      (n.type === 'text/html' || n.type === 'text/plain') &&
      n.disposition !== 'attachment' &&
      !n.dispParams.filename;
    const sink = new PartSink(bodyText ? BODY_MEMORY_MAX : PART_MEMORY_MAX);
    this.sinks.push(sink);
    n.sink = sink;
    this.decoder = decoderFor(get('content-transfer-encoding'), (b) => sink.write(b));
    this.state = 'body';
  }

  private endLeaf(): void {
    if (this.state === 'body') this.decoder!.end();
    this.decoder = undefined;
    this.heldEol = undefined;
    this.state = 'skip';
  }
}

/** The leaves to convert, depth first, multipart/alternative reduced to its richest text. */
function select(n: Node): Node[] {
  if (!n.children) return [n];
  const kids = n.children;
  if (n.type === 'multipart/alternative' && kids.length) {
    const pick =
      kids.find((k) => /^multipart\/related/.test(k.type)) ??
      kids.find((k) => k.type === 'text/html') ??
      kids.find((k) => k.type === 'text/plain') ??
      kids.at(-1)!;
    return select(pick);
  }
  return kids.flatMap(select);
}

/** Read a whole message (see the file comment); on failure every temporary file is already removed. */
export async function parseMessageStream(
  body: Buffer | Readable | AsyncIterable<Buffer>,
  signal?: AbortSignal,
): Promise<ParsedMessage> {
  const p = new Parser();
  const dispose = async () => {
    await Promise.all(p.sinks.map((s) => s.discard()));
  };
  try {
    if (Buffer.isBuffer(body)) p.push(body);
    else
      for await (const chunk of body as AsyncIterable<Buffer>) {
        throwIfAborted(signal);
        p.push(chunk);
        await p.current()?.drained();
      }
    p.end();
    const leaves: StreamLeaf[] = [];
    for (const n of select(p.root)) {
      const { children: _c, sink, content: _x, ...rest } = n;
      leaves.push({ ...rest, content: sink ? await sink.finish() : Buffer.alloc(0) });
    }
    return { head: Buffer.concat(p.head), leaves, size: p.size, dispose };
  } catch (err) {
    if (!Buffer.isBuffer(body) && 'destroy' in body) body.destroy();
    await dispose();
    throw err;
  }
}
