/** The fields of one server (source or destination) and their conversion to and from the API's shape. */
import type { BodyOf } from '../api/client.js';
import type { Project } from '../project-context.js';

type ServerIn = BodyOf<'POST /api/projects'>['source'];
type ServerOut = Project['source'];

/** A server as the form holds it: every field a string or a flag. */
export interface ServerForm {
  kind: 'imap' | 'pop3';
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
}

const identity = (f: Pick<ServerForm, 'kind' | 'host' | 'port' | 'adminUser'>) =>
  [f.kind, f.host.trim().toLowerCase(), f.port.trim(), f.adminUser.trim()].join('|');

const defaultPort = (kind: ServerForm['kind'], tls: ServerForm['tls']) =>
  kind === 'imap' ? (tls === 'tls' ? '993' : '143') : tls === 'tls' ? '995' : '110';

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
  };
}

/** The API's shape; an empty password is left out so the stored one is kept. */
export function serverIn(f: ServerForm): ServerIn {
  return {
    kind: f.kind,
    host: f.host.trim(),
    port: Number(f.port),
    tls: f.tls,
    allowInvalidCertificates: f.allowInvalidCertificates,
    maxConnections: Number(f.maxConnections) || 10,
    ...(f.testMailbox.trim() ? { testMailbox: f.testMailbox.trim() } : {}),
    admin:
      f.adminMode === 'none'
        ? null
        : { user: f.adminUser.trim(), mode: f.adminMode, ...(f.password ? { password: f.password } : {}) },
  };
}

/** The fields of one side; `name` prefixes the input names ("source", "destination"). */
export function ServerFields(props: { name: string; value: ServerForm; onChange: (v: ServerForm) => void }) {
  const { name, value: f, onChange } = props;
  // The server keeps a stored password only for the server and user it was given for.
  const keeps = f.passwordSet && identity(f) === f.storedFor;
  const set = (patch: Partial<ServerForm>) => {
    const next = { ...f, ...patch };
    // Follow the protocol's usual port while the operator has not typed another one.
    if ((patch.kind || patch.tls) && f.port === defaultPort(f.kind, f.tls))
      next.port = defaultPort(next.kind, next.tls);
    onChange(next);
  };
  return (
    <div className="form-grid">
      <label>
        Protocol
        <select
          name={`${name}.kind`}
          value={f.kind}
          onChange={(e) => set({ kind: e.target.value as ServerForm['kind'] })}
        >
          <option value="imap">IMAP</option>
          <option value="pop3">POP3 (source only)</option>
        </select>
      </label>
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
          <label>
            Admin password
            {f.passwordSet && !keeps && (
              <span className="muted"> (type it again: the server or user changed)</span>
            )}
            <input
              name={`${name}.password`}
              type="password"
              autoComplete="new-password"
              value={f.password}
              placeholder={keeps ? 'stored – leave empty to keep it' : ''}
              required={!keeps}
              onChange={(e) => set({ password: e.target.value })}
            />
          </label>
        </>
      )}
      <label className="inline">
        <input
          type="checkbox"
          name={`${name}.allowInvalidCertificates`}
          checked={f.allowInvalidCertificates}
          onChange={(e) => set({ allowInvalidCertificates: e.target.checked })}
        />
        Accept an untrusted certificate (self-signed)
      </label>
    </div>
  );
}
