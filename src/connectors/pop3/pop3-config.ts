/** Names the POP3 server and mailbox in messages. */
import type { AuthSpec, ServerSpec } from '../../config/types.js';

/** "alice@example.com on pop3 old.example.com:995" — names the server and mailbox in every message. */
export function describe(server: ServerSpec, auth: AuthSpec): string {
  return `${auth.user} on pop3 ${server.host}:${server.port}`;
}
