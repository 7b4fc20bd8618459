/** The personal credential page and the portal's refusal pages, as HTML. Shows only the link's own mailbox. */
import type { SideOutcome } from '../services/credential-service.js';
import type { CredentialSide } from '../store/credential-repo.js';
import { esc, page } from './html.js';

export interface CredentialPageModel {
  projectName: string;
  sourceUser: string;
  destUser: string;
  required: CredentialSide[];
  verified: CredentialSide[];
  /** The result of the form just posted. */
  outcomes?: SideOutcome[];
  formToken: string;
  /** Where the form posts (the link's own path). */
  action: string;
  /** The Apple profile download for this mailbox. */
  profileUrl: string;
  /** The visitor's device is an iPhone, iPad or Mac (from the User-Agent): offer the profile first. */
  apple: boolean;
  /** An operator (signed in) is entering the password for the user. */
  operator: boolean;
  /** Sides signed in through the provider's consent page instead of a password ("Sign in with Google"). */
  oauth?: Partial<Record<CredentialSide, { label: string; href: string }>>;
}

const LABEL: Record<CredentialSide, (m: CredentialPageModel) => string> = {
  source: (m) => `Password of your current mailbox (${m.sourceUser})`,
  destination: (m) => `Password of your new mailbox (${m.destUser})`,
};

function outcomeHtml(o: SideOutcome, m: CredentialPageModel): string {
  const which = o.side === 'source' ? 'current' : 'new';
  if (o.status === 'stored')
    return `<p class="ok" role="status">Thank you: the password of your ${which} mailbox is correct and has been saved securely.</p>`;
  return `<p class="error" role="alert">${esc(LABEL[o.side](m).replace(/^Password/, 'The password'))}: ${esc(o.message)}</p>`;
}

/** The form page. */
export function credentialPage(m: CredentialPageModel): string {
  const missing = m.required.filter((s) => !m.verified.includes(s));
  const intro = m.operator
    ? `<p class="muted">You are signed in as an operator: what you enter here is saved for ${esc(m.sourceUser)}.</p>`
    : '';
  const status =
    m.required.length === 0
      ? '<p>Nothing is needed from you: your mailbox is moved without your password.</p>'
      : missing.length === 0
        ? '<p class="ok">We have everything we need. If you change your password before the move, enter the new one here.</p>'
        : missing.every((s) => m.oauth?.[s])
          ? `<p>Your mailbox <strong>${esc(m.sourceUser)}</strong> is moving to a new mail system${m.projectName ? ` (${esc(m.projectName)})` : ''}. To move your mail, sign in below and allow access to it. The access is checked right away, stored encrypted, and used only to copy your mail.</p>`
          : `<p>Your mailbox <strong>${esc(m.sourceUser)}</strong> is moving to a new mail system${m.projectName ? ` (${esc(m.projectName)})` : ''}. To move your mail, we need the password below. It is checked with your mail server right away, stored encrypted, and used only to copy your mail.</p>`;
  const oauthSides = m.required.filter((s) => m.oauth?.[s]);
  const signIn = oauthSides
    .map(
      (side) =>
        `<p>${esc(LABEL[side](m).replace(/^Password of/, 'Access to'))}${m.verified.includes(side) ? ' <span class="muted">(saved)</span>' : ''}<br><a class="button" href="${esc(m.oauth![side]!.href)}">${esc(m.oauth![side]!.label)}</a></p>`,
    )
    .join('\n');
  const passwordSides = m.required.filter((s) => !m.oauth?.[s]);
  const fields = passwordSides
    .map(
      (
        side,
      ) => `<label for="${side}">${esc(LABEL[side](m))}${m.verified.includes(side) ? ' <span class="muted">(saved)</span>' : ''}</label>
<input type="password" id="${side}" name="${side}" autocomplete="${side === 'source' ? 'current-password' : 'new-password'}" maxlength="1024"${missing.includes(side) ? ' required' : ''}>`,
    )
    .join('\n');
  const form = passwordSides.length
    ? `<form method="post" action="${esc(m.action)}">
<input type="hidden" name="form" value="${esc(m.formToken)}">
${fields}
<button type="submit">Check and save</button>
</form>`
    : '';
  const setup = `<section><h2>Your phone and computer</h2>
${m.apple ? `<p><a class="button" href="${esc(m.profileUrl)}">Set up Mail on this ${'iPhone, iPad or Mac'}</a></p>` : ''}
<p>Thunderbird and Outlook find the new settings by themselves after the move: add the account with your address and password.</p>
${m.apple ? '' : `<p class="muted">On an iPhone, iPad or Mac: <a href="${esc(m.profileUrl)}">download the set-up profile</a>.</p>`}
</section>`;
  return page(
    'Your mailbox is moving',
    `${intro}<section>${(m.outcomes ?? []).map((o) => outcomeHtml(o, m)).join('\n')}
${status}
${signIn}
${form}
</section>
${setup}`,
  );
}

/** Why a link cannot be used, in plain words (the same page for unknown and tampered links). */
export function refusalPage(
  why: 'unknown' | 'expired' | 'revoked' | 'form' | 'limited',
  retryAfterS?: number,
): string {
  const text: Record<typeof why, string> = {
    unknown:
      'This link is not valid. Check that you opened the whole link from your e-mail, or ask your IT contact for a new one.',
    expired: 'This link has expired. Ask your IT contact for a new one.',
    revoked: 'This link has been replaced by a newer one. Use the link from the most recent e-mail.',
    form: 'This form has expired or did not come from your personal link. Open your link again and retry.',
    limited: `Too many attempts. For your security, wait ${Math.max(1, Math.ceil((retryAfterS ?? 60) / 60))} minute(s) and try again.`,
  };
  return page(
    'Your mailbox is moving',
    `<section><p class="error" role="alert">${esc(text[why])}</p></section>`,
  );
}
