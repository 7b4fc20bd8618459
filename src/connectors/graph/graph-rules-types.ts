/**
 * Microsoft Graph's inbox rule and automatic-reply shapes, the subset Cutover reads and writes
 * (messageRule, messageRulePredicates, messageRuleActions, sizeRange, automaticRepliesSetting,
 * dateTimeTimeZone in the v1.0 reference). Kept apart so the translators and the endpoint share one
 * description of the wire form.
 */

/** A recipient as Graph writes one. */
export interface GraphRecipient {
  emailAddress: { address: string; name?: string };
}

/** messageRulePredicates: conditions and exceptions (every predicate Graph documents may come back). */
export interface GraphPredicates {
  bodyContains?: string[];
  bodyOrSubjectContains?: string[];
  categories?: string[];
  fromAddresses?: GraphRecipient[];
  hasAttachments?: boolean;
  headerContains?: string[];
  importance?: string;
  messageActionFlag?: string;
  recipientContains?: string[];
  senderContains?: string[];
  sensitivity?: string;
  sentToAddresses?: GraphRecipient[];
  subjectContains?: string[];
  /** Kilobytes, both bounds inclusive. */
  withinSizeRange?: { minimumSize?: number; maximumSize?: number };
  /** isMeetingRequest, sentToMe, notSentToMe, … (booleans the neutral form has no words for). */
  [other: string]: unknown;
}

/** messageRuleActions. */
export interface GraphActions {
  assignCategories?: string[];
  copyToFolder?: string;
  delete?: boolean;
  forwardAsAttachmentTo?: GraphRecipient[];
  forwardTo?: GraphRecipient[];
  markAsRead?: boolean;
  markImportance?: string;
  moveToFolder?: string;
  permanentDelete?: boolean;
  /** A collection in the service; older documentation shows a single recipient. */
  redirectTo?: GraphRecipient[] | GraphRecipient;
  stopProcessingRules?: boolean;
  [other: string]: unknown;
}

/** A messageRule as listed. */
export interface GraphRule {
  id: string;
  displayName: string;
  sequence: number;
  isEnabled?: boolean;
  hasError?: boolean;
  isReadOnly?: boolean;
  conditions?: GraphPredicates;
  exceptions?: GraphPredicates;
  actions?: GraphActions;
}

/** The body of a messageRule create or update. */
export type GraphRuleBody = Omit<GraphRule, 'id' | 'hasError' | 'isReadOnly' | 'sequence'> & {
  sequence?: number;
};

/** dateTimeTimeZone: a wall-clock time and the zone it is in (Windows or IANA name). */
export interface GraphDateTime {
  dateTime: string;
  timeZone: string;
}

/** automaticRepliesSetting of mailboxSettings. */
export interface GraphAutoReplies {
  /** disabled, alwaysEnabled or scheduled (kept as a string: another value may come back). */
  status?: string;
  /** none, contactsOnly or all. */
  externalAudience?: string;
  internalReplyMessage?: string;
  externalReplyMessage?: string;
  scheduledStartDateTime?: GraphDateTime;
  scheduledEndDateTime?: GraphDateTime;
}

/** Exchange's largest size bound (an Int32 of kilobytes): a range with no upper bound is written with it. */
export const GRAPH_SIZE_UNBOUNDED_KB = 2_147_483_647;
