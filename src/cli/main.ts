/** The `cutover` command line: a thin shell over the services. */
import { Command, Option } from 'commander';
import { CutoverError, ErrorCode } from '../errors.js';

/**
 * A command's module is loaded only when that command runs: `cutover migrate` never loads the web server,
 * the PDF writer or the mail sender, and `--help` loads none of them (start-up is most of an unchanged
 * delta pass in the one-off form).
 */
function lazy<K extends string>(
  load: () => Promise<Record<K, (...args: never[]) => unknown>>,
  name: K,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const run = (await load())[name] as (...a: unknown[]) => unknown;
    await run(...args);
  };
}
const archiveCommand = lazy(() => import('./commands/archive.js'), 'archiveCommand');
const archiveVerifyCommand = lazy(() => import('./commands/archive.js'), 'archiveVerifyCommand');
const alertsCommand = lazy(() => import('./commands/alerts.js'), 'alertsCommand');
const discoverCommand = lazy(() => import('./commands/discover.js'), 'discoverCommand');
const dnsCommand = lazy(() => import('./commands/dns.js'), 'dnsCommand');
const migrateCommand = lazy(() => import('./commands/migrate.js'), 'migrateCommand');
const migrateStoreCommand = lazy(() => import('./commands/migrate-store.js'), 'migrateStoreCommand');
const reportCommand = lazy(() => import('./commands/report.js'), 'reportCommand');
const statusCommand = lazy(() => import('./commands/report.js'), 'statusCommand');
const planCommand = lazy(() => import('./commands/plan.js'), 'planCommand');
const scanCommand = lazy(() => import('./commands/scan.js'), 'scanCommand');
const scheduleCommand = lazy(() => import('./commands/schedule.js'), 'scheduleCommand');
const serveCommand = lazy(() => import('./commands/serve.js'), 'serveCommand');
const testCommand = lazy(() => import('./commands/test.js'), 'testCommand');
const verifyCommand = lazy(() => import('./commands/verify.js'), 'verifyCommand');
const workerCommand = lazy(() => import('./commands/worker.js'), 'workerCommand');

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Flags that choose what to work on (project file or one-off URLs; `to: false` for a source-only command). */
function targetFlags(cmd: Command, { to = true } = {}): Command {
  cmd
    .option('-p, --project <file>', 'project file (YAML); default ./cutover.yaml or $CUTOVER_PROJECT')
    .option(
      '--from <url>',
      'one-off source: imap://USER:PASS@HOST:PORT, imaps://, pop3(s)://, graph://, gmail://, sieve://, dav(s)://, mbox:///PATH, file:///DIR',
    );
  if (to) cmd.option('--to <url>', 'one-off destination URL (the same forms; not pop3 or mbox)');
  cmd
    .option('--from-password-env <var>', 'read the source password from this environment variable')
    .option('--from-password-file <file>', 'read the source password from this file (first line)');
  if (to)
    cmd
      .option('--to-password-env <var>', 'read the destination password from this environment variable')
      .option('--to-password-file <file>', 'read the destination password from this file (first line)');
  return storeFlags(cmd, 'where the embedded store lives (default ./.cutover or $CUTOVER_DATA_DIR)');
}

/** Where the store is: the data directory's embedded SQLite file, or a PostgreSQL database. */
function storeFlags(cmd: Command, dataDirHelp: string): Command {
  return cmd
    .option('-d, --data-dir <dir>', dataDirHelp)
    .option(
      '--database-url <url>',
      'keep the store in PostgreSQL instead: postgres://USER:PASS@HOST:PORT/DB (default $CUTOVER_DATABASE_URL)',
    );
}

