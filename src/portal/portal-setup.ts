/**
 * The server options the portal and the messages to people read. The portal's services are built by the
 * composition root (src/app/compose.ts); the communications hub by the server (src/server/app.ts).
 */
import type { SmtpConfig } from '../notify/smtp-mailer.js';
import type { LoginCheck } from '../services/credential-service.js';
import type { PortalLimits, ProjectSource } from './portal-deps.js';

/** Server options the portal reads (ServerOptions extends these). */
export interface PortalOptions {
  dataDir: string;
  projectFile?: string;
  /** Where projects come from (default: the project file, else none). */
  projects?: ProjectSource;
  /** Base URL of personal links in messages ($CUTOVER_PUBLIC_URL by default), e.g. https://migrate.example.com. */
  publicUrl?: string;
  /** Credential form attempt limits (default 5 per link and 30 per IP, per 15 minutes). */
  portalLimits?: Partial<PortalLimits>;
  /** How passwords are checked (default: a real login through the connector). */
  loginCheck?: LoginCheck;
  /** SMTP for messages to people (default: $CUTOVER_SMTP_URL and $CUTOVER_SMTP_FROM; none = nothing is sent). */
  smtp?: SmtpConfig;
  /** The operator's address for `communications: operator` (default $CUTOVER_OPERATOR_EMAIL). */
  operatorEmail?: string;
  /** How often due messages are sent in the background (default 5 minutes; 0 = never, only on request). */
  commsIntervalMs?: number;
}
