/** What the engine tells whoever watches a run (terminal display, later the web tracker). */

export interface ProgressSink {
  /** Items found at the source for a mailbox (from folder status); called once per mailbox pass. */
  planned(mailboxId: number, label: string, messages: number): void;
  /** Items accounted for (copied, present, skipped, failed, unchanged), with bytes actually copied. */
  advanced(mailboxId: number, items: number, bytesCopied: number): void;
  /** Something a person should know (a rename, a retry, throttling, a folder failure). */
  note(mailboxId: number, level: 'info' | 'warn' | 'error', text: string): void;
  /** A mailbox pass ended. */
  finished(mailboxId: number, status: string): void;
  /** A mailbox pass starts: its name, so a pass that fails before planning is shown by name, not by id. */
  started?(mailboxId: number, label: string): void;
}

/** A sink that drops everything (tests, scripting). */
export const silentProgress: ProgressSink = {
  planned: () => undefined,
  advanced: () => undefined,
  note: () => undefined,
  finished: () => undefined,
};
