/** The source: and destination: sections of the project file (a server, its admin login, its kind's settings). */
import { projectProblem, roleProblem, type ConnectorDescriptor } from '../connectors/descriptor.js';
import { descriptorFor, descriptors } from '../connectors/registry.js';
import { parseServerUrl } from './server-url.js';
import type { ServerSpec } from './types.js';
import type { Field, Reader } from './yaml-reader.js';

/** Keys every server has; each kind with settings adds its block's key. */
const COMMON_KEYS = [
  'kind',
  'host',
  'port',
  'tls',
  'allowInvalidCertificates',
  'maxConnections',
  'admin',
  'testMailbox',
];
const SETTINGS_KEYS = descriptors.flatMap((d) => (d.settingsKey ? [d.settingsKey] : []));
const SERVER_KEYS = [...COMMON_KEYS, ...SETTINGS_KEYS];

/** The key of a CalDAV/CardDAV server beside a mail server (`dav: { url }`): the groupware kind's own key. */
const GROUPWARE_KEY = 'dav';

/** `dav: { url: https://dav.example.com/PATH }` beside a mail server: where its groupware is. */
function readGroupware(r: Reader, f: Field, name: string): ServerSpec | undefined {
  const m = r.map(f, ['url']);
  const url = r.str(m?.get('url'));
  if (url === undefined)
    return r.add(
      f.at,
      `${name}.dav needs url`,
      'Write dav: { url: https://dav.example.com/ } — the CalDAV/CardDAV server, its root, a principal or a home.',
    );
  const scheme = /^(https?):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme)
    return r.add(
      m?.get('url')?.at,
      `${name}.dav.url '${url}' is not an http:// or https:// URL`,
      'Write the CalDAV/CardDAV server as https://HOST[:PORT]/PATH.',
    );
  try {
    // Only where it is: each mailbox logs in with its own login of this side.
    // The URL form wants a login; the mailbox's own is used, so a stand-in one is given and dropped.
    const asDav = url.replace(/^https?:\/\//i, `${GROUPWARE_KEY}${scheme === 'https' ? 's' : ''}://mailbox@`);
    const { server } = parseServerUrl(asDav, { passwordEnv: 'CUTOVER_UNUSED_DAV_PASSWORD' });
    return { ...server, allowInvalidCertificates: false };
  } catch (err) {
    return r.add(
      m?.get('url')?.at,
      `${name}.dav.url: ${(err as Error).message}`,
      'Write https://HOST[:PORT]/PATH.',
    );
  }
}

/** The kind a server is when kind: is left out (the first of the registry). */
const DEFAULT_KIND = descriptors[0]!;

/** "kind: imap (the default, leave it out), kind: graph (Microsoft 365), … or kind: pop3 (a source only)". */
function kindChoices(): string {
  const oneSide = (d: ConnectorDescriptor) => Number(d.roles.length === 1);
  const note = (d: ConnectorDescriptor) =>
    d === DEFAULT_KIND ? 'the default, leave it out' : oneSide(d) ? `a ${d.roles[0]} only` : d.name;
  const items = [...descriptors]
    .sort((a, b) => oneSide(a) - oneSide(b))
    .map((d) => `kind: ${d.kind} (${note(d)})`);
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The ports of a kind, for a hint. */
function portHint(d: ConnectorDescriptor): string {
  const [secure, plain] = [d.defaultPort('tls'), d.defaultPort('none')];
  return secure === plain
    ? `${d.name} uses ${secure}.`
    : `${d.name} uses ${secure} with tls, ${plain} with starttls or none.`;
}

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
  const known = kindText === undefined ? undefined : descriptorFor(kindText);
  const d = known ?? DEFAULT_KIND;
  const kind = d.kind;
  const notHere = roleProblem(d, name);
  if (kindText !== undefined && !known)
    r.add(m.get('kind')?.at, `${name}.kind '${kindText}' is not supported`, `Write ${kindChoices()}.`);
  else if (notHere)
    r.add(
      m.get('kind')?.at,
      `${name}.kind ${kind}: ${notHere}`,
      `Make the ${name} an ${DEFAULT_KIND.name} server (kind: ${DEFAULT_KIND.kind}, or leave kind out).`,
    );
  else if (projectProblem(d))
    return r.add(
      m.get('kind')?.at,
      `${name}.kind ${kind}: ${projectProblem(d)}`,
      'Run that side with the one-off form, or choose a server kind for the project.',
    );
  // A hosted system has one well-known API host; its settings block can point elsewhere (tests).
  const host = r.str(m.get('host')) ?? d.defaultHost;
  if (!m.has('host') && d.defaultHost === undefined)
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
      `tls = TLS from the start (port ${d.defaultPort('tls')}), starttls = upgrade (port ${d.defaultPort('starttls')}), none = unencrypted.`,
    );
  const server: ServerSpec = {
    kind,
    host: host ?? '',
    port: r.int(m.get('port'), 1, 65535, portHint(d)) ?? d.defaultPort(tls ?? 'tls'),
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
  // Each kind's settings block is read by its descriptor; a block of another kind is a mistake — except
  // dav: { url } on a mail server, which says where that side's contacts, calendars and tasks are.
  const beside = m.get(GROUPWARE_KEY);
  if (beside && d.settingsKey !== GROUPWARE_KEY) {
    const groupware = readGroupware(r, beside, name);
    if (groupware) server.groupware = groupware;
  }
  for (const key of SETTINGS_KEYS) {
    const block = m.get(key);
    if (key === GROUPWARE_KEY && d.settingsKey !== GROUPWARE_KEY) continue;
    if (key !== d.settingsKey) {
      if (block)
        r.add(block.at, `${name}.${key} applies to kind: ${key} only`, `Remove it, or write kind: ${key}.`);
      continue;
    }
    const settings = d.readSettings?.(r, block, f, name);
    if (settings !== undefined) Object.assign(server, { [key]: settings });
  }
  return server;
}
