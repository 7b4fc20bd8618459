/** The fields of one server (source or destination) and their conversion to and from the API's shape. */
import { useConnectors, type Connector } from '../api/connectors.js';
import { CloudFields, PasswordField } from './cloud-fields.js';
import { GraphFields, graphWriteIn } from './graph-fields.js';
import type { ServerForm, ServerIn, ServerOut } from './server-form.js';

/** A hosted system (Microsoft 365, Google Workspace) is reached over its API: no host, port or TLS to choose. */
export const isCloud = (c: Connector | undefined) => c?.hosted ?? false;

const identity = (f: Pick<ServerForm, 'kind' | 'host' | 'port' | 'adminUser'>) =>
  [f.kind, f.host.trim().toLowerCase(), f.port.trim(), f.adminUser.trim()].join('|');

const defaultPort = (c: Connector | undefined, tls: ServerForm['tls']) =>
  c ? String(c.defaultPorts[tls]) : '';

/** An empty IMAP server with TLS. */
export function emptyServer(): ServerForm {
  return {
    kind: 'imap',
    host: '',
    port: '993',
    tls: 'tls',
    allowInvalidCertificates: false,
    maxConnections: '10',
    testMailbox: '',
    adminMode: 'none',
    adminUser: '',
    password: '',
    passwordSet: false,
    storedFor: '',
    sievePort: '',
    groupwareUrl: '',
    tenantId: '',
    writePath: 'json',
    imapHost: '',
    imapPort: '',
    requestBudget: '',
    uploadBudgetMB: '',
    graphExtra: {},
    gmailExtra: {},
  };
}

/** The form of a stored server. */
export function serverForm(s: ServerOut): ServerForm {
  return {
    kind: s.kind,
    host: s.host,
    port: String(s.port),
    tls: s.tls,
    allowInvalidCertificates: s.allowInvalidCertificates,
    maxConnections: String(s.maxConnections),
    testMailbox: s.testMailbox ?? '',
    adminMode: s.admin ? s.admin.mode : 'none',
    adminUser: s.admin?.user ?? '',
    password: '',
    passwordSet: s.admin?.passwordSet ?? false,
    storedFor: identity({ kind: s.kind, host: s.host, port: String(s.port), adminUser: s.admin?.user ?? '' }),
    sievePort: s.imap?.sievePort ? String(s.imap.sievePort) : '',
    groupwareUrl: s.groupwareUrl ?? '',
    tenantId: s.graph?.tenantId ?? '',
    writePath: s.graph?.writePath ?? 'json',
    imapHost: s.graph?.imapHost ?? '',
    imapPort: s.graph?.imapPort ? String(s.graph.imapPort) : '',
    requestBudget: s.graph?.requestBudget ? String(s.graph.requestBudget) : '',
    uploadBudgetMB: s.graph?.uploadBudgetMB ? String(s.graph.uploadBudgetMB) : '',
    graphExtra: s.graph
      ? (({
          tenantId: _t,
          writePath: _w,
          imapHost: _h,
          imapPort: _p,
          requestBudget: _r,
          uploadBudgetMB: _u,
          ...rest
        }) => rest)(s.graph)
      : {},
    gmailExtra: s.gmail
      ? { ...s.gmail, oauthClient: s.gmail.oauthClient ? { id: s.gmail.oauthClient.id } : null }
      : {},
  };
}

/** The API's shape for side `side`; an empty password is left out so the stored one is kept. */
export function serverIn(f: ServerForm, side: 'source' | 'destination'): ServerIn {
  const admin =
    f.adminMode === 'none'
      ? null
      : { user: f.adminUser.trim(), mode: f.adminMode, ...(f.password ? { password: f.password } : {}) };
  const common = {
    kind: f.kind,
    maxConnections: Number(f.maxConnections) || 10,
    ...(f.testMailbox.trim() ? { testMailbox: f.testMailbox.trim() } : {}),
    admin,
  };
  if (f.kind === 'graph')
    return {
      ...common,
      graph: { ...f.graphExtra, tenantId: f.tenantId.trim(), ...graphWriteIn(f, side === 'destination') },
    };
  if (f.kind === 'gmail') return { ...common, gmail: f.gmailExtra };
  return {
    ...common,
    host: f.host.trim(),
    port: Number(f.port),
    tls: f.tls,
    allowInvalidCertificates: f.allowInvalidCertificates,
    ...(f.kind === 'imap' ? { imap: f.sievePort.trim() ? { sievePort: Number(f.sievePort) } : null } : {}),
    groupwareUrl: f.groupwareUrl.trim() || null,
  };
}

