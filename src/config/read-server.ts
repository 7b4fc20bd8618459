/** The source: and destination: sections of the project file (a server, its admin login, its kind's settings). */
import type { GmailSettings, GraphSettings, GraphWritePath, ServerSpec } from './types.js';
import type { Field, Reader } from './yaml-reader.js';

const SERVER_KEYS = [
  'kind',
  'host',
  'port',
  'tls',
  'allowInvalidCertificates',
  'maxConnections',
  'admin',
  'testMailbox',
  'gmail',
  'graph',
];

/** The server under `name` (source or destination); `top` is pointed at when the section is missing. */
export function readServer(
  r: Reader,
  f: Field | undefined,
  name: string,
  top: unknown,
): ServerSpec | undefined {
  if (!f)
    return r.add(
      top,
      `the project has no ${name} server`,
      `Add a ${name}: section with at least host: (e.g. host: mail.example.com).`,
    );
  const m = r.map(f, SERVER_KEYS);
  if (!m) return undefined;
  const kindText = r.str(m.get('kind'));
  const kind =
    kindText === 'pop3' ? 'pop3' : kindText === 'gmail' ? 'gmail' : kindText === 'graph' ? 'graph' : 'imap';
  if (kindText !== undefined && !['imap', 'pop3', 'gmail', 'graph'].includes(kindText))
    r.add(
      m.get('kind')?.at,
      `${name}.kind '${kindText}' is not supported`,
      'Write kind: imap (the default, leave it out), kind: gmail (Google Workspace), kind: graph (Microsoft 365) or kind: pop3 (a source only).',
    );
  else if (kind === 'pop3' && name === 'destination')
    r.add(
      m.get('kind')?.at,
      'destination.kind pop3: POP3 can only be a source; it has no way to store messages on the server',
      'Make the destination an IMAP server (kind: imap, or leave kind out).',
    );
  // Google Workspace has one well-known API host; the settings under gmail: can point elsewhere (tests).
  const host =
    r.str(m.get('host')) ??
    (kind === 'gmail' ? 'gmail.googleapis.com' : kind === 'graph' ? 'graph.microsoft.com' : undefined);
  if (!m.has('host') && kind !== 'gmail' && kind !== 'graph')
    r.add(f.at, `${name} has no host`, `Add host: under ${name}, e.g. host: mail.example.com.`);
  if (host !== undefined && /[/:@\s]/.test(host) && !/^[0-9a-f:]+$/i.test(host)) {
    r.add(
      m.get('host')?.at,
      `${name}.host '${host}' is not a host name`,
      'Write only the host name or IP address (no scheme, user or port), e.g. host: mail.example.com.',
    );
  }
  const tlsField = m.get('tls');
  const tlsRaw = tlsField ? r.scalar(tlsField, 'tls, starttls or none') : 'tls';
  const tlsText = typeof tlsRaw === 'string' || tlsRaw === undefined ? tlsRaw : JSON.stringify(tlsRaw);
  const tls = tlsText === 'tls' || tlsText === 'starttls' || tlsText === 'none' ? tlsText : undefined;
  if (tlsText !== undefined && !tls)
    r.add(
      m.get('tls')?.at,
      `${name}.tls must be tls, starttls or none, not '${tlsText}'`,
      kind === 'pop3'
        ? 'tls = TLS from the start (port 995), starttls = upgrade with STLS (port 110), none = unencrypted.'
        : 'tls = TLS from the start (port 993), starttls = upgrade (port 143), none = unencrypted.',
    );
  const portHint =
    kind === 'pop3'
      ? 'POP3 uses 995 with tls, 110 with starttls or none.'
      : 'IMAP uses 993 with tls, 143 with starttls or none.';
  const defaultPort =
    kind === 'gmail' || kind === 'graph'
      ? 443
      : kind === 'pop3'
        ? tls === 'tls'
          ? 995
          : 110
        : tls === 'tls'
          ? 993
          : 143;
  const server: ServerSpec = {
    kind,
    host: host ?? '',
    port: r.int(m.get('port'), 1, 65535, portHint) ?? defaultPort,
    tls: tls ?? 'tls',
    allowInvalidCertificates: r.bool(m.get('allowInvalidCertificates')) ?? false,
    maxConnections:
      r.int(m.get('maxConnections'), 1, 1000, 'Write a positive whole number, e.g. maxConnections: 10.') ??
      10,
  };
  const admin = m.get('admin');
  const am = admin && r.map(admin, ['user', 'password', 'mode']);
  if (admin && am) {
    const user = r.str(am.get('user'));
    const password = r.secret(am.get('password'));
    const mode = r.str(am.get('mode')) ?? 'master';
    if (!am.has('user') || !am.has('password'))
      r.add(
        admin.at,
        `${name}.admin needs user and password`,
        `Write admin: { user: admin, password: { env: ${name.toUpperCase()}_ADMIN_PASSWORD } }.`,
      );
    if (mode !== 'master' && mode !== 'password')
      r.add(
        am.get('mode')?.at,
        `${name}.admin.mode must be master or password, not '${mode}'`,
        'master = log in as admin acting for each mailbox (Dovecot user*master, SASL authzid); password = admin is itself the login.',
      );
    else if (user !== undefined && password) server.admin = { user, password, mode };
  }
  const test = r.str(m.get('testMailbox'));
  if (test !== undefined) server.testMailbox = test;
  const gmail = m.get('gmail');
  if (gmail && kind !== 'gmail')
    r.add(gmail.at, `${name}.gmail applies to kind: gmail only`, 'Remove it, or write kind: gmail.');
  else if (gmail) server.gmail = readGmail(r, gmail, name);
  const graph = m.get('graph');
  if (graph && kind !== 'graph')
    r.add(graph.at, `${name}.graph applies to kind: graph only`, 'Remove it, or write kind: graph.');
  else if (kind === 'graph') server.graph = readGraph(r, graph, f, name);
  return server;
}

