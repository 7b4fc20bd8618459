/** How the server builds the portal from its options: the secret box, the project source, public URL and limits. */
import { smtpFromEnv, type SmtpConfig } from '../notify/smtp-mailer.js';
import { openSecretBox } from '../security/secret-key.js';
import { projectsFromStore } from './portal-projects.js';
import { CommsHub } from '../server/comms-hub.js';
import type { LoginCheck } from '../services/credential-service.js';
import type { Store } from '../store/db.js';
import {
  noProjects,
  portalDeps,
  projectFromFile,
  type PortalDeps,
  type PortalLimits,
  type ProjectSource,
} from './portal-deps.js';

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

/** The server's communications over the portal's services. */
export function commsHub(portal: PortalDeps, opts: PortalOptions): CommsHub {
  return new CommsHub(
    portal,
    opts.smtp ?? smtpFromEnv(),
    opts.operatorEmail ?? process.env.CUTOVER_OPERATOR_EMAIL,
  );
}

/** The portal's services for a server over `store`. */
export function portalServices(store: Store, opts: PortalOptions): PortalDeps {
  const box = openSecretBox(opts.dataDir);
  return portalDeps({
    store,
    box,
    projects:
      opts.projects ??
      projectsFromStore(store, box, opts.projectFile ? projectFromFile(opts.projectFile) : noProjects),
    publicUrl: opts.publicUrl ?? process.env.CUTOVER_PUBLIC_URL,
    check: opts.loginCheck,
    limits: opts.portalLimits,
  });
}
