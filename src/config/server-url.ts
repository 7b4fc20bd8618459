/**
 * The imapsync-style one-off form of a server and login, for the command line:
 *   imaps://USER:PASSWORD@HOST:PORT?max-connections=4
 *   imap://USER@HOST?starttls=1&password-env=SRC_PASS
 *   pop3s://USER:PASSWORD@HOST (port 995), pop3://USER@HOST?stls=1 (port 110; POP3 is a source only)
 *   gmail://alice%40example.com@gmail.googleapis.com?key-file=sa.json (Google Workspace, service account with
 *   domain-wide delegation), or with an access token as the password; ?http=1 for a local emulator
 *   graph://alice%40contoso.com@graph.microsoft.com?tenant=contoso.onmicrosoft.com&client-id=APP_ID&password-env=SECRET
 *   (Microsoft 365, app-only: the password is the app's client secret), or ?auth=xoauth2 with a delegated token
 *   dav://USER:PASSWORD@HOST:PORT/PATH, davs://… (CalDAV/CardDAV; PATH: the root, a principal or a home)
 * User and password are percent-decoded (%40 → @, %3A → :). Query parameters: starttls (stls), insecure,
 * auth=xoauth2, password-env, password-file, max-connections.
 */
import type { ConnectorDescriptor } from '../connectors/descriptor.js';
import { descriptors } from '../connectors/registry.js';
import { ErrorCode, PermanentError } from '../errors.js';
import type { AuthSpec, SecretRef, ServerKind, ServerSpec, TlsMode } from './types.js';
import { isEnvName, parseBool, suggest } from './values.js';

/** Each connector kind's schemes (imap: plain, imaps: TLS, …), with its default port. */
const SCHEMES: Record<string, { kind: ServerKind; tls: TlsMode; port: number; d: ConnectorDescriptor }> =
  Object.fromEntries(
    descriptors.flatMap((d) =>
      Object.entries(d.urlSchemes).map(([scheme, tls]) => [
        scheme,
        { kind: d.kind, tls, port: d.defaultPort(tls), d },
      ]),
    ),
  );
const SUPPORTED =
  'imaps://USER:PASSWORD@HOST[:PORT] (TLS, port 993) or imap://USER:PASSWORD@HOST[:PORT] (port 143; add ?starttls=1 to upgrade); ' +
  'for a POP3 source pop3s://… (port 995) or pop3://… (port 110, ?stls=1 to upgrade); ' +
  'gmail://USER@gmail.googleapis.com?key-file=… (Google Workspace) or graph://USER@graph.microsoft.com?tenant=…&client-id=… (Microsoft 365)';
