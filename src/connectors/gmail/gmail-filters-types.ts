/**
 * The Gmail settings resources Cutover reads and writes for filters, the vacation responder and signatures
 * (users.settings.filters, VacationSettings, users.settings.sendAs, users.settings.forwardingAddresses in
 * the Gmail API reference), the subset it uses.
 */

/** Filter.criteria: every field set must match. */
export interface GmailCriteria {
  from?: string;
  to?: string;
  subject?: string;
  /** Gmail search syntax that must match. */
  query?: string;
  /** Gmail search syntax that must not match. */
  negatedQuery?: string;
  hasAttachment?: boolean;
  excludeChats?: boolean;
  /** Bytes, with sizeComparison. */
  size?: number;
  sizeComparison?: 'unspecified' | 'smaller' | 'larger';
}

/** Filter.action. */
export interface GmailFilterAction {
  addLabelIds?: string[];
  removeLabelIds?: string[];
  /** An address from the user's verified forwarding addresses. */
  forward?: string;
}

/** A filter as filters.list returns it. */
export interface GmailFilter {
  id?: string;
  criteria?: GmailCriteria;
  action?: GmailFilterAction;
}

/** VacationSettings (times are epoch milliseconds, as strings on the wire). */
export interface GmailVacation {
  enableAutoReply?: boolean;
  responseSubject?: string;
  responseBodyPlainText?: string;
  responseBodyHtml?: string;
  restrictToContacts?: boolean;
  restrictToDomain?: boolean;
  startTime?: string;
  endTime?: string;
}

/** A send-as address. */
export interface GmailSendAs {
  sendAsEmail: string;
  displayName?: string;
  signature?: string;
  isPrimary?: boolean;
  isDefault?: boolean;
  verificationStatus?: string;
}
