/** The pages a consent callback ends on: what happened and what to do next, in plain words. */
import type { OAuthOutcome } from '../services/oauth-service.js';
import { refusalPage } from './credential-page.js';
import { esc, page } from './html.js';

const TITLE = 'Your mailbox is moving';

/** Status and HTML for an outcome; `back` is the user's personal page when the link is still good. */
export function oauthResultPage(o: OAuthOutcome, back?: string): { status: number; html: string } {
  if (o.kind === 'link') return { status: o.why === 'unknown' ? 404 : 410, html: refusalPage(o.why) };
  const again = back
    ? ` <a href="${esc(back)}">Open your personal page</a> and press the sign-in button again.`
    : ' Open your personal link from the e-mail again and press the sign-in button again.';
  const fail = (status: number, text: string, next = again) => ({
    status,
    html: page(TITLE, `<section><p class="error" role="alert">${esc(text)}${next}</p></section>`),
  });
  switch (o.kind) {
    case 'stored':
      return {
        status: 200,
        html: page(
          TITLE,
          `<section><p class="ok" role="status">Thank you: you signed in as <strong>${esc(o.account)}</strong> and access to your ${o.side === 'source' ? 'current' : 'new'} mailbox was checked and saved securely. You can close this page.</p>${back ? `<p><a href="${esc(back)}">Back to your personal page</a></p>` : ''}</section>`,
        ),
      };
    case 'state':
      return fail(
        400,
        o.why === 'expired'
          ? 'This sign-in took too long (more than 10 minutes), so it was not accepted. Nothing was saved.'
          : o.why === 'used'
            ? 'This sign-in was already used once and cannot be used again. Nothing more was saved.'
            : 'This sign-in did not come from your personal link (it is incomplete or was changed). Nothing was saved.',
      );
    case 'denied':
      return fail(
        403,
        'You did not allow access, so nothing was saved. To move your mail we need that permission: choose Allow on the sign-in page.',
      );
    case 'provider-error':
      return fail(
        502,
        `The sign-in service refused to start the sign-in (${o.error}): the migration's set-up needs fixing. Nothing was saved. Please tell your IT contact.`,
        '',
      );
    case 'wrong-account':
      return fail(
        403,
        `You signed in as ${o.signedInAs}, but this link is for ${o.expected}. Nothing was saved. Sign out of ${o.signedInAs} (or use a private window) and sign in as ${o.expected}.`,
      );
    case 'no-mail-scope':
      return fail(
        403,
        'You signed in, but did not allow access to your mail, so nothing was saved. Leave the permission for your mail ticked on the sign-in page.',
      );
    case 'no-refresh-token':
      return fail(
        502,
        'The sign-in service did not grant lasting access (needed to copy your mail over several days). Nothing was saved.',
      );
    case 'exchange':
      return fail(
        502,
        'The sign-in service refused to complete the sign-in (the answer may have been used already or be too old). Nothing was saved.',
      );
    case 'refused':
      return fail(
        403,
        'You signed in, but your mailbox refused access with it (mail access may be turned off for your account). Nothing was saved. If this happens again, contact your IT contact.',
        '',
      );
    case 'unreachable':
      return fail(
        503,
        'The sign-in service or your mailbox could not be reached to finish the sign-in. Nothing was saved. Please try again in a few minutes.',
      );
  }
}
