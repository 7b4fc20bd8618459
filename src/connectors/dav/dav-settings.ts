/**
 * The CalDAV/CardDAV settings block (`dav:` in ServerSpec): where on the server discovery starts. The
 * one-off URL's path lands here (dav://USER:PASS@HOST:PORT/PATH); project files do not name it yet.
 */

/** CalDAV/CardDAV settings. */
export interface DavSettings {
  /** The URL's path, percent-encoded as written: the server root, a principal or a home ('/' = the root). */
  path: string;
}
