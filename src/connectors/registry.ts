/** The table of connectors by kind. The only place that names concrete systems. */
import type { Connector, ConnectorContext } from './contract.js';
import { GmailConnector } from './gmail/gmail-connector.js';
import { GraphConnector } from './graph/graph-connector.js';
import { ImapConnector } from './imap/imap-connector.js';
import { Pop3Connector } from './pop3/pop3-connector.js';

const connectors: Record<string, (context: ConnectorContext) => Connector> = {
  imap: () => new ImapConnector(),
  pop3: () => new Pop3Connector(),
  gmail: () => new GmailConnector(),
  graph: (context) => new GraphConnector(context),
};

/** The connector for a server kind, given what the application hands it (see ConnectorContext). */
export function connectorFor(kind: string, context: ConnectorContext = {}): Connector {
  const make = connectors[kind];
  if (!make) throw new Error(`No connector for "${kind}". Supported: ${Object.keys(connectors).join(', ')}.`);
  return make(context);
}
