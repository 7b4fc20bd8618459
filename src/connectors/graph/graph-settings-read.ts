/**
 * Microsoft 365's settings read from outside: the graph: block of a project file, and the graph:// URL form.
 * Apart from graph-settings.ts, so that the settings type imports nothing that imports it back.
 */
import type { AuthSpec } from '../../config/types.js';
import type { SettingsField, SettingsReader, UrlContext } from '../descriptor.js';
import { GRAPH_WRITE_PATHS, type GraphSettings, type GraphWritePath } from './graph-settings.js';

/** The graph: block of a project file's Microsoft 365 server (see GraphSettings); tenantId is required. */
export function readGraphSettings(
  r: SettingsReader,
  f: SettingsField | undefined,
  server: SettingsField,
  name: string,
): GraphSettings {
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

/**
 * graph://USER@HOST?tenant=…&client-id=…: the tenant, and Graph and Entra ID on another host than Microsoft's
 * (a lab or emulator serving both); with client-id= the login is app-only (the secret is the app's client
 * secret), else it must be a delegated token (auth=xoauth2).
 */
export function graphFromUrl(u: UrlContext): { settings: GraphSettings; auth?: AuthSpec } {
  const tenant = u.params['tenant'];
  if (!tenant)
    u.fail(
      `No tenant in ${u.shown}.`,
      'Add ?tenant=<directory id or primary domain>, e.g. tenant=contoso.onmicrosoft.com.',
    );
  const origin = `https://${u.urlHost}:${u.port}`;
  const settings: GraphSettings = {
    tenantId: tenant,
    ...(u.host !== 'graph.microsoft.com' ? { baseUrl: `${origin}/v1.0`, authorityHost: origin } : {}),
  };
  const clientId = u.params['client-id'];
  if (clientId)
    return { settings, auth: { kind: 'master', user: u.user, masterUser: clientId, password: u.secret } };
  if (!u.tokenLogin)
    u.fail(
      `${u.shown} has neither client-id= (app-only access) nor auth=xoauth2 (a delegated token).`,
      "Add ?client-id=<application id> with the app's client secret as the password, or ?auth=xoauth2 with an access token.",
    );
  return { settings };
}
