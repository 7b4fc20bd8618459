/** The server form's state: one server (source or destination) as the form holds it. */
import type { BodyOf } from '../api/client.js';
import type { Project } from '../project-context.js';

export type ServerIn = BodyOf<'POST /api/projects'>['source'];
export type ServerOut = Project['source'];

/** A server as the form holds it: every field a string or a flag. */
export interface ServerForm {
  kind: ServerOut['kind'];
  host: string;
  port: string;
  tls: 'tls' | 'starttls' | 'none';
  allowInvalidCertificates: boolean;
  maxConnections: string;
  testMailbox: string;
  adminMode: 'none' | 'master' | 'password';
  adminUser: string;
  /** Empty: keep the stored password (when one is set). */
  password: string;
  passwordSet: boolean;
  /** kind|host|port|user the stored password belongs to: it is kept only while these stay the same. */
  storedFor: string;
  /** The CalDAV/CardDAV server beside a mail server (contacts, calendars, tasks); empty = none. */
  groupwareUrl: string;
  /** IMAP: the ManageSieve port of the same host (imap.sievePort), for moving filters; empty = none. */
  sievePort: string;
  /** Microsoft 365: the directory (tenant) id or domain. */
  tenantId: string;
  /** Microsoft 365 destination: how messages are written (graph.writePath), and Exchange's IMAP endpoint. */
  writePath: 'json' | 'imap' | 'auto';
  imapHost: string;
  imapPort: string;
  /** Microsoft 365: the per-mailbox budgets; empty = Graph's documented limits. */
  requestBudget: string;
  uploadBudgetMB: string;
  /** The stored Graph/Gmail options the form does not show, sent back unchanged (secrets stay stored). */
  graphExtra: Omit<NonNullable<ServerOut['graph']>, 'tenantId' | GraphShown>;
  gmailExtra: NonNullable<ServerIn['gmail']>;
}

type GraphShown = 'writePath' | 'imapHost' | 'imapPort' | 'requestBudget' | 'uploadBudgetMB';
