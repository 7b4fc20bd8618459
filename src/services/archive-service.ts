/**
 * `cutover archive`: everything a migration moves from its source, written into a compliance archive
 * directory (layout in archive-layout.ts, docs/archive.md). Mail goes through an ordinary pass with the file
 * connector as the destination — ledger, delta and `.eml` + manifest as for any migration — one mailbox
 * after another, each in DIR/<mailbox>/mail; filters through the source's filters endpoint. After each
 * mailbox, what it added is chained (archive-seal.ts) and the head written, so a stopped run keeps what it
 * archived.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ItemType, MailboxSpec, ProjectConfig } from '../config/types.js';
import { parseServerUrl } from '../config/server-url.js';
import { connectorFor } from '../connectors/registry.js';
import type { ProgressSink } from '../engine/progress.js';
import { asCutoverError } from '../errors.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { appendChain, writeHead } from './archive-chain.js';
import { archiveFilters, type FiltersArchived } from './archive-filters.js';
import { FILTERS_DIR, MAIL_DIR, mailboxDirName } from './archive-layout.js';
import { openArchive } from './archive-open.js';
import { sealMailbox } from './archive-seal.js';
import { loadStoredAuths, type StoredAuths } from './credential-auth.js';
import { authFor, type MailboxOutcome } from './mailbox-endpoints.js';
import { registerMailboxes, runMigration } from './migration-service.js';

/** What to archive and how. */
export interface ArchiveOptions {
  /** The archive directory (absolute). */
  dir: string;
  /** Only these mailboxes (source logins). */
  only?: string[];
  progress: ProgressSink;
  signal?: AbortSignal;
  /** The clock (tests). */
  now?: () => Date;
}

/** What a run did for one mailbox. */
export interface MailboxArchived {
  mailbox: string;
  /** Its directory, relative to the archive directory. */
  dir: string;
  mail?: MailboxOutcome;
  filters?: FiltersArchived;
  /** Why filters could not be archived, when they were asked for and could not be. */
  filtersError?: string;
  /** Item types asked for that this version cannot archive, with why. */
  notArchived: Array<{ item: ItemType; reason: string }>;
  /** Chain lines this run added for it. */
  added: number;
}

/** What a run did. */
export interface ArchiveResult {
  dir: string;
  mailboxes: MailboxArchived[];
  /** The chain's head after the run, and its length. */
  head: string;
  lines: number;
  warnings: string[];
  /** True when the run was stopped before every mailbox was archived. */
  stopped: boolean;
}

/** Where the archive keeps its own ledger: beside the project's store, one per archive directory. */
export function archiveDataDir(dataDir: string, archiveDir: string): string {
  const id = createHash('sha256').update(path.resolve(archiveDir)).digest('hex').slice(0, 16);
  return path.join(dataDir, 'archives', id);
}

/**
 * The mailbox's options for the archive: what the migration moves (item types, dates, size cap, included and
 * excluded folders), with folders under their source names (the migration's renames are for its destination).
 */
const archiveOptions = (o: MailboxSpec['options']): MailboxSpec['options'] => ({
  ...o,
  folders: { ...o.folders, map: [], regex: [] },
});

/** Groupware is not archived yet: the seam where its connectors will plug in. */
const GROUPWARE: readonly ItemType[] = ['contacts', 'calendars', 'tasks'];

/**
 * Archive the project's mailboxes (or those named) into `opts.dir`. `archiveStore` keeps the archive's ledger
 * (archiveDataDir); `projectStore`, when there is one, the logins users handed over for the migration.
 */
