/**
 * "Test connection" for one side of a stored project, as `cutover test` does it: the admin login (when it
 * logs in on its own) and a normal mailbox (the test mailbox, else the project's first), each reported
 * with what the server offers or why the login failed, in plain words.
 */
import type { AuthSpec, ServerSpec } from '../config/types.js';
import type { ConnectionReport, ConnectorContext } from '../connectors/contract.js';
import { connectorFor } from '../connectors/registry.js';
import { asCutoverError } from '../errors.js';
import type { ConnectionTest } from '../schemas/projects.js';
import { authFor } from './migration-service.js';
import type { ProjectService } from './project-service.js';

/**
 * Logs in and reports; throws the connector's typed error when it cannot. `context` is what a stored
 * login's connector needs (a consent's refresh token the provider rotates is sealed again in its place).
 */
export type LoginProbe = (
  server: ServerSpec,
  auth: AuthSpec,
  signal?: AbortSignal,
  context?: ConnectorContext,
) => Promise<ConnectionReport>;

const realProbe: LoginProbe = (server, auth, signal, context) =>
  connectorFor(server.kind, context).testLogin(server, auth, signal);

/** A connection test gives up after this long (an unreachable host must not hang the button). */
const TIMEOUT_MS = 30_000;

/**
 * One login with the connection test's time limit: what the server offers, or the connector's typed error.
 * `cutover test` logs in through this too, so the CLI and the API give up at the same point.
 */
export function probeLogin(
  server: ServerSpec,
  auth: AuthSpec,
  probe: LoginProbe = realProbe,
  context?: ConnectorContext,
): Promise<ConnectionReport> {
  return probe(server, auth, AbortSignal.timeout(TIMEOUT_MS), context);
}

type Check = ConnectionTest['checks'][number];

export class ConnectionTestService {
  constructor(
    private readonly deps: {
      projects: ProjectService;
      /** The project's first mailbox (source and destination login), when it has one. */
      firstMailbox: (
        projectId: number,
      ) => Promise<{ id: number; sourceUser: string; destUser: string } | undefined>;
      /**
       * A password or consent its user handed over (credential portal), for a mailbox without an admin
       * login, with what its connector needs; `done` is called once the login test is over.
       */
      storedAuth?: (
        mailboxId: number,
        side: 'source' | 'destination',
        user: string,
      ) => Promise<{ auth?: AuthSpec; context: ConnectorContext; done(): void }>;
      probe?: LoginProbe;
    },
  ) {}

  async test(projectId: number, side: 'source' | 'destination'): Promise<ConnectionTest> {
    const project = await this.deps.projects.runtime(projectId);
    const server = project[side];
    const logins: Array<[string, AuthSpec | Error, ConnectorContext?]> = [];
    const finish: Array<() => void> = [];
    // A master login is proven by acting for the test mailbox below; it cannot log in on its own.
    if (server.admin?.mode === 'password')
      logins.push([
        `${side} admin ${server.admin.user}`,
        { kind: 'password', user: server.admin.user, password: server.admin.password },
      ]);
    const first = await this.deps.firstMailbox(projectId);
    const name = server.testMailbox ?? (side === 'source' ? first?.sourceUser : first?.destUser);
    if (name) {
      try {
        const own =
          first && !server.testMailbox ? await this.deps.storedAuth?.(first.id, side, name) : undefined;
        if (own) finish.push(() => own.done());
        logins.push([`${side} mailbox ${name}`, authFor(server, name, own?.auth, side), own?.context]);
      } catch (err) {
        logins.push([`${side} mailbox ${name}`, err as Error]);
      }
    }
    if (!logins.length)
      logins.push([
        `${side}`,
        new Error(
          'Nothing to log in with: no admin login in password mode, no test mailbox and no mailboxes yet.',
        ),
      ]);
    const checks: Check[] = [];
    try {
      for (const [label, auth, context] of logins)
        checks.push(await this.check(label, server, auth, context));
    } finally {
      for (const done of finish) done();
    }
    return { side, ok: checks.every((c) => c.ok), checks };
  }

  private async check(
    label: string,
    server: ServerSpec,
    auth: AuthSpec | Error,
    context?: ConnectorContext,
  ): Promise<Check> {
    const empty = { capabilities: [], folders: null, delimiter: null, appendLimit: null, quota: null };
    try {
      if (auth instanceof Error) throw auth;
      const r = await probeLogin(server, auth, this.deps.probe, context);
      return {
        label,
        ok: true,
        capabilities: r.capabilities,
        folders: r.folders ?? null,
        delimiter: r.delimiter ?? null,
        appendLimit: r.appendLimit ?? null,
        quota: r.quota
          ? { usedBytes: r.quota.usedBytes ?? null, limitBytes: r.quota.limitBytes ?? null }
          : null,
        error: null,
      };
    } catch (err) {
      const e = asCutoverError(err);
      return {
        label,
        ok: false,
        ...empty,
        error: { code: e.code, message: e.message, hint: e.hint ?? null },
      };
    }
  }
}
