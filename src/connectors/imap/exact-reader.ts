/**
 * Reading a message again, exactly, when its BODY[] bytes may hide NULs (see nul-restore.ts): over the
 * source's second connection (imapflow), so the body stream on the raw connection goes on meanwhile.
 * First BINARY[] of the whole message; where that decoded a part, section by section: the header from
 * BINARY[] (headers are never decoded), then every part whose transfer encoding is an identity (7bit, 8bit,
 * binary) from BINARY[part]. A 0x80 byte left outside the checked sections is reported, never hidden.
 */
import type { ImapFlow, MessageStructureObject } from 'imapflow';
import { mapImapError } from './imap-errors.js';
import { headerEnd, patchSection, restoreWhole, uncheckedHighBytes } from './nul-restore.js';

/** The exact message, or BODY[]'s bytes with a note saying what could not be checked. */
export interface ExactBody {
  body: Buffer;
  altered?: string;
}

const IDENTITY = new Set(['7bit', '8bit', 'binary']);

/** Leaf parts whose BODY[part] and BINARY[part] differ only by NULs (identity transfer encodings). */
function identityParts(node: MessageStructureObject | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (node.childNodes?.length) for (const c of node.childNodes) identityParts(c, out);
  else if (node.part && IDENTITY.has((node.encoding ?? '7bit').toLowerCase())) out.push(node.part);
  return out;
}

/** Re-reads messages of one folder exactly; `fullName` is the folder's name for imapflow. */
export class ExactReader {
  private opened = false;

  constructor(
    private readonly client: ImapFlow,
    private readonly fullName: string,
    private readonly where: string,
  ) {}

  /** The exact bytes of `uid`, given what BODY[] served (`served`). */
  async read(uid: number, served: Buffer): Promise<ExactBody> {
    try {
      if (!this.opened) {
        await this.client.mailboxOpen(this.fullName, { readOnly: true });
        this.opened = true;
      }
      const whole = await this.client.fetchOne(String(uid), { source: true }, { uid: true, binary: true });
      if (!whole || !whole.source) return this.unchecked(served, 'the source did not answer BINARY[]');
      const exact = restoreWhole(served, whole.source);
      if (exact) return { body: exact };
      return await this.bySection(uid, Buffer.from(served), whole.source);
    } catch (err) {
      const e = mapImapError(err, this.where);
      return this.unchecked(served, `the source refused BINARY[] (${e.message})`);
    }
  }

  private async bySection(uid: number, message: Buffer, binary: Buffer): Promise<ExactBody> {
    const checked: Array<{ start: number; end: number }> = [];
    // The top-level header: BINARY[] keeps it as stored, and it has the same length in both answers.
    const end = headerEnd(message);
    const header = patchSection(message, message.subarray(0, end), binary.subarray(0, end), 0);
    if (header) checked.push(header);
    const meta = await this.client.fetchOne(String(uid), { bodyStructure: true }, { uid: true });
    const parts = identityParts(meta ? meta.bodyStructure : undefined);
    if (parts.length) {
      const plain = await this.client.fetchOne(String(uid), { bodyParts: parts }, { uid: true });
      const bin = await this.client.fetchOne(String(uid), { bodyParts: parts }, { uid: true, binary: true });
      let cursor = end;
      for (const p of parts) {
        const a = plain ? plain.bodyParts?.get(p) : undefined;
        const b = bin ? bin.bodyParts?.get(p) : undefined;
        const r = a && b ? patchSection(message, a, b, cursor) : undefined;
        if (r) {
          checked.push(r);
          cursor = r.end;
        }
      }
    }
    const left = uncheckedHighBytes(message, checked);
    return left
      ? {
          body: message,
          altered: `${left} byte(s) 0x80 in MIME part headers or boundaries may have been NUL bytes at the source, which serves them only decoded`,
        }
      : { body: message };
  }

  private unchecked(served: Buffer, why: string): ExactBody {
    return {
      body: served,
      altered: `holds 0x80 bytes that may have been NUL bytes at the source; ${why}, so they could not be checked`,
    };
  }
}