/** Every kind's schemes, for the refusal of an unknown one: "imap:// and imaps:// (IMAP); pop3:// … (POP3, a source only)". */
const SCHEME_LIST = descriptors
  .map((d) => {
    const only = d.roles.length === 1 ? `, a ${d.roles[0]} only` : '';
    return `${Object.keys(d.urlSchemes)
      .map((s) => `${s}://`)
      .join(' and ')} (${d.name}${only})`;
  })
  .join('; ');
/** Query parameters of one kind only (key-file= of gmail://, tenant= of graph://), with that kind. */
const OWN_PARAMS = new Map(descriptors.flatMap((d) => (d.urlParams ?? []).map((p) => [p, d] as const)));
const PARAMS = [
  ...OWN_PARAMS.keys(),
  'starttls',
  'stls',
  'insecure',
  'auth',
  'password-env',
  'password-file',
  'max-connections',
];
/** A host as it sits in a URL (IPv6 literals in brackets). */
const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);
const ENCODING_HINT =
  'percent-encode special characters in the user and password: @ → %40, : → %3A, / → %2F, # → %23, ? → %3F, % → %25';

/** Where a password came from, given outside the URL (CLI flags). */
export interface PasswordOptions {
  passwordEnv?: string;
  passwordFile?: string;
}

/** "IMAP: 993 for TLS, 143 otherwise". */
function portNote(d: ConnectorDescriptor): string {
  const [secure, plain] = [d.defaultPort('tls'), d.defaultPort('none')];
  return secure === plain ? `${d.name}: ${secure}` : `${d.name}: ${secure} for TLS, ${plain} otherwise`;
}

function fail(message: string, hint: string): never {
  throw new PermanentError(ErrorCode.UrlInvalid, message, hint);
}

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(
      `The ${what} in ${shown} has a broken percent-encoding.`,
      `Write % as %25 and ${ENCODING_HINT}.`,
    );
  }
}

/** Parse imap://, imaps://, pop3:// or pop3s:// into the server it names and the login to use on it. */
export function parseServerUrl(
  url: string,
  opts: PasswordOptions = {},
): { server: ServerSpec; auth: AuthSpec } {
  const text = url.trim();
  const shown = redactUrl(text);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) fail(`'${shown}' is not a server URL.`, `Write ${SUPPORTED}.`);
  const defaults = SCHEMES[scheme];
  if (!defaults) {
    fail(
      `Unsupported scheme '${scheme}://' in ${shown}.`,
      `Supported schemes: ${SCHEME_LIST}. Write ${SUPPORTED}.`,
    );
  }
  if (defaults.d.urlForm?.localPath) return parseLocalPathUrl(text, shown, scheme, defaults.kind, defaults.d);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return fail(
      `'${shown}' is not a valid server URL.`,
      `Check the host and the port (1-65535), and ${ENCODING_HINT}.`,
    );
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') fail(`No host in ${shown}.`, `Write ${SUPPORTED}.`);
  const serverPath = defaults.d.urlForm?.serverPath ? u.pathname : '';
  if (!defaults.d.urlForm?.serverPath && u.pathname !== '' && u.pathname !== '/') {
    fail(
      `Unexpected path '${u.pathname}' in ${shown}.`,
      `A server URL ends after the host and port; if '/' is in the password, ${ENCODING_HINT}.`,
    );
  }
  const port = u.port === '' ? defaults.port : Number(u.port);
  if (port < 1 || port > 65535)
    fail(
      `Port ${port} in ${shown} is out of range.`,
      `Use a port from 1 to 65535 (${portNote(defaults.d)}).`,
    );
  const user = decode(u.username, 'user', shown);
  if (user === '')
    fail(
      `No login in ${shown}.`,
      `Put the login before the host: ${scheme}://USER@${host}; ${ENCODING_HINT}.`,
    );

  let tls = defaults.tls;
  let allowInvalidCertificates = false;
  let kind: 'password' | 'xoauth2' = 'password';
  let maxConnections = 10;
  let keyFile: string | undefined;
  /** Values of the kind's own parameters (tenant=, client-id= of graph://). */
  const own: Record<string, string> = {};
  const secrets: Array<[string, SecretRef]> = [];
  if (u.password !== '') secrets.push(['the URL', { value: decode(u.password, 'password', shown) }]);
  if (opts.passwordEnv !== undefined) secrets.push(['--password-env', { env: opts.passwordEnv }]);
  if (opts.passwordFile !== undefined) secrets.push(['--password-file', { file: opts.passwordFile }]);

  const seen = new Set<string>();
  for (const [name, value] of u.searchParams) {
    if (!PARAMS.includes(name)) {
      const guess = suggest(name, PARAMS);
      fail(
        `Unknown parameter '${name}' in ${shown}.`,
        `${guess ? `Did you mean '${guess}'? ` : ''}Known parameters: ${PARAMS.join(', ')}.`,
      );
    }
    if (seen.has(name)) fail(`Parameter '${name}' is given twice in ${shown}.`, 'Give each parameter once.');
    seen.add(name);
    const owner = OWN_PARAMS.get(name);
    if (owner && owner !== defaults.d)
      fail(
        `${name}= in ${shown} applies to ${Object.keys(owner.urlSchemes).join('/')}:// only.`,
        `Remove ${name}=.`,
      );
    const flag = (): boolean => {
      const b = parseBool(value === '' ? 'yes' : value);
      return b.ok
        ? b.value
        : fail(`${name}=${value} in ${shown}: ${b.message}.`, `Write ${name}=1 or ${name}=0.`);
    };
    if (name === 'starttls' || name === 'stls') {
      if (seen.has('starttls') && seen.has('stls'))
        fail(`stls and starttls are both given in ${shown}.`, 'They mean the same: give one.');
      if (flag()) {
        if (defaults.tls === 'tls') {
          const plain = scheme.slice(0, -1);
          fail(
            `${name}=1 does not go with ${scheme}:// in ${shown}.`,
            `Use ${plain}://…?${name}=1 for STARTTLS, or ${scheme}:// for TLS from the start.`,
          );
        }
        tls = 'starttls';
      }
    } else if (name === 'key-file' || name === 'http') {
      if (name === 'http') tls = flag() ? 'none' : tls;
      else if (value === '')
        fail(`key-file= in ${shown} has no path.`, 'Write key-file=/path/to/service-account.json.');
      else keyFile = value;
    } else if (owner) {
      if (value === '')
        fail(`${name}= in ${shown} is empty.`, `Write ${name}=… (see the ${owner.name} app registration).`);
      own[name] = value;
    } else if (name === 'insecure') {
      allowInvalidCertificates = flag();
    } else if (name === 'auth') {
      const mech = value.toLowerCase();
      if (mech === 'xoauth2' || mech === 'oauth2' || mech === 'oauthbearer') kind = 'xoauth2';
      else if (mech === 'password' || mech === 'plain' || mech === 'login') kind = 'password';
      else
        fail(
          `Unknown auth=${value} in ${shown}.`,
          'Use auth=xoauth2 (the password is then an access token), or leave it out for a password login.',
        );
    } else if (name === 'max-connections') {
      maxConnections = Number(value);
      if (!/^\d+$/.test(value) || maxConnections < 1)
        fail(
          `max-connections=${value} in ${shown} is not a positive whole number.`,
          'Write e.g. max-connections=4.',
        );
    } else if (name === 'password-env') {
      if (!isEnvName(value))
        fail(
          `password-env=${value} in ${shown} is not a variable name.`,
          'Write the name of an environment variable, e.g. password-env=SRC_PASSWORD.',
        );
      secrets.push(['password-env=', { env: value }]);
    } else if (value === '') {
      fail(
        `password-file= in ${shown} has no path.`,
        'Write password-file=/path/to/file (the first line is the password).',
      );
    } else {
      secrets.push(['password-file=', { file: value }]);
    }
  }

  if (defaults.d.urlForm?.tokenLogin) kind = 'xoauth2'; // e.g. a Gmail secret in the URL is an access token
  if (keyFile !== undefined) {
    // A service account acting for the user (domain-wide delegation): the key replaces any secret.
    if (secrets.length)
      fail(
        `${shown} gives both key-file= and an access token.`,
        'Give one: the service account key, or a token.',
      );
    secrets.push(['key-file=', { file: keyFile }]);
  }
  const what = kind === 'xoauth2' ? 'access token' : 'password';
  if (secrets.length > 1) {
    fail(
      `The ${what} for ${user} is given ${secrets.length} ways (${secrets.map((s) => s[0]).join(', ')}) in ${shown}.`,
      'Give it exactly one way.',
    );
  }
  const secret = secrets[0]?.[1];
  if (!secret) {
    fail(
      `No ${what} for ${user} in ${shown}.`,
      `Give it one of three ways: in the URL (${scheme}://USER:PASSWORD@${host}, ${ENCODING_HINT}); ` +
        'from an environment variable (?password-env=VAR or --password-env VAR); ' +
        'or from a file whose first line is the password (?password-file=PATH or --password-file PATH).',
    );
  }
  const server: ServerSpec = {
    kind: defaults.kind,
    host,
    port,
    tls,
    allowInvalidCertificates,
    maxConnections,
  };
  // The kind's own part: its settings from the host and its parameters, and its login when it decides it.
  const made = defaults.d.urlForm?.complete({
    shown,
    host,
    urlHost: urlHost(host),
    path: serverPath,
    port,
    tls,
    user,
    params: own,
    secret,
    tokenLogin: kind === 'xoauth2',
    fail,
  });
  if (made?.settings !== undefined && defaults.d.settingsKey)
    Object.assign(server, { [defaults.d.settingsKey]: made.settings });
  if (made?.auth) return { server, auth: made.auth };
  const auth: AuthSpec =
    keyFile !== undefined
      ? { kind: 'master', user, masterUser: user, password: secret }
      : kind === 'xoauth2'
        ? { kind, user, accessToken: secret }
        : { kind, user, password: secret };
  return { server, auth };
}

