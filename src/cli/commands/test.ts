/**
 * `cutover test`: log in to both sides (admin and the named test mailbox) and say what the servers offer.
 * With `--live`, also run the connector's live conformance checks on the test mailbox (Microsoft 365 and
 * Gmail: what the service really does with the requests Cutover relies on), printing each outcome.
 * Each login goes through the connection test service's probe (its time limit), as the API's button does.
 */
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { connectorFor } from '../../connectors/registry.js';
import { asCutoverError } from '../../errors.js';
import { probeLogin } from '../../services/connection-test-service.js';
import { authFor } from '../../services/migration-service.js';
import { resolveTarget, type TargetOptions } from '../context.js';

const MARK = { ok: '✓', differs: '≠', failed: '✗', skipped: '–' } as const;

/** The live checks of one side; false when one failed or the service differs from what Cutover assumes. */
async function live(label: string, server: ServerSpec, auth: AuthSpec): Promise<boolean> {
  const connector = connectorFor(server.kind);
  if (!connector.liveChecks) {
    process.stdout.write(`– ${label}: no live checks for ${server.kind} (the login test above is all)\n`);
    return true;
  }
  process.stdout.write(`${label}: live checks in a scratch folder of ${auth.user} (removed afterwards)\n`);
  try {
    const results = await connector.liveChecks(server, auth);
    for (const r of results)
      process.stdout.write(`  ${MARK[r.outcome]} ${r.name}: ${r.detail.replace(/\n/g, '\n      ')}\n`);
    return results.every((r) => r.outcome === 'ok' || r.outcome === 'skipped');
  } catch (err) {
    process.stdout.write(`  ✗ ${asCutoverError(err).describe().replace(/\n/g, '\n    ')}\n`);
    return false;
  }
}

async function check(label: string, server: ServerSpec, auth: AuthSpec): Promise<boolean> {
  const who =
    auth.kind === 'master' ? `${auth.user}, logged in by master user ${auth.masterUser}` : auth.user;
  // A kind that names a local path (mbox://, file://) has no host: the path is the whole answer.
  const where = `${label}: ${who}${server.host ? ` @ ${server.host}:${server.port} (${server.tls})` : ''}`;
  try {
    const r = await probeLogin(server, auth);
    process.stdout.write(`✓ ${where}\n`);
    process.stdout.write(
      `    delimiter "${r.delimiter}"${r.namespace !== undefined ? `  namespace "${r.namespace}"` : ''}  folders ${r.folders}\n`,
    );
    process.stdout.write(
      `    APPENDLIMIT ${r.appendLimit ?? 'not advertised'}  quota ${r.quota ? `${r.quota.usedBytes ?? '?'} of ${r.quota.limitBytes ?? '?'} bytes used` : 'not reported'}\n`,
    );
    process.stdout.write(`    capabilities: ${r.capabilities.join(' ')}\n`);
    return true;
  } catch (err) {
    process.stdout.write(`✗ ${where}\n    ${asCutoverError(err).describe().replace(/\n/g, '\n    ')}\n`);
    return false;
  }
}

export async function testCommand(o: TargetOptions & { live?: boolean }): Promise<void> {
  const { project } = resolveTarget(o);
  // [label, server, login, whether it is a mailbox login (where live checks run)]
  const checks: Array<[string, ServerSpec, AuthSpec, boolean]> = [];
  for (const [side, server] of [
    ['source', project.source],
    ['destination', project.destination],
  ] as const) {
    // A master login is proven by acting for the test mailbox below; it cannot log in on its own.
    if (server.admin?.mode === 'password')
      checks.push([
        `${side} admin`,
        server,
        { kind: 'password', user: server.admin.user, password: server.admin.password },
        false,
      ]);
    const name =
      server.testMailbox ??
      (side === 'source' ? project.mailboxes[0]?.sourceUser : project.mailboxes[0]?.destUser);
    const spec = project.mailboxes.find((m) => (side === 'source' ? m.sourceUser : m.destUser) === name);
    if (name) {
      try {
        checks.push([
          `${side} mailbox`,
          server,
          authFor(server, name, side === 'source' ? spec?.sourceAuth : spec?.destAuth, side),
          true,
        ]);
      } catch (err) {
        process.stdout.write(`✗ ${side} mailbox ${name}: ${asCutoverError(err).describe()}\n`);
        process.exitCode = 1;
      }
    }
  }
  for (const [label, server, auth] of checks) if (!(await check(label, server, auth))) process.exitCode = 1;
  if (o.live)
    for (const [label, server, auth, mailbox] of checks)
      if (mailbox && !(await live(label, server, auth))) process.exitCode = 1;
}