/** The graph: settings of a Microsoft 365 server (see GraphSettings); tenantId is required. */
function readGraph(r: Reader, f: Field | undefined, server: Field, name: string): GraphSettings {
  const m =
    f &&
    r.map(f, [
      'tenantId',
      'baseUrl',
      'authorityHost',
      'maxMessageSize',
      'writePath',
      'imapHost',
      'imapPort',
      'requestBudget',
      'uploadBudgetMB',
    ]);
  const tenantId = m && r.str(m.get('tenantId'));
  const out: GraphSettings = { tenantId: tenantId ?? '' };
  if (!tenantId)
    r.add(
      (f ?? server).at,
      `${name}.graph.tenantId is missing`,
      `Add graph: { tenantId: <directory id or primary domain> } under ${name}.`,
    );
  if (!m) return out;
  for (const key of ['baseUrl', 'authorityHost'] as const) {
    const url = r.str(m.get(key));
    if (url === undefined) continue;
    // MSAL refuses an authority that is not https, and tokens must never travel in clear.
    if (!/^https:\/\/[^\s/]+/.test(url))
      r.add(
        m.get(key)!.at,
        `${name}.graph.${key} '${url}' is not an https URL`,
        'Leave it out to use Microsoft 365.',
      );
    else out[key] = url;
  }
  const size = r.int(m.get('maxMessageSize'), 1, 150 * 1024 * 1024, 'Bytes, at most 157286400 (150 MB).');
  if (size !== undefined) out.maxMessageBytes = size;
  const path = r.str(m.get('writePath'));
  if (path !== undefined) {
    if (name === 'source')
      r.add(
        m.get('writePath')!.at,
        'source.graph.writePath applies to a destination only',
        'Remove it: a source is read through Graph.',
      );
    else if ((GRAPH_WRITE_PATHS as readonly string[]).includes(path)) out.writePath = path as GraphWritePath;
    else
      r.add(
        m.get('writePath')!.at,
        `${name}.graph.writePath '${path}' is not one of ${GRAPH_WRITE_PATHS.join(', ')}`,
        'Write writePath: json (Graph JSON), imap (IMAP APPEND of the whole message) or auto (JSON, IMAP where attachments do not fit).',
      );
  }
  const imapHost = r.str(m.get('imapHost'));
  if (imapHost !== undefined) out.imapHost = imapHost;
  const imapPort = r.int(m.get('imapPort'), 1, 65535, 'A TCP port (993 for Exchange Online).');
  if (imapPort !== undefined) out.imapPort = imapPort;
  const requests = r.int(
    m.get('requestBudget'),
    1,
    10_000,
    'Requests per 10 minutes per mailbox, at most 10000.',
  );
  if (requests !== undefined) out.requestBudget = requests;
  const upload = r.int(m.get('uploadBudgetMB'), 1, 150, 'Megabytes per 5 minutes per mailbox, at most 150.');
  if (upload !== undefined) out.uploadBudgetMB = upload;
  return out;
}

/** graph.writePath values. */
export const GRAPH_WRITE_PATHS = ['json', 'imap', 'auto'] as const;

/** The gmail: settings of a Google Workspace server (see GmailSettings). */
function readGmail(r: Reader, f: Field, name: string): GmailSettings {
  const m = r.map(f, [
    'oauthClient',
    'apiUrl',
    'tokenUrl',
    'authUrl',
    'directoryUrl',
    'quotaUnitsPerSecond',
    'maxMessageSize',
  ]);
  const out: GmailSettings = {};
  if (!m) return out;
  const client = m.get('oauthClient');
  const cm = client && r.map(client, ['id', 'secret']);
  if (client && cm) {
    const id = r.str(cm.get('id'));
    const secret = r.secret(cm.get('secret'));
    if (id !== undefined && secret) out.oauthClient = { id, secret };
    else
      r.add(
        client.at,
        `${name}.gmail.oauthClient needs id and secret`,
        'Write oauthClient: { id: 123.apps.googleusercontent.com, secret: { env: GOOGLE_CLIENT_SECRET } }.',
      );
  }
  for (const key of ['apiUrl', 'tokenUrl', 'authUrl', 'directoryUrl'] as const) {
    const url = r.str(m.get(key));
    if (url === undefined) continue;
    if (!/^https?:\/\/[^\s/]+/.test(url))
      r.add(
        m.get(key)!.at,
        `${name}.gmail.${key} '${url}' is not an http(s) URL`,
        'Leave it out to use Google.',
      );
    else out[key] = url;
  }
  const units = r.int(m.get('quotaUnitsPerSecond'), 1, 250, 'Google allows 250 units per user per second.');
  if (units !== undefined) out.quotaUnitsPerSecond = units;
  const size = r.int(m.get('maxMessageSize'), 1, 150 * 1024 * 1024, 'Bytes, at most 157286400 (150 MB).');
  if (size !== undefined) out.maxMessageBytes = size;
  return out;
}
