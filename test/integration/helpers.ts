/** Shared set-up for integration tests: a Dovecot pair, one-off projects, running the engine and the CLI. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectConfig } from '../../src/config/types.js';
import { resolveTarget } from '../../src/cli/context.js';
import { silentProgress, type ProgressSink } from '../../src/engine/progress.js';
import { runMigration, type MailboxOutcome } from '../../src/services/migration-service.js';
import { buildReport, type MailboxReport } from '../../src/services/report-service.js';
import { runVerification, type VerifyOutcome } from '../../src/services/verify-service.js';
import { openStore } from '../../src/store/db.js';
import { listAll, type DovecotServer } from '../harness/dovecot.js';

/** The CLI as users run it: bin/cutover.js → the bundle `npm test` builds first (dist/cutover.mjs). */
export const CLI = path.resolve('bin/cutover.js');

/** A fresh data directory. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-data-'));
}

/** imap:// URL for a user on a test server. */
export function url(server: DovecotServer, user: string, password: string): string {
  return `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${server.imapPort}`;
}

/** A one-off project between two test mailboxes, as `cutover migrate --from --to` builds it. */
export function oneOff(
  src: DovecotServer,
  su: string,
  sp: string,
  dst: DovecotServer,
  du: string,
  dp: string,
  extra: Record<string, unknown> = {},
): ProjectConfig {
  return resolveTarget({ from: url(src, su, sp), to: url(dst, du, dp), ...extra }).project;
}

/**
 * Run one pass in-process and return outcomes and reports. With `verify`, read the destination back at the
 * end as `migrate --verify` does (the reports then say "reconciles" only if it matched).
 */
export async function migrate(
  dataDir: string,
  project: ProjectConfig,
  opts: { dryRun?: boolean; progress?: ProgressSink; signal?: AbortSignal; verify?: boolean } = {},
): Promise<{ outcomes: MailboxOutcome[]; reports: MailboxReport[]; verified: VerifyOutcome[] }> {
  const store = await openStore(dataDir);
  try {
    const outcomes = await runMigration(store, project, {
      progress: opts.progress ?? silentProgress,
      dryRun: opts.dryRun,
      signal: opts.signal,
    });
    const verified = opts.verify
      ? await runVerification(store, project, { progress: opts.progress ?? silentProgress })
      : [];
    return { outcomes, reports: await buildReport(store), verified };
  } finally {
    await store.close();
  }
}

/** Run the built CLI; resolves with exit code and output (never rejects on a non-zero exit). */
export function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Folder → sorted list of "sha256 flags internalDate" for every message; folder paths normalised to '/'. */
export async function snapshot(
  server: DovecotServer,
  user: string,
  password: string,
  opts: { withFlags?: boolean } = {},
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const f of await listAll(server, user, password)) {
    const key = f.path.split(server.delimiter).join('/');
    out[key] = f.messages
      .map((m) =>
        [
          m.sha256,
          opts.withFlags === false
            ? ''
            : m.flags
                .filter((x) => x !== '\\Recent')
                .sort()
                .join(' '),
          m.internalDate.toISOString(),
        ].join('|'),
      )
      .sort();
  }
  return out;
}
