/**
 * The connector kinds (GET /api/connectors), so the web form builds its kind choice, each side's choices,
 * default ports and settings blocks from the connectors' descriptors instead of naming them.
 */
import type { FastifyInstance } from 'fastify';
import type { TObject } from '@sinclair/typebox';
import type { ConnectorDescriptor } from '../../connectors/descriptor.js';
import { descriptors } from '../../connectors/registry.js';
import { errors } from '../../schemas/common.js';
import { ConnectorList, type ConnectorInfo } from '../../schemas/connectors.js';
import type { AuthService } from '../../services/auth-service.js';
import { requireSession } from '../../http/session-hook.js';
import { secured } from './route-kit.js';

/** A descriptor as the API shows it. */
export function connectorInfo(d: ConnectorDescriptor): ConnectorInfo {
  return {
    kind: d.kind,
    label: d.label,
    roles: [...d.roles],
    hosted: d.defaultHost !== undefined,
    defaultPorts: {
      tls: d.defaultPort('tls'),
      starttls: d.defaultPort('starttls'),
      none: d.defaultPort('none'),
    },
    settingsKey: d.settingsKey ?? null,
    settingsFields: Object.keys((d.settings as TObject | undefined)?.properties ?? {}),
    signIn: d.oauthProvider !== undefined,
    discovery: d.discovery,
  };
}

/** Register GET /api/connectors behind the session gate. */
export async function connectorRoutes(app: FastifyInstance, opts: { auth: AuthService }): Promise<void> {
  app.addHook('onRequest', requireSession(opts.auth));
  app.get(
    '/api/connectors',
    {
      schema: {
        tags: ['projects'],
        operationId: 'listConnectors',
        summary:
          "The connector kinds a project's server can be: label, sides, default ports and settings block (kinds of the one-off form only are left out)",
        security: secured,
        response: { 200: ConnectorList, ...errors(401) },
      },
    },
    async (): Promise<ConnectorList> => ({
      items: descriptors.filter((d) => !d.urlOnly).map(connectorInfo),
    }),
  );
}
