/** Where one Microsoft 365 mailbox is and how to reach it, resolved from the project's server and login. */
import type { AuthSpec, GraphWritePath, ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import { GRAPH_BUDGET, type BudgetLimits } from './graph-budget.js';

/** Microsoft Graph v1.0. */
export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
/** Entra ID (global cloud). */
export const AUTHORITY_HOST = 'https://login.microsoftonline.com';
/** Exchange Online's default message size limit (tenants may raise it to 150 MB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 35 * 1024 * 1024;
/** Exchange Online's IMAP endpoint (implicit TLS). */
export const EXCHANGE_IMAP_HOST = 'outlook.office365.com';
export const EXCHANGE_IMAP_PORT = 993;

/** One mailbox on one tenant. */
export interface GraphTarget {
  baseUrl: string;
  authorityHost: string;
  tenantId: string;
  /** The mailbox (UPN or object id). */
  user: string;
  /** Accept a self-signed certificate (test labs only). */
  insecure: boolean;
  maxMessageBytes: number;
  /** "graph:tenant/user", for messages. */
  where: string;
  /** Identity of the mailbox for its concurrency limit (same for every connection to it). */
  mailboxKey: string;
  /** How messages are written (graph.writePath). */
  writePath: GraphWritePath;
  /** Exchange Online's IMAP endpoint for the imap/auto write paths. */
  imap: { host: string; port: number };
  /** The mailbox's request and upload budgets (graph-budget.ts). */
  budget: BudgetLimits;
}

/** Resolve a server spec (kind: graph) and a login into a target. */
export function graphTarget(server: ServerSpec, auth: AuthSpec): GraphTarget {
  const g = server.graph;
  if (!g?.tenantId)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'A Microsoft 365 server needs its tenant id (graph.tenantId).',
      'Add graph: { tenantId: <directory id or domain> } to the server in the project file.',
    );
  const baseUrl = (g.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, '');
  return {
    baseUrl,
    authorityHost: (g.authorityHost ?? AUTHORITY_HOST).replace(/\/+$/, ''),
    tenantId: g.tenantId,
    user: auth.user,
    insecure: server.allowInvalidCertificates,
    maxMessageBytes: g.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    where: `graph:${g.tenantId}/${auth.user}`,
    mailboxKey: `${baseUrl}|${g.tenantId}|${auth.user.toLowerCase()}`,
    writePath: g.writePath ?? 'json',
    imap: { host: g.imapHost ?? EXCHANGE_IMAP_HOST, port: g.imapPort ?? EXCHANGE_IMAP_PORT },
    budget: budgetLimits(server),
  };
}

/** The per-mailbox budgets of a server: Graph's documented ones, or lower ones from the project. */
export function budgetLimits(server: ServerSpec): BudgetLimits {
  const g = server.graph;
  return {
    ...GRAPH_BUDGET,
    ...(g?.requestBudget ? { requests: g.requestBudget } : {}),
    ...(g?.uploadBudgetMB ? { uploadBytes: g.uploadBudgetMB * 1_000_000 } : {}),
  };
}

/** The `/users/{id}` prefix of every mailbox path. */
export const userPath = (t: GraphTarget) => `/users/${encodeURIComponent(t.user)}`;
