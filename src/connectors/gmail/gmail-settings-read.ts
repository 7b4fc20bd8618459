/**
 * Google Workspace's settings read from outside: the gmail: block of a project file, and the gmail:// URL
 * form. Apart from gmail-settings.ts, so that the settings type imports nothing that imports it back.
 */
import type { SettingsField, SettingsReader, UrlContext } from '../descriptor.js';
import type { GmailSettings } from './gmail-settings.js';

/** The gmail: block of a project file's Google Workspace server (see GmailSettings); undefined when absent. */
export function readGmailSettings(
  r: SettingsReader,
  f: SettingsField | undefined,
  name: string,
): GmailSettings | undefined {
  if (!f) return undefined;
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

/** gmail://USER@HOST: another host than Google's serves the Gmail and Directory APIs (a local emulator). */
export function gmailFromUrl(u: UrlContext): { settings?: GmailSettings } {
  if (u.host === 'gmail.googleapis.com') return {};
  const api = `${u.tls === 'none' ? 'http' : 'https'}://${u.urlHost}:${u.port}`;
  return { settings: { apiUrl: api, directoryUrl: api } };
}
