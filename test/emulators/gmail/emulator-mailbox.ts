/**
 * EMULATOR (test code): one user's mailbox as the Gmail API presents it — labels (system and user,
 * nested by "/" in the name), messages stored as raw RFC 5322 bytes with label sets, 64-bit hex ids, and a
 * history log with increasing historyIds (labelsAdded / labelsRemoved / messagesAdded) that can be
 * expired to emulate Google forgetting old history points (history.list then answers 404).
 */
import { SYSTEM_LABELS } from './emulator-label-rules.js';

export interface EmuLabel {
  id: string;
  name: string;
  type: 'system' | 'user';
}

export interface EmuMessage {
  id: string;
  threadId: string;
  labelIds: Set<string>;
  raw: Buffer;
  internalDate: number;
  historyId: number;
}

interface HistoryRecord {
  id: number;
  messagesAdded?: Array<{ message: { id: string } }>;
  labelsAdded?: Array<{ message: { id: string }; labelIds: string[] }>;
  labelsRemoved?: Array<{ message: { id: string }; labelIds: string[] }>;
}

let idCounter = 0;
/** A Gmail-like id: milliseconds << 20 | a counter, as 16 hex digits. */
export function newId(): string {
  idCounter = (idCounter + 1) & 0xfffff;
  return ((BigInt(Date.now()) << 20n) | BigInt(idCounter)).toString(16).padStart(16, '0');
}

export class EmuMailbox {
  readonly labels = new Map<string, EmuLabel>(
    SYSTEM_LABELS.map((id) => [id, { id, name: id, type: 'system' as const }]),
  );
  readonly messages = new Map<string, EmuMessage>();
  /** Draft id → the id of its message (drafts.create). */
  readonly drafts = new Map<string, string>();
  private history: HistoryRecord[] = [];
  historyId = 1000;
  /** history.list with a startHistoryId below this answers 404. */
  oldestHistoryId = 1000;
  private userLabels = 0;

  constructor(readonly email: string) {}

  private record(r: Omit<HistoryRecord, 'id'>): number {
    this.historyId += 1 + Math.floor(Math.random() * 3); // increasing, with gaps, like Google's
    this.history.push({ id: this.historyId, ...r });
    return this.historyId;
  }

  createLabel(name: string): EmuLabel {
    const label = { id: `Label_${++this.userLabels}`, name, type: 'user' as const };
    this.labels.set(label.id, label);
    return label;
  }

  addMessage(raw: Buffer, labelIds: string[], internalDate: number): EmuMessage {
    const id = newId();
    const m: EmuMessage = { id, threadId: id, labelIds: new Set(labelIds), raw, internalDate, historyId: 0 };
    this.messages.set(id, m);
    m.historyId = this.record({ messagesAdded: [{ message: { id } }] });
    return m;
  }

  modify(id: string, add: string[], remove: string[]): void {
    const m = this.messages.get(id);
    if (!m) return;
    const added = add.filter((l) => !m.labelIds.has(l));
    const removed = remove.filter((l) => m.labelIds.has(l));
    for (const l of added) m.labelIds.add(l);
    for (const l of removed) m.labelIds.delete(l);
    if (added.length) m.historyId = this.record({ labelsAdded: [{ message: { id }, labelIds: added }] });
    if (removed.length)
      m.historyId = this.record({ labelsRemoved: [{ message: { id }, labelIds: removed }] });
  }

  /** Delete a message for good (messages.delete); false when there is none. */
  deleteMessage(id: string): boolean {
    for (const [d, m] of this.drafts) if (m === id) this.drafts.delete(d);
    return this.messages.delete(id);
  }

  /** Delete a user label and take it off every message (labels.delete); false when there is none. */
  deleteLabel(id: string): boolean {
    const l = this.labels.get(id);
    if (!l || l.type !== 'user') return false;
    this.labels.delete(id);
    for (const m of this.messages.values()) m.labelIds.delete(id);
    return true;
  }

  /** Records after `start`, or undefined when `start` is older than what is kept. */
  historySince(start: number): HistoryRecord[] | undefined {
    if (start < this.oldestHistoryId || start > this.historyId) return undefined;
    return this.history.filter((h) => h.id > start);
  }

  /** Forget all history so far (Google keeps it about a week). */
  expireHistory(): void {
    this.history = [];
    this.oldestHistoryId = this.historyId;
  }

  /** Ids with a label (or all), newest first, trash and spam only when asked. */
  list(labelIds: string[], includeSpamTrash: boolean): string[] {
    return [...this.messages.values()]
      .filter((m) => labelIds.every((l) => m.labelIds.has(l)))
      .filter(
        (m) =>
          includeSpamTrash ||
          labelIds.some((l) => l === 'TRASH' || l === 'SPAM') ||
          !(m.labelIds.has('TRASH') || m.labelIds.has('SPAM')),
      )
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .map((m) => m.id);
  }
}
