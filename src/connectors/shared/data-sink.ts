/** Where streamed message bytes go (a POP3 multi-line answer, a Gmail raw body, a Graph MIME part). */

/** `write` returns false to pause the producer until `onDrain`. */
export interface DataSink {
  write(part: Buffer): boolean;
  onDrain?(resume: () => void): void;
}