/**
/**
 * A kind whose URL names a local path (mbox:///ABS/FILE?folder=…, file:///ABS/DIR): the path, absolute,
 * percent-decoded; no host, login or secret; only the kind's own parameters. The kind's urlForm makes the
 * settings and the login from them.
 */
function parseLocalPathUrl(
  text: string,
  shown: string,
  scheme: string,
  kind: ServerKind,
  d: ConnectorDescriptor,
): { server: ServerSpec; auth: AuthSpec } {
  const example = `${scheme}:///ABSOLUTE/PATH (three slashes, then the path; a space is %20)`;
  const rest = text.slice(scheme.length + 3);
  if (!rest.startsWith('/'))
    fail(`${shown} names a host or a relative path, not an absolute directory or file.`, `Write ${example}.`);
  if (rest.includes('#')) fail(`${shown} has a fragment.`, `Write ${example}.`);
  const query = rest.indexOf('?');
  const own: Record<string, string> = {};
  const allowed = d.urlParams ?? [];
  for (const [name, value] of new URLSearchParams(query >= 0 ? rest.slice(query + 1) : '')) {
    if (!allowed.length)
      fail(`${shown} has parameters; ${scheme}:// takes only a path.`, `Write ${example}.`);
    if (!allowed.includes(name))
      fail(`Unknown parameter '${name}' in ${shown}.`, `Known parameters: ${allowed.join(', ')}.`);
    if (name in own) fail(`Parameter '${name}' is given twice in ${shown}.`, 'Give each parameter once.');
    own[name] = value;
  }
  const path = decode(query >= 0 ? rest.slice(0, query) : rest, 'path', shown).replace(/(?<=.)\/+$/, '');
  if (path === '/' || path.includes('\0'))
    fail(`${shown} does not name a usable directory or file.`, `Write ${example}.`);
  const made = d.urlForm!.complete({
    shown,
    host: '',
    urlHost: '',
    port: 0,
    tls: 'none',
    user: '',
    path,
    params: own,
    secret: { value: '' },
    tokenLogin: false,
    fail,
  });
  const server: ServerSpec = {
    kind,
    host: '',
    port: 0,
    tls: 'none',
    allowInvalidCertificates: false,
    maxConnections: 10,
  };
  if (made.settings !== undefined && d.settingsKey) Object.assign(server, { [d.settingsKey]: made.settings });
  return { server, auth: made.auth ?? { kind: 'password', user: path, password: { value: '' } } };
}

/** The URL with its password (or access token) replaced by *** — safe for logs; works on malformed URLs too. */
export function redactUrl(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return url;
  const query = url.indexOf('?', start);
  const at = url.lastIndexOf('@', query < 0 ? url.length : query);
  if (at < start) return url;
  const colon = url.indexOf(':', start + 3);
  if (colon < 0 || colon > at || colon + 1 === at) return url;
  return `${url.slice(0, colon + 1)}***${url.slice(at)}`;
}
