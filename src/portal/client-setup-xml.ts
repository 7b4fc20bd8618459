/**
 * Thunderbird autoconfig (config-v1.1, wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat) and
 * Outlook POX autodiscover (MS-OXDSCLI, responseschema/2006a) documents for the new server.
 */
import type { ClientSettings, ServerEndpoint } from '../services/client-setup-service.js';
import { esc } from './html.js';

/** The autoconfig document for `address`'s domain; the username is the address (%EMAILADDRESS%). */
export function autoconfigXml(s: ClientSettings, domain: string): string {
  const server = (tag: string, type: string, e: ServerEndpoint) => `    <${tag} type="${type}">
      <hostname>${esc(e.host)}</hostname>
      <port>${e.port}</port>
      <socketType>${e.socket}</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </${tag}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${esc(domain)}">
    <domain>${esc(domain)}</domain>
    <displayName>${esc(s.displayName)}</displayName>
    <displayShortName>${esc(s.displayName)}</displayShortName>
${server('incomingServer', 'imap', s.imap)}
${server('outgoingServer', 'smtp', s.smtp)}
  </emailProvider>
</clientConfig>
`;
}

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** The e-mail address of a POX autodiscover request, or undefined when the body is not one. */
export function autodiscoverRequestAddress(body: string): string | undefined {
  const m = /<(?:\w+:)?EMailAddress>\s*([^<\s]+)\s*<\/(?:\w+:)?EMailAddress>/.exec(body);
  return m?.[1];
}

/** The settings answer for `address` (IMAP + SMTP, login = the address). */
export function autodiscoverXml(s: ClientSettings, address: string): string {
  const encryption = (e: ServerEndpoint) =>
    e.socket === 'SSL' ? 'SSL' : e.socket === 'STARTTLS' ? 'TLS' : 'None';
  const protocol = (type: string, e: ServerEndpoint, extra = '') => `      <Protocol>
        <Type>${type}</Type>
        <Server>${esc(e.host)}</Server>
        <Port>${e.port}</Port>
        <LoginName>${esc(address)}</LoginName>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <Encryption>${encryption(e)}</Encryption>
        <AuthRequired>on</AuthRequired>${extra}
      </Protocol>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response xmlns="${OUTLOOK_NS}">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
${protocol('IMAP', s.imap)}
${protocol('SMTP', s.smtp, '\n        <UsePOPAuth>off</UsePOPAuth>\n        <SMTPLast>off</SMTPLast>')}
    </Account>
  </Response>
</Autodiscover>
`;
}

/** The POX error answer (code 600 "Invalid Request", 603 for an address this server does not serve). */
export function autodiscoverError(code: 600 | 603, message: string): string {
  const time = new Date().toISOString().slice(11, 19);
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response>
    <Error Time="${time}" Id="1">
      <ErrorCode>${code}</ErrorCode>
      <Message>${esc(message)}</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
`;
}
