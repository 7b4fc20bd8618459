/**
 * Server specs and logins that point Cutover's Graph connector at a LOCAL EMULATOR of Microsoft Graph
 * (test code): app-only access with the emulator's app registration, its self-signed certificate accepted.
 */
import type { AuthSpec, ServerSpec } from '../../../src/config/types.js';
import type { GraphEmulator } from './graph-emulator.js';

/** A `kind: graph` server for the emulator, app-only (admin in mode master = client id + secret). */
export function emulatorServer(emu: GraphEmulator, maxMessageBytes?: number): ServerSpec {
  const u = new URL(emu.baseUrl);
  return {
    kind: 'graph',
    host: u.hostname,
    port: Number(u.port),
    tls: 'tls',
    allowInvalidCertificates: true,
    maxConnections: 16,
    admin: { user: emu.clientId, password: { value: emu.clientSecret }, mode: 'master' },
    graph: {
      tenantId: emu.tenantId,
      baseUrl: emu.baseUrl,
      authorityHost: emu.authorityHost,
      ...(maxMessageBytes ? { maxMessageBytes } : {}),
    },
  };
}

/** The app-only login for one mailbox of the emulator. */
export function appLogin(emu: GraphEmulator, user: string): AuthSpec {
  return { kind: 'master', user, masterUser: emu.clientId, password: { value: emu.clientSecret } };
}
