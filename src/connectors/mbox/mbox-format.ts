/**
 * What an mbox file means, line by line, in one place: which `From ` line separates two messages, how a
 * message's lines become the bytes written to the destination, and which headers carry its flags. The
 * scanner (sizes, metadata) and the body reader (bytes) both go through `MessageWriter`, so the size
 * announced before a body is sent is the size of the bytes sent.
 *
 * Quoting: mboxrd (a writer adds one `>` to every line matching `^>*From `) and mboxo (a writer adds `>`
 * only to `^From `) cannot be told apart from the file. We read mboxrd: one `>` comes off every `>+From `
 * line. For mboxrd files that is exact; for an mboxo file it is exact except for a body line that began
 * with `>From ` before export (it loses its `>`) — mboxo already lost the difference between `From ` and
 * `>From ` when it wrote the file, so no reader can restore both. Reading mboxo semantics instead would leave
 * every `>>From ` of an mboxrd file with one `>` too many, which is the more common case (mutt, Dovecot,
 * Python's mailbox and Apple Mail write mboxrd or never quote at all).
 *
 * Separators: a line is a separator only when it looks like an envelope — `From SENDER DATE` with a time and
 * a year — so a body line `From here on…` that a broken mboxo exporter left unquoted stays in its message.
 * A body line that is itself a complete envelope line would still split the message; no reader can tell.
 *
 * Bytes: lines end in CRLF as IMAP requires (an LF or CRLF file gives the same bytes); the blank line an
 * mbox writer puts after every message is not part of it; a last line without a newline keeps none. The
 * status headers (Status, X-Status, X-Mozilla-Status, X-Mozilla-Status2, X-Mozilla-Keys) are the mbox's
 * own storage of flags, rewritten in place by mail clients: they become IMAP flags and are not copied —
 * as Dovecot's own mbox reader hides them — so a message's bytes, size and fingerprint do not change when
 * it is read or flagged in the client between two passes.
 */

const FROM = Buffer.from('From ');
const CRLF = Buffer.from('\r\n');

/** A status header the flags come from; never copied into the message. */
const STATUS_HEADER = /^(status|x-status|x-mozilla-status2?|x-mozilla-keys)[ \t]*:/i;

/**
 * An envelope line: `From ` SENDER (may be `-` or empty), then a date: asctime (`Mon Dec  7 15:53:33 2026`,
 * optionally with a zone) or an RFC 5322 date (`Mon, 7 Dec 2026 15:53:33 +0000`), with its time.
 */
const ENVELOPE = /^From (\S*) +(.*)$/;
const DATE_LIKE = [
  /^(?:[A-Z][a-z]{2},? +)?[A-Z][a-z]{2} +\d{1,2} +\d{1,2}:\d{2}(?::\d{2})? +(?:\S+ +)?\d{4}\b/,
  /^(?:[A-Z][a-z]{2},? +)?\d{1,2} +[A-Z][a-z]{2} +\d{4} +\d{1,2}:\d{2}/,
];

/** Whether `line` (without its line end) starts with `From `: the only lines an mbox may start with. */
export function startsWithFrom(line: Buffer): boolean {
  return line.length >= FROM.length && line.subarray(0, FROM.length).equals(FROM);
}

/** Whether `line` (without its line end) separates messages: `From `, a sender, a date. */
export function isEnvelope(line: Buffer): boolean {
  if (!startsWithFrom(line)) return false;
  const rest = ENVELOPE.exec(line.toString('latin1'))?.[2];
  return rest !== undefined && DATE_LIKE.some((d) => d.test(rest));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The date of an envelope line, or undefined when it has none we can read. asctime without a zone (the usual
 * form) is read as UTC: the file does not say the writer's time zone, and the importing machine's is not it.
 * The epoch and earlier (placeholders some exporters write) count as no date.
 */
export function envelopeDate(envelope: string): Date | undefined {
  const rest = ENVELOPE.exec(envelope)?.[2];
  if (!rest) return undefined;
  const a =
    /([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Z]{2,5})\s+)?(\d{4})(?:\s+([+-]\d{4}))?/.exec(
      rest,
    );
  let t: number;
  if (a) {
    const month = MONTHS.indexOf(a[1]!.toLowerCase());
    if (month < 0) return undefined;
    t = Date.UTC(Number(a[7]), month, Number(a[2]), Number(a[3]), Number(a[4]), Number(a[5] ?? 0));
    const zone = /^[+-]\d{4}$/.test(a[6] ?? '') ? a[6]! : a[8];
    if (zone) {
      const sign = zone.startsWith('-') ? -1 : 1;
      t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
    }
  } else t = Date.parse(rest.replace(/\([^)]*\)/g, ' ').trim());
  return Number.isNaN(t) || t <= 0 ? undefined : new Date(t);
}

