/**
 * WebDAV XML for the CalDAV/CardDAV connector: multistatus answers read with @xmldom/xmldom — every
 * <response>, with its own status, each propstat's status, its <error> conditions and the server's
 * <responsedescription> — and request bodies built with escaping. The carriage returns inside calendar and
 * address data are kept: XML parsers turn CRLF into LF (XML 1.0 §2.11), so they are protected as character
 * references before parsing and an item read from a REPORT has the bytes the server sent.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { ErrorCode, TransientError } from '../../errors.js';

/** Namespaces, by the prefix every request body of this connector uses. */
export const NS = {
  d: 'DAV:',
  c: 'urn:ietf:params:xml:ns:caldav',
  a: 'urn:ietf:params:xml:ns:carddav',
  i: 'http://apple.com/ns/ical/',
  cs: 'http://calendarserver.org/ns/',
} as const;

/** The xmlns declarations of NS, for a request's root element. */
export const XMLNS = Object.entries(NS)
  .map(([p, uri]) => `xmlns:${p}="${uri}"`)
  .join(' ');

/** Text for an XML element or attribute, escaped. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One propstat of a response: its status and the property elements it holds. */
export interface DavPropstat {
  status: number;
  props: Element[];
}

/** One <response> of a multistatus answer. */
export interface DavResponse {
  /** The href as the server wrote it (a path or an absolute URL, percent-encoded). */
  href: string;
  /** The response-level status (RFC 4918 §14.24), absent when the response has propstats instead. */
  status?: number;
  propstats: DavPropstat[];
  /** Local names of the <error> conditions (e.g. no-uid-conflict). */
  errors: string[];
  description?: string;
}

/** A multistatus answer: every response, and the sync-token where the server sent one (RFC 6578). */
export interface Multistatus {
  responses: DavResponse[];
  syncToken?: string;
}

/** Parse an XML document; a body that is not XML is a protocol error (the server's answer was cut or wrong). */
export function parseXml(text: string, where: string): Element {
  let failure: string | undefined;
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') failure ??= message;
    },
  });
  let root: Element | null = null;
  try {
    root = parser.parseFromString(keepCarriageReturns(text), 'application/xml').documentElement;
  } catch (err) {
    failure ??= (err as Error).message;
  }
  if (!root || failure)
    throw new TransientError(
      ErrorCode.ProtocolError,
      `${where}: the server's answer is not valid XML (${failure ?? 'no root element'}).`,
      'Cutover retries on its own; if this persists, the server or a proxy in front of it mangles DAV answers.',
    );
  return root;
}

/** Read a multistatus body: every response, none skipped. */
export function parseMultistatus(text: string, where: string): Multistatus {
  const root = parseXml(text, where);
  if (root.namespaceURI !== NS.d || root.localName !== 'multistatus')
    throw new TransientError(
      ErrorCode.ProtocolError,
      `${where}: expected a DAV multistatus answer, got <${root.tagName}>.`,
      'Check that the URL points at a CalDAV/CardDAV server.',
    );
  const responses = children(root, NS.d, 'response').map(readResponse);
  const token = children(root, NS.d, 'sync-token')[0];
  return { responses, syncToken: token ? text_(token) : undefined };
}

function readResponse(r: Element): DavResponse {
  const status = children(r, NS.d, 'status')[0];
  const error = children(r, NS.d, 'error')[0];
  const description = children(r, NS.d, 'responsedescription')[0];
  return {
    href: text_(children(r, NS.d, 'href')[0]),
    status: status ? statusCode(text_(status)) : undefined,
    propstats: children(r, NS.d, 'propstat').map((ps) => ({
      status: statusCode(text_(children(ps, NS.d, 'status')[0])),
      props: children(children(ps, NS.d, 'prop')[0], undefined, undefined),
    })),
    errors: error ? children(error, undefined, undefined).map((e) => e.localName ?? e.tagName) : [],
    description: description ? text_(description) : undefined,
  };
}

/** "HTTP/1.1 404 Not Found" → 404 (0 when unreadable). */
export function statusCode(line: string): number {
  return Number(/^\s*HTTP\/[\d.]+\s+(\d{3})/i.exec(line)?.[1] ?? 0);
}

/** The property `ns`:`name` of a response where its propstat says 200, else undefined. */
export function prop(r: DavResponse, ns: string, name: string): Element | undefined {
  for (const ps of r.propstats) {
    if (ps.status < 200 || ps.status > 299) continue;
    const found = ps.props.find((p) => p.namespaceURI === ns && p.localName === name);
    if (found) return found;
  }
  return undefined;
}

/** The text of a property that is 200, trimmed; undefined when absent or empty. */
export function propText(r: DavResponse, ns: string, name: string): string | undefined {
  const el = prop(r, ns, name);
  const t = el ? text_(el).trim() : '';
  return t === '' ? undefined : t;
}

/** The text of a property that is 200, exactly as sent (calendar-data, address-data). */
export function propRaw(r: DavResponse, ns: string, name: string): string | undefined {
  const el = prop(r, ns, name);
  return el ? text_(el) : undefined;
}

/** The first <href> inside a property (current-user-principal, calendar-home-set, owner). */
export function propHref(r: DavResponse, ns: string, name: string): string | undefined {
  const el = prop(r, ns, name);
  const href = el ? children(el, NS.d, 'href')[0] : undefined;
  const t = href ? text_(href).trim() : '';
  return t === '' ? undefined : t;
}

/** Element children of `el`, optionally only `ns`:`name`. */
export function children(
  el: Element | undefined,
  ns: string | undefined,
  name: string | undefined,
): Element[] {
  const out: Element[] = [];
  if (!el) return out;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (ns !== undefined && (e.namespaceURI !== ns || e.localName !== name)) continue;
    out.push(e);
  }
  return out;
}

function text_(el: Element | undefined): string {
  return el?.textContent ?? '';
}

/**
 * Protect every CR outside markup as &#13; (inside CDATA, by closing and reopening the section), so the
 * parser's end-of-line normalisation does not turn an item's CRLF into LF.
 */
function keepCarriageReturns(xml: string): string {
  if (!xml.includes('\r')) return xml;
  let out = '';
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    out += xml.slice(i, textEnd).replace(/\r/g, '&#13;');
    if (lt < 0) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      const stop = end < 0 ? xml.length : end + 3;
      out += xml.slice(lt, stop).replace(/\r/g, ']]>&#13;<![CDATA[');
      i = stop;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      const stop = end < 0 ? xml.length : end + 3;
      out += xml.slice(lt, stop);
      i = stop;
    } else {
      const gt = xml.indexOf('>', lt);
      const stop = gt < 0 ? xml.length : gt + 1;
      out += xml.slice(lt, stop);
      i = stop;
    }
  }
  return out;
}
