/**
 * Public client set-up endpoints mail programs query by themselves: Thunderbird autoconfig (both the
 * well-known path and the `autoconfig.<domain>` host's /mail path) and Outlook POX autodiscover.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { clientSettings, servesAddress } from '../services/client-setup-service.js';
import {
  autoconfigXml,
  autodiscoverError,
  autodiscoverRequestAddress,
  autodiscoverXml,
} from './client-setup-xml.js';
import type { ProjectSource } from './portal-deps.js';

const XML = 'application/xml; charset=utf-8';

export async function clientSetupRoutes(app: FastifyInstance, opts: { projects: ProjectSource }) {
  app.addContentTypeParser(
    ['text/xml', 'application/xml'],
    { parseAs: 'string', bodyLimit: 16384 },
    (_r, body, done) => done(null, body),
  );

  /** The domain asked about: ?emailaddress=, else the Host header without `autoconfig.`. */
  function domainOf(email: string | undefined, host: string | undefined): string | undefined {
    if (email) return email.includes('@') ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : undefined;
    const h = (host ?? '').replace(/:\d+$/, '').toLowerCase();
    return h.startsWith('autoconfig.') ? h.slice('autoconfig.'.length) : undefined;
  }

  const autoconfig = async (
    req: { query: { emailaddress?: string }; headers: { host?: string } },
    reply: FastifyReply,
  ) => {
    const domain = domainOf(req.query.emailaddress, req.headers.host);
    const project = domain && (await opts.projects.forDomain(domain));
    if (!domain || !project)
      return reply
        .code(404)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('No mail settings for this domain.\n');
    return reply
      .header('content-type', XML)
      .header('cache-control', 'max-age=3600')
      .send(autoconfigXml(clientSettings(project), domain));
  };
  const query = { schema: { hide: true } };
  app.get<{ Querystring: { emailaddress?: string } }>(
    '/.well-known/autoconfig/mail/config-v1.1.xml',
    query,
    autoconfig,
  );
  app.get<{ Querystring: { emailaddress?: string } }>('/mail/config-v1.1.xml', query, autoconfig);

  const autodiscover = async (req: { body: unknown }, reply: FastifyReply) => {
    const address = typeof req.body === 'string' ? autodiscoverRequestAddress(req.body) : undefined;
    void reply.header('content-type', XML);
    if (!address) return reply.send(autodiscoverError(600, 'Invalid Request'));
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const project = await opts.projects.forDomain(domain);
    if (!project || !servesAddress(address, clientSettings(project)))
      return reply.send(autodiscoverError(603, 'The e-mail address is not served here.'));
    return reply.send(autodiscoverXml(clientSettings(project), address));
  };
  // Outlook asks for both spellings.
  for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml'])
    app.post(path, query, autodiscover);
}