export async function runArchive(
  archiveStore: Store,
  projectStore: Store | undefined,
  project: ProjectConfig,
  opts: ArchiveOptions,
): Promise<ArchiveResult> {
  const now = opts.now ?? (() => new Date());
  const { tail, warnings } = await openArchive(opts.dir);
  // The migration's own rows (project form), where the logins users handed over are kept.
  const selected = projectStore
    ? await registerMailboxes(new MailboxRepo(projectStore.db), project, opts.only)
    : project.mailboxes.map((spec) => ({ id: -1, spec }));
  const borrowed = projectStore
    ? await loadStoredAuths(
        projectStore,
        selected.map((e) => e.id),
      )
    : undefined;
  const results: MailboxArchived[] = [];
  try {
    for (const { id: migrationId, spec } of selected) {
      if (opts.signal?.aborted) break;
      const dirName = mailboxDirName(spec.sourceUser);
      const done: MailboxArchived = { mailbox: spec.sourceUser, dir: dirName, notArchived: [], added: 0 };
      results.push(done);
      const items = spec.options.itemTypes;
      const sourceAuth = spec.sourceAuth ?? borrowed?.auth(migrationId, 'source', spec.sourceUser);
      if (items.includes('mail')) {
        const mailDir = path.join(opts.dir, dirName, MAIL_DIR);
        const target = parseServerUrl(pathToFileURL(mailDir).href);
        const one: ProjectConfig = {
          ...project,
          destination: target.server,
          mailboxes: [
            {
              ...spec,
              destUser: target.auth.user,
              destAuth: target.auth,
              options: archiveOptions(spec.options),
            },
          ],
          concurrency: { ...project.concurrency, mailboxes: 1 },
        };
        const [entry] = await registerMailboxes(new MailboxRepo(archiveStore.db), one);
        const [outcome] = await runMigration(archiveStore, one, {
          progress: opts.progress,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(borrowed ? { stored: borrowedFor(borrowed, entry!.id, migrationId) } : {}),
        });
        done.mail = outcome;
      }
      if (items.includes('filters') && !opts.signal?.aborted) {
        const connector = connectorFor(project.source.kind, borrowed?.connectors ?? {});
        if (!connector.openFilters)
          done.notArchived.push({
            item: 'filters',
            reason: `${project.source.kind} sources have no filters Cutover can read`,
          });
        else
          try {
            const auth = authFor(project.source, spec.sourceUser, sourceAuth, 'source');
            const endpoint = await connector.openFilters(project.source, auth, opts.signal);
            try {
              done.filters = await archiveFilters(
                endpoint,
                path.join(opts.dir, dirName, FILTERS_DIR),
                now(),
                opts.signal,
              );
            } finally {
              await endpoint.close().catch(() => undefined);
            }
          } catch (err) {
            done.filtersError = asCutoverError(err).describe();
          }
      }
      for (const item of items.filter((i) => GROUPWARE.includes(i)))
        done.notArchived.push({ item, reason: 'groupware cannot be archived yet' });
      const lines = await sealMailbox(opts.dir, dirName, spec.sourceUser, tail, now());
      await appendChain(opts.dir, lines);
      done.added = lines.length;
      if (lines.length) await writeHead(opts.dir, tail.head);
    }
  } finally {
    borrowed?.close();
  }
  await writeHead(opts.dir, tail.head);
  return {
    dir: opts.dir,
    mailboxes: results,
    head: tail.head,
    lines: tail.n,
    warnings,
    stopped: results.length < selected.length || Boolean(opts.signal?.aborted),
  };
}

/**
 * The migration's stored source login of one mailbox, lent to the archive's pass of it (whose mailbox id in
 * the archive's store differs): destination logins are the file connector's and need none.
 */
function borrowedFor(from: StoredAuths, archiveId: number, migrationId: number): StoredAuths {
  return {
    auth: (id, side, user) =>
      id === archiveId && side === 'source' ? from.auth(migrationId, side, user) : undefined,
    rejected: async (id, servers) =>
      id === archiveId ? (await from.rejected(migrationId, servers)).filter((s) => s === 'source') : [],
    worked: async (id) => (id === archiveId ? from.worked(migrationId) : undefined),
    connectors: from.connectors,
    close: () => undefined,
  };
}
