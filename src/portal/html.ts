/** The portal's HTML: escaping, one page layout (no scripts, small inline CSS, readable on a phone), and its headers. */
import type { FastifyReply } from 'fastify';

import { esc } from '../html/escape.js';

export { esc };

const CSS = `body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:34rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:.25rem 0 .5rem}
section{background:#fff;border-radius:.5rem;padding:1rem 1.25rem;margin:0 0 1rem;box-shadow:0 1px 2px #0002}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=password],input[type=email],input[type=text]{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;border:1px solid #9aa3b2;border-radius:.35rem}
button,.button{display:inline-block;margin-top:1rem;font-size:1rem;padding:.65rem 1.2rem;border:0;border-radius:.35rem;background:#1f5fbf;color:#fff;text-decoration:none}
.error{background:#fdecea;border-left:4px solid #c62828;padding:.5rem .75rem;margin:.5rem 0}
.ok{background:#e8f5e9;border-left:4px solid #2e7d32;padding:.5rem .75rem;margin:.5rem 0}
.muted{color:#5b6577;font-size:.9rem}
code{background:#eef0f4;padding:0 .25rem;border-radius:.2rem}`;

/** A whole page around `body` (already escaped HTML). */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

/**
 * Send portal HTML with headers that keep the personal link private: no caching, no Referer (the token is in
 * the URL), no framing, no scripts at all.
 */
export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('x-robots-tag', 'noindex, nofollow')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .send(html);
}
