/**
 * Bodies kept between a folder reader's listMessages and its streamBodies. Exact sizes need the raw
 * message, so a message listed for copying is downloaded anyway: keeping it saves reading it twice. Small
 * bodies stay in memory (32 MB per reader), larger ones in private temporary files (unlinked at once, as
 * BodySpool does; 256 MB per reader); past those budgets a body is simply read again later.
 */
import type { Readable } from 'node:stream';
import { BodySpool } from '../shared/body-spool.js';

const MEMORY_ITEM = 1024 * 1024;
const MEMORY_BUDGET = 32 * 1024 * 1024;
const FILE_BUDGET = 256 * 1024 * 1024;
/** Each kept file holds a descriptor open until it is read: bounded so lanes together stay far from ulimits. */
const FILE_COUNT = 32;

/** One body being collected while it is downloaded. */
export interface Keeper {
  write(part: Buffer): void | Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export class BodyCache {
  private readonly kept = new Map<number, { size: number; body: Buffer | Readable }>();
  private memory = 0;
  private files = 0;
  private fileCount = 0;

  constructor(
    private readonly budgets = {
      memoryItem: MEMORY_ITEM,
      memory: MEMORY_BUDGET,
      files: FILE_BUDGET,
      fileCount: FILE_COUNT,
    },
  ) {}

  /** A keeper for one message, or undefined when both budgets are spent. */
  start(uid: number): Keeper | undefined {
    const { memoryItem, memory, files, fileCount } = this.budgets;
    if (this.memory >= memory && this.files >= files) return undefined;
    let parts: Buffer[] = [];
    let size = 0;
    let spool: BodySpool | undefined;
    let spooled = 0; // bytes counted against the file budget while they are written
    let dropped = false;
    const drop = async () => {
      dropped = true;
      parts = [];
      this.files -= spooled;
      spooled = 0;
      if (spool) this.fileCount--;
      await spool?.discard();
      spool = undefined;
    };
    return {
      write: async (part) => {
        if (dropped) return;
        size += part.length;
        if (!spool && size <= memoryItem && this.memory + size <= memory) {
          parts.push(part);
          return;
        }
        // Counted as it is written, so keepers running side by side cannot overrun the budget together.
        const adding = spool ? part.length : size;
        if (this.files + adding > files || (!spool && this.fileCount >= fileCount)) return drop();
        this.files += adding;
        spooled += adding;
        if (!spool) {
          this.fileCount++;
          spool = new BodySpool(0);
          for (const p of parts) spool.write(p);
          parts = [];
        }
        await spool.put(part);
      },
      finish: async () => {
        if (dropped) return;
        if (!spool) {
          this.kept.set(uid, { size, body: Buffer.concat(parts, size) });
          this.memory += size;
          return;
        }
        try {
          this.kept.set(uid, await spool.finish());
        } catch {
          await drop(); // the file could not be written: the body is read again later
        }
      },
      abort: drop,
    };
  }

  /** Take a kept body (it leaves the cache; its budget is freed). */
  take(uid: number): { size: number; body: Buffer | Readable } | undefined {
    const got = this.kept.get(uid);
    if (!got) return undefined;
    this.kept.delete(uid);
    if (Buffer.isBuffer(got.body)) this.memory -= got.size;
    else {
      this.files -= got.size;
      this.fileCount--;
    }
    return got;
  }

  /** Drop everything left (closing the files). */
  clear(): void {
    for (const { body } of this.kept.values()) if (!Buffer.isBuffer(body)) body.destroy();
    this.kept.clear();
    this.memory = this.files = this.fileCount = 0;
  }
}
