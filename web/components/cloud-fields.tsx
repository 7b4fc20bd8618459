/**
 * The login of Microsoft 365 (an app registration: tenant, client id, client secret) and Google Workspace (a
 * service account with domain-wide delegation: the admin it acts as, its JSON key), and the write-only
 * password/secret field they share with IMAP and POP3.
 */
import type { ServerForm } from './server-form.js';

type FieldProps = { name: string; f: ServerForm; keeps: boolean; set: (patch: Partial<ServerForm>) => void };

/** A secret the API never returns: empty keeps the stored one while the server and user stay the same. */
export function PasswordField(props: FieldProps & { label: string; multiline?: boolean }) {
  const { name, f, keeps, set } = props;
  const common = {
    name: `${name}.password`,
    value: f.password,
    placeholder: keeps ? 'stored – leave empty to keep it' : '',
    required: !keeps,
  };
  return (
    <label>
      {props.label}
      {f.passwordSet && !keeps && <span className="muted"> (type it again: the server or user changed)</span>}
      {props.multiline ? (
        <textarea
          {...common}
          rows={3}
          spellCheck={false}
          onChange={(e) => set({ password: e.target.value })}
        />
      ) : (
        <input
          {...common}
          type="password"
          autoComplete="new-password"
          onChange={(e) => set({ password: e.target.value })}
        />
      )}
    </label>
  );
}

/** The fields of a Microsoft 365 or Google Workspace side. */
export function CloudFields(props: FieldProps) {
  const { name, f, set } = props;
  if (f.kind === 'graph')
    return (
      <>
        <label>
          Tenant (directory id or domain)
          <input
            name={`${name}.tenantId`}
            value={f.tenantId}
            placeholder="contoso.onmicrosoft.com"
            onChange={(e) => set({ tenantId: e.target.value })}
            required
          />
        </label>
        <label>
          App (client) id
          <input
            name={`${name}.adminUser`}
            value={f.adminUser}
            onChange={(e) => set({ adminUser: e.target.value })}
            required
          />
        </label>
        <PasswordField {...props} label="Client secret" />
      </>
    );
  return (
    <>
      <label>
        Workspace admin the service account acts as
        <input
          name={`${name}.adminUser`}
          value={f.adminUser}
          placeholder="admin@example.org"
          onChange={(e) => set({ adminUser: e.target.value })}
          required
        />
      </label>
      <PasswordField {...props} label="Service account key (the JSON file's text)" multiline />
    </>
  );
}
