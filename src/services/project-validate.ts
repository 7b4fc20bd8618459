/**
 * Checks a project's API input with the project file's own reader (src/config/project-file.ts), so the API
 * and `--project FILE` accept exactly the same servers, folder rules and plans. The input is written as a
 * project-file document (JSON is YAML) with placeholders for secrets, which the caller stores sealed.
 */
import { parseProjectFile } from '../config/project-file.js';
import type { PlanConfig } from '../config/plan.js';
import type { FolderRules, ServerSpec } from '../config/types.js';
import { InvalidInputError } from '../errors.js';

/** A secret the reader accepts; the caller replaces it with the stored (sealed) one. */
const PLACEHOLDER = 'placeholder-secret';
/** The other side when one server is checked alone. */
const OTHER = { host: 'placeholder.invalid' };

const drop = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

function parse(doc: Record<string, unknown>) {
  const { config, problems } = parseProjectFile(JSON.stringify(drop(doc)), 'api', () => '');
  if (!config || problems.length > 0)
    throw new InvalidInputError(
      problems.map((p) => p.message).join('; ') || 'The settings are not valid.',
      problems[0]?.hint ?? 'Correct the settings and save again.',
    );
  return config;
}

/** A server as the API takes it, in the project file's words. */
export interface ServerInput {
  kind?: string;
  host?: string;
  port?: number;
  tls?: string;
  allowInvalidCertificates?: boolean;
  maxConnections?: number;
  testMailbox?: string;
  admin?: { user: string; mode: string } | null;
  graph?: {
    tenantId: string;
    baseUrl?: string;
    authorityHost?: string;
    maxMessageBytes?: number;
    writePath?: string;
    imapHost?: string;
    imapPort?: number;
    requestBudget?: number;
    uploadBudgetMB?: number;
  } | null;
  gmail?: {
    oauthClient?: { id: string } | null;
    apiUrl?: string;
    tokenUrl?: string;
    authUrl?: string;
    directoryUrl?: string;
    quotaUnitsPerSecond?: number;
    maxMessageBytes?: number;
  } | null;
}

/** The server the project file reader makes of `s` (defaults filled in); secrets are placeholders. */
export function validateServer(side: 'source' | 'destination', s: ServerInput): ServerSpec {
  const { maxMessageBytes: graphMax, ...graph } = s.graph ?? { tenantId: '' };
  const { maxMessageBytes: gmailMax, oauthClient, ...gmail } = s.gmail ?? {};
  const server = drop({
    kind: s.kind,
    host: s.host,
    port: s.port,
    tls: s.tls,
    allowInvalidCertificates: s.allowInvalidCertificates,
    maxConnections: s.maxConnections,
    testMailbox: s.testMailbox,
    admin: s.admin ? { user: s.admin.user, mode: s.admin.mode, password: PLACEHOLDER } : undefined,
    graph: s.graph ? drop({ ...graph, maxMessageSize: graphMax }) : undefined,
    gmail: s.gmail
      ? drop({
          ...gmail,
          maxMessageSize: gmailMax,
          oauthClient: oauthClient ? { id: oauthClient.id, secret: PLACEHOLDER } : undefined,
        })
      : undefined,
  });
  const config = parse(
    side === 'source' ? { source: server, destination: OTHER } : { source: OTHER, destination: server },
  );
  return config[side];
}

/** Folder renames as the API takes them (include/exclude live in the defaults). */
export interface FolderInput {
  map?: Array<{ from: string; to: string }>;
  regex?: Array<{ pattern: string; replacement: string }>;
  include?: string[];
  exclude?: string[];
}

/** Folder rules and plan read as the project file reads them; the plan's DNS key is a placeholder. */
export function validatePlanAndFolders(
  folders: FolderInput,
  plan: Record<string, unknown> | undefined,
  timezone: string,
): { folders: FolderRules; plan: PlanConfig } {
  const p: Record<string, unknown> = plan ? { ...drop(plan), timezone } : { timezone };
  const server = p.dnsServer as Record<string, unknown> | undefined;
  if (server) p.dnsServer = drop({ ...server, keySecret: server.keySecret ? PLACEHOLDER : undefined });
  const config = parse({
    source: OTHER,
    destination: OTHER,
    defaults: { folders: drop({ ...folders }) },
    plan: p,
  });
  return { folders: config.defaults.folders, plan: config.plan! };
}
