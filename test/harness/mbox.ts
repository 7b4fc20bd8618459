/** Writing mbox files for tests, the way mail clients do: envelope line, status headers, mboxrd quoting. */

/** asctime in UTC, as an envelope line carries it: "Thu Mar  9 14:00:00 2017". */
export function asctime(d: Date): string {
  const [wd, , mon, , time] = d.toUTCString().split(' ');
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${wd!.replace(',', '')} ${mon} ${day} ${time} ${d.getUTCFullYear()}`;
}

/** One message as an mbox holds it. */
export interface MboxMessage {
  /** The message (CRLF line ends, as IMAP has it). */
  raw: Buffer;
  /** Envelope date; default 2020-01-01. */
  date?: Date;
  sender?: string;
  /** Header lines put right after the envelope line (Status:, X-Mozilla-Status:, …). */
  status?: string[];
  /** How `>From ` lines are quoted: mboxrd (default), mboxo, or not at all (a broken exporter). */
  quoting?: 'mboxrd' | 'mboxo' | 'none';
}

/** An mbox file's bytes: each message with its envelope line, quoted, with `eol` line ends and a blank line after. */
export function mboxFile(messages: MboxMessage[], eol: '\n' | '\r\n' = '\n'): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const text = m.raw.toString('latin1');
    const lines = text.split('\r\n');
    const ended = lines.at(-1) === '';
    if (ended) lines.pop();
    const quote = m.quoting ?? 'mboxrd';
    const quoted = lines.map((l) =>
      quote === 'mboxrd' && /^>*From /.test(l)
        ? `>${l}`
        : quote === 'mboxo' && /^From /.test(l)
          ? `>${l}`
          : l,
    );
    const out = [
      `From ${m.sender ?? 'MAILER-DAEMON'} ${asctime(m.date ?? new Date(Date.UTC(2020, 0, 1)))}`,
      ...(m.status ?? []),
      ...quoted,
    ].join(eol);
    parts.push(Buffer.from(out + (ended ? eol : '') + eol, 'latin1'));
  }
  return Buffer.concat(parts);
}