/** The fields of one side; `name` prefixes the input names ("source", "destination"). */
export function ServerFields(props: { name: string; value: ServerForm; onChange: (v: ServerForm) => void }) {
  const { name, value: f, onChange } = props;
  // The server keeps a stored password only for the server and user it was given for.
  const keeps = f.passwordSet && identity(f) === f.storedFor;
  const connectors = useConnectors();
  const info = (kind: string) => connectors?.find((c) => c.kind === kind);
  const current = info(f.kind);
  // The kinds this side can be (POP3 is a source only); the current one until the list is loaded.
  const choices = connectors?.filter((c) => c.roles.some((r) => r === name)) ?? [];
  const set = (patch: Partial<ServerForm>) => {
    const next = { ...f, ...patch };
    // Follow the protocol's usual port while the operator has not typed another one.
    if ((patch.kind || patch.tls) && f.port === defaultPort(current, f.tls))
      next.port = defaultPort(info(next.kind), next.tls);
    // Microsoft 365 and Google Workspace always log in with an app or service account acting for everyone.
    if (patch.kind && isCloud(info(patch.kind))) next.adminMode = 'master';
    onChange(next);
  };
  const password = <PasswordField name={name} f={f} keeps={keeps} set={set} label="Admin password" />;
  return (
    <div className="form-grid">
      <label>
        System
        <select
          name={`${name}.kind`}
          value={f.kind}
          onChange={(e) => set({ kind: e.target.value as ServerForm['kind'] })}
        >
          {!choices.some((c) => c.kind === f.kind) && (
            <option value={f.kind}>{current?.label ?? f.kind}</option>
          )}
          {choices.map((c) => (
            <option key={c.kind} value={c.kind}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      {isCloud(current) ? (
        <>
          <CloudFields name={name} f={f} keeps={keeps} set={set} />
          {f.kind === 'graph' && <GraphFields name={name} f={f} set={set} />}
        </>
      ) : (
        <>
          <label>
            Host name
            <input
              name={`${name}.host`}
              value={f.host}
              placeholder="mail.example.org"
              onChange={(e) => set({ host: e.target.value })}
              required
            />
          </label>
          <label>
            Port
            <input
              name={`${name}.port`}
              inputMode="numeric"
              value={f.port}
              onChange={(e) => set({ port: e.target.value })}
              required
            />
          </label>
          <label>
            Encryption
            <select
              name={`${name}.tls`}
              value={f.tls}
              onChange={(e) => set({ tls: e.target.value as ServerForm['tls'] })}
            >
              <option value="tls">TLS from the start</option>
              <option value="starttls">STARTTLS</option>
              <option value="none">None (only on a trusted network)</option>
            </select>
          </label>
          <label>
            CalDAV/CardDAV server (contacts, calendars, tasks)
            <input
              name={`${name}.groupwareUrl`}
              value={f.groupwareUrl}
              placeholder="https://dav.example.org/ — empty: none"
              onChange={(e) => set({ groupwareUrl: e.target.value })}
            />
          </label>
          {f.kind === 'imap' && (
            <label>
              ManageSieve port (filters)
              <input
                name={`${name}.sievePort`}
                inputMode="numeric"
                value={f.sievePort}
                placeholder="4190 — empty: filters are not moved"
                onChange={(e) => set({ sievePort: e.target.value })}
              />
            </label>
          )}
          <label>
            Admin login
            <select
              name={`${name}.adminMode`}
              value={f.adminMode}
              onChange={(e) => set({ adminMode: e.target.value as ServerForm['adminMode'] })}
            >
              <option value="none">None (each mailbox’s own password)</option>
              <option value="master">Master user (any mailbox)</option>
              <option value="password">Admin account with password</option>
            </select>
          </label>
          {f.adminMode !== 'none' && (
            <>
              <label>
                Admin user
                <input
                  name={`${name}.adminUser`}
                  value={f.adminUser}
                  onChange={(e) => set({ adminUser: e.target.value })}
                  required
                />
              </label>
              {password}
            </>
          )}
        </>
      )}
      <label>
        Connections at most
        <input
          name={`${name}.maxConnections`}
          inputMode="numeric"
          value={f.maxConnections}
          onChange={(e) => set({ maxConnections: e.target.value })}
        />
      </label>
      <label>
        Test mailbox (login used by “Test connection”)
        <input
          name={`${name}.testMailbox`}
          value={f.testMailbox}
          placeholder="optional"
          onChange={(e) => set({ testMailbox: e.target.value })}
        />
      </label>
      {!isCloud(current) && (
        <label className="inline">
          <input
            type="checkbox"
            name={`${name}.allowInvalidCertificates`}
            checked={f.allowInvalidCertificates}
            onChange={(e) => set({ allowInvalidCertificates: e.target.checked })}
          />
          Accept an untrusted certificate (self-signed)
        </label>
      )}
    </div>
  );
}