/** The flags an mbox keeps for a message, and whether the client marked it deleted. */
export interface MboxFlags {
  flags: string[];
  /** Why it counts as deleted (the header that says so), or undefined when live. */
  deleted?: string;
}

/**
 * IMAP flags from the status headers: `Status:`/`X-Status:` letters (R seen, A answered, F flagged, T draft,
 * D deleted; O only means "not new"), Thunderbird's `X-Mozilla-Status` bits (0x0001 read, 0x0002 replied,
 * 0x0004 flagged, 0x0008 expunged — deleted, awaiting compaction — and 0x1000 forwarded) and its
 * `X-Mozilla-Keys` tags as keywords.
 */
export function flagsOf(status: Array<[string, string]>): MboxFlags {
  const flags = new Set<string>();
  let deleted: string | undefined;
  for (const [name, value] of status) {
    const v = value.trim();
    if (name === 'status' || name === 'x-status') {
      if (v.includes('R')) flags.add('\\Seen');
      if (v.includes('A')) flags.add('\\Answered');
      if (v.includes('F')) flags.add('\\Flagged');
      if (v.includes('T')) flags.add('\\Draft');
      if (v.includes('D'))
        deleted ??= `marked deleted in the mbox (${name === 'status' ? 'Status' : 'X-Status'}: ${v})`;
    } else if (name === 'x-mozilla-status' && /^[0-9a-f]{1,4}$/i.test(v)) {
      const bits = parseInt(v, 16);
      if (bits & 0x0001) flags.add('\\Seen');
      if (bits & 0x0002) flags.add('\\Answered');
      if (bits & 0x0004) flags.add('\\Flagged');
      if (bits & 0x1000) flags.add('$Forwarded');
      if (bits & 0x0008)
        deleted ??= `deleted in Thunderbird and awaiting compaction (X-Mozilla-Status: ${v}, bit 0x0008)`;
    } else if (name === 'x-mozilla-keys') {
      for (const k of v.split(/\s+/)) if (/^[^\s\\()[\]{}%*"]+$/.test(k)) flags.add(k);
    }
  }
  return { flags: [...flags], deleted };
}

/**
 * Turns one message's lines (as read from the file, without line ends) into the bytes written to the
 * destination: mboxrd unquoting, CRLF line ends, status headers kept aside. Also collects what the metadata
 * needs: the header block as written (for Message-ID, Date and the header hash) and the status headers.
 */
export class MessageWriter {
  private inHeader = true;
  private inStatus = false;
  private headerParts: Buffer[] = [];
  private headerBytes = 0;
  private headerDone = false;
  /** Status headers seen, lower-cased name → value (folded lines joined). */
  readonly status: Array<[string, string]> = [];
  /** Bytes produced so far. */
  size = 0;

  constructor(private readonly headerMax = 1024 * 1024) {}

  /**
   * The output pieces of one line. `ended` is false only for a last line without a line end. Returns []
   * for a line that is not copied (a status header and its folded continuations).
   */
  line(raw: Buffer, ended: boolean): Buffer[] {
    let line = raw;
    if (this.inHeader) {
      if (line.length === 0) {
        this.inHeader = false;
        this.inStatus = false;
      } else if (this.inStatus && (line[0] === 0x20 || line[0] === 0x09)) {
        const last = this.status[this.status.length - 1]!;
        last[1] += ' ' + line.toString('latin1').trim();
        return [];
      } else {
        const m = STATUS_HEADER.exec(line.toString('latin1', 0, Math.min(line.length, 40)));
        this.inStatus = m !== null;
        if (m) {
          const text = line.toString('latin1');
          this.status.push([m[1]!.toLowerCase(), text.slice(text.indexOf(':') + 1)]);
          return [];
        }
      }
    }
    // mboxrd: `>From `, `>>From `, … lose one `>`.
    if (line[0] === 0x3e) {
      let i = 0;
      while (line[i] === 0x3e) i++;
      if (line.subarray(i, i + FROM.length).equals(FROM)) line = line.subarray(1);
    }
    const out = ended ? [line, CRLF] : [line];
    const n = line.length + (ended ? 2 : 0);
    this.size += n;
    if (!this.headerDone) {
      this.keepHeader(out, n);
      if (!this.inHeader) this.headerDone = true;
    }
    return out;
  }

  /** The header block as written, up to and including the empty line that ends it (the IMAP BODY[HEADER]). */
  header(): Buffer {
    return Buffer.concat(this.headerParts);
  }

  private keepHeader(parts: Buffer[], n: number): void {
    if (this.headerBytes + n > this.headerMax) {
      this.headerDone = true;
      return;
    }
    for (const p of parts) this.headerParts.push(Buffer.from(p));
    this.headerBytes += n;
  }
}