export function buildProgram(): Command {
  const program = new Command('cutover')
    .description('Move mailboxes from one mail system to another — nothing lost, nothing twice.')
    .version('0.1.0')
    .showHelpAfterError();

  targetFlags(program.command('migrate'))
    .description('copy every mailbox (starred first, then largest first); rerun for a delta pass')
    .option('-m, --mailbox <login>', 'only this mailbox (repeatable)', collect)
    .option('-n, --dry-run', 'list and decide, write nothing')
    .option(
      '--items <types>',
      "what to move, e.g. mail,filters (default: the project's item types; one-off: mail, or what both URLs carry)",
    )
    .addOption(
      new Option('--phase <phase>', 'narrow this pass to a phase of the plan').choices([
        'prestage',
        'recent',
        'delta',
        'final',
        'catchup',
      ]),
    )
    .option('--since <date>', 'one-off: only messages received on or after YYYY-MM-DD')
    .option('--before <date>', 'one-off: only messages received before YYYY-MM-DD')
    .option('--max-size <size>', 'one-off: skip messages larger than this (e.g. 25MB)')
    .option('--include <regex>', 'one-off: only folders matching (repeatable)', collect)
    .option('--exclude <regex>', 'one-off: skip folders matching (repeatable)', collect)
    .option('--folder-map <from=to>', 'one-off: rename a folder (repeatable)', collect)
    .option('--folders <n>', 'one-off: folders copied at once (default 3)')
    .option('--verify', 'at the end of the pass, read the destination back (exit 1 if it differs)')
    .option('--deep', 'with --verify: compare the content of every message too')
    .addOption(
      new Option('-f, --format <format>', 'output format of --verify')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--enqueue', 'put the pass on the shared database for `cutover worker` processes, and return')
    .option('--wait', 'as --enqueue, then follow the pass until every mailbox has ended')
    .addOption(new Option('--no-progress', 'plain log lines even on a terminal'))
    .action(migrateCommand);

  targetFlags(program.command('verify'))
    .description(
      'read the destination back and compare it with the source and the ledger: missing, other flags, extra copies; exit 1 if anything differs (with --archive: check a compliance archive instead)',
    )
    .option('-m, --mailbox <login>', 'only this mailbox (repeatable)', collect)
    .option('--deep', 'also compare content: a hash of every message on both sides')
    .option('--folders <n>', 'one-off: folders verified at once (default 3)')
    .option(
      '--archive <dir>',
      'check the compliance archive in this directory: every file re-hashed, every chain link, files added, the head',
    )
    .option('--expect-head <hash>', 'with --archive: the head `cutover archive` printed, kept elsewhere')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--no-progress', 'no progress display'))
    .action((o: { archive?: string; expectHead?: string }, ...rest: unknown[]) =>
      o.archive !== undefined ? archiveVerifyCommand(o, ...rest) : verifyCommand(o, ...rest),
    );

  targetFlags(program.command('archive'), { to: false })
    .description(
      'write everything the migration moves from its source (mail, filters) into a compliance archive with a hash chain; rerun to add what is new',
    )
    .option('--archive-dir <dir>', 'the archive directory (absolute path); one directory per mailbox in it')
    .option('-m, --mailbox <login>', 'only this mailbox (repeatable)', collect)
    .option('--items <list>', 'one-off: item types to archive (default mail), e.g. mail,filters')
    .option('--since <date>', 'one-off: only messages received on or after YYYY-MM-DD')
    .option('--before <date>', 'one-off: only messages received before YYYY-MM-DD')
    .option('--include <regex>', 'one-off: only folders matching (repeatable)', collect)
    .option('--exclude <regex>', 'one-off: skip folders matching (repeatable)', collect)
    .addOption(new Option('--no-progress', 'plain log lines even on a terminal'))
    .action(archiveCommand);

  targetFlags(program.command('test'))
    .description('log in to source and destination and report capabilities, delimiter, quota, APPENDLIMIT')
    .option(
      '--live',
      'also try, in a scratch folder of the test mailbox, what Microsoft 365 or Gmail really does with the requests Cutover relies on',
    )
    .action(testCommand);

  targetFlags(program.command('status'))
    .description('per mailbox: state, items at the source, copied, present, skipped, failed')
    .action(statusCommand);

  targetFlags(program.command('report'))
    .description('the per-mailbox, per-folder report that accounts for every source item')
    .option('-m, --mailbox <login>', 'only this mailbox (repeatable)', collect)
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'csv', 'html', 'pdf'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to this file (needed for pdf)')
    .action(reportCommand);

  targetFlags(program.command('scan'))
    .description(
      'environment scan (read-only): items, sizes, depth, dates, oversize items, names the destination cannot take, quota',
    )
    .option('-m, --mailbox <login>', 'only this mailbox (repeatable)', collect)
    .option('--new', 'start a new scan instead of resuming a stopped one')
    .option('--compare [scan]', 'show what changed since that scan (default: the last finished one)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'csv', 'xlsx'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the export to this file (needed for xlsx)')
    .addOption(new Option('--no-progress', 'no progress display'))
    .action(scanCommand);

  targetFlags(program.command('plan'))
    .description(
      'the cutover plan: order summary, estimate, suggested date, warnings; exportable per mailbox',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'csv', 'xlsx'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the export to this file (needed for xlsx)')
    .action(planCommand);

  targetFlags(program.command('schedule'))
    .description(
      "the plan's phases (pre-stage, nightly deltas, final sync at cutover, catch-ups); --run runs them when due",
    )
    .option('--run', 'stay in the foreground and run each phase when it is due')
    .option('--once', 'with --run: run what is due now, then exit (for cron)')
    .addOption(new Option('--no-progress', 'plain log lines even on a terminal'))
    .action(scheduleCommand);

  targetFlags(program.command('dns'))
    .description(
      "DNS at cutover for the plan's domains: records now, records needed, the changes — self-service steps, a zone file, or a signed dynamic update",
    )
    .option(
      '--server <host:port>',
      'ask this name server (default: plan.dnsServer, else the system resolver)',
    )
    .option(
      '--zone-dir <dir>',
      'write a hand-over zone file per domain here (plan.dns: zone writes one anyway)',
    )
    .option(
      '--apply',
      'send the changes as RFC 2136 updates signed with the plan TSIG key (plan.dns: dynamic)',
    )
    .option('--check', 'poll until the changes are visible; raise an alert if they are not')
    .option('--timeout <seconds>', 'how long --check waits (default 5 s, 60 s after --apply)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(dnsCommand);

  program
    .command('migrate-store')
    .description(
      'move an embedded store (a data directory) with its projects and ledgers into an empty PostgreSQL database',
    )
    .requiredOption('--from <dir>', 'the data directory holding cutover.sqlite')
    .requiredOption('--to <url>', 'the database: postgres://USER:PASS@HOST:PORT/DB')
    .action(migrateStoreCommand);

  program
    .command('discover')
    .description(
      'list the source mailboxes (Microsoft 365, Google Workspace) as a mailboxes CSV, destination logins through the plan address replacements',
    )
    .requiredOption('-p, --project <file>', 'project file (the source and its admin login)')
    .option('-o, --output <file>', 'write the CSV (or JSON) here instead of standard output')
    .option('--include-suspended', 'also suspended or archived accounts')
    .option('--only-new', 'leave out mailboxes the project already has')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .action(discoverCommand);

  const alerts = program
    .command('alerts')
    .description(
      'what needs a person: quota too small, oversize items, renamed folders, failed scans, DNS not ready',
    )
    .option('-p, --project <file>', 'project file (for its data directory)');
  storeFlags(alerts, 'where the embedded store lives')
    .option('--all', 'also completed and archived alerts')
    .option('--complete <id>', 'mark an alert completed (the situation is resolved)')
    .option('--archive <id>', 'archive an alert (ignore it)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(alertsCommand);

  const serve = program
    .command('serve')
    .description(
      'the web UI and its HTTP API on the embedded store (API reference at /api/docs); the quick start',
    )
    .option('-p, --project <file>', 'project file (for its data directory)');
  storeFlags(serve, 'where the embedded store lives')
    .option('--port <port>', 'TCP port to listen on', '8080')
    .option('--host <host>', 'address to listen on (only this machine by default)', '127.0.0.1')
    .option(
      '--public-url <url>',
      'the address people open, e.g. https://migrate.example.com: the only host answered, the base of links (default $CUTOVER_PUBLIC_URL)',
    )
    .option(
      '--trust-proxy <addr,...>',
      'reverse proxies whose X-Forwarded-For/-Proto are believed: IPs, CIDR ranges or loopback (default $CUTOVER_TRUST_PROXY)',
    )
    .action(serveCommand);

  storeFlags(
    program
      .command('worker')
      .description(
        'take mailbox jobs of the passes queued on the shared PostgreSQL database until stopped (SIGTERM hands running mailboxes back)',
      )
      .option('--concurrency <n>', 'mailboxes this worker runs at once', '4'),
    'where the secret key and token caches live (default ./.cutover or $CUTOVER_DATA_DIR)',
  ).action(workerCommand);

  return program;
}

/** Print an error for a person and choose the exit code. */
export function fail(err: unknown): never {
  if (err instanceof CutoverError) {
    process.stderr.write(`cutover: ${err.describe()}\n`);
    process.exit(err.code === ErrorCode.ConfigInvalid || err.code === ErrorCode.UrlInvalid ? 2 : 1);
  }
  process.stderr.write(
    `cutover: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}

buildProgram().parseAsync(process.argv).catch(fail);
