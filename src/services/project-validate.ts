/**
 * Checks a project's API input with the project file's own reader (src/config/project-file.ts), so the API
 * and `--project FILE` accept exactly the same servers, folder rules and plans. The input is written as a
 * project-file document (JSON is YAML) with placeholders for secrets, which the caller stores sealed.
 */
import { parseProjectFile } from '../config/project-file.js';
import type { PlanConfig } from '../config/plan.js';
import type { FolderRules, ServerSpec } from '../config/types.js';
import { descriptors } from '../connectors/registry.js';
import { InvalidInputError } from '../errors.js';
import type { ServerIn } from '../schemas/projects.js';

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

/** The server the project file reader makes of `s` (defaults filled in); secrets are placeholders. */
export function validateServer(side: 'source' | 'destination', s: ServerIn): ServerSpec {
  const blocks = s as unknown as Record<string, Record<string, unknown> | null | undefined>;
  const server = drop({
    kind: s.kind,
    host: s.host,
    port: s.port,
    tls: s.tls,
    allowInvalidCertificates: s.allowInvalidCertificates,
    maxConnections: s.maxConnections,
    testMailbox: s.testMailbox,
    admin: s.admin ? { user: s.admin.user, mode: s.admin.mode, password: PLACEHOLDER } : undefined,
    // The CalDAV/CardDAV server beside it, as the project file names it (dav: { url }).
    ...(s.groupwareUrl ? { dav: { url: s.groupwareUrl } } : {}),
    // Each kind's settings block, in the project file's words (its descriptor says how).
    ...Object.fromEntries(
      descriptors.flatMap((d) => {
        const block = d.settingsKey && blocks[d.settingsKey];
        return block && d.settingsKey
          ? [[d.settingsKey, drop(d.settingsToFile?.(block, PLACEHOLDER) ?? block)]]
          : [];
      }),
    ),
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
