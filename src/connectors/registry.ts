/**
 * The connector kinds, as descriptors. The only place that names concrete systems: adding a kind is its
 * folder (with its `<kind>-descriptor.ts`) and one line here. The order is the order of choices (API enum,
 * web form).
 */
import type { Connector, ConnectorContext } from './contract.js';
import { davDescriptor } from './dav/dav-descriptor.js';
import type { ConnectorDescriptor } from './descriptor.js';
import { fileDescriptor } from './file/file-descriptor.js';
import { gmailDescriptor } from './gmail/gmail-descriptor.js';
import { graphDescriptor } from './graph/graph-descriptor.js';
import { imapDescriptor } from './imap/imap-descriptor.js';
import { mboxDescriptor } from './mbox/mbox-descriptor.js';
import { pop3Descriptor } from './pop3/pop3-descriptor.js';
import { sieveDescriptor } from './sieve/sieve-descriptor.js';

/** Every connector kind. */
export const descriptors: readonly ConnectorDescriptor[] = [
  imapDescriptor,
  pop3Descriptor,
  graphDescriptor,
  gmailDescriptor,
  mboxDescriptor,
  fileDescriptor,
  sieveDescriptor,
  davDescriptor,
];

/** Kinds added at run time by a test or benchmark (bench/scale's synthetic source), never by the application. */
const added: ConnectorDescriptor[] = [];

/**
 * Add a kind for this process only (tests and benchmarks): found by `descriptorFor`/`connectorFor`, never
 * listed in `descriptors` (so the API, the web form and the URL form do not offer it). Returns its removal.
 */
export function addKind(d: ConnectorDescriptor): () => void {
  if (descriptorFor(d.kind)) throw new Error(`The connector kind "${d.kind}" exists already.`);
  added.push(d);
  return () => {
    const i = added.indexOf(d);
    if (i >= 0) added.splice(i, 1);
  };
}

/** The descriptor of a server kind, or undefined for an unknown kind. */
export function descriptorFor(kind: string): ConnectorDescriptor | undefined {
  return descriptors.find((d) => d.kind === kind) ?? added.find((d) => d.kind === kind);
}

/** The connector for a server kind, given what the application hands it (see ConnectorContext). */
export function connectorFor(kind: string, context: ConnectorContext = {}): Connector {
  const d = descriptorFor(kind);
  if (!d)
    throw new Error(`No connector for "${kind}". Supported: ${descriptors.map((x) => x.kind).join(', ')}.`);
  return d.create(context);
}
