/** TypeBox schemas of the operator's communications routes. */
import { Type, type Static } from '@sinclair/typebox';
import { MESSAGE_KINDS } from '../notify/templates.js';
import { StringEnum } from './common.js';

export const KindParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: StringEnum(MESSAGE_KINDS),
});
export type KindParams = Static<typeof KindParams>;

export const TemplateBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 250 }),
    text: Type.String({
      minLength: 1,
      maxLength: 100_000,
      description: 'Plain-text body with {{placeholders}}',
    }),
    html: Type.String({ minLength: 1, maxLength: 200_000, description: 'HTML body; values are escaped' }),
  },
  { additionalProperties: false },
);
export type TemplateBody = Static<typeof TemplateBody>;

export const Template = Type.Object({
  kind: StringEnum(MESSAGE_KINDS),
  edited: Type.Boolean(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
});

export const Rendered = Type.Object({ subject: Type.String(), text: Type.String(), html: Type.String() });

export const TestSendBody = Type.Object(
  { kind: StringEnum(MESSAGE_KINDS), to: Type.String({ format: 'email', maxLength: 320 }) },
  { additionalProperties: false },
);
export type TestSendBody = Static<typeof TestSendBody>;

const Status = StringEnum(['pending', 'sent', 'failed', 'refused', 'uncertain']);

export const SendStatus = Type.Object({ status: Status });

export const CommsOverview = Type.Object({
  communications: StringEnum(['none', 'users', 'contact', 'operator']),
  smtpConfigured: Type.Boolean(),
  publicUrl: Type.Union([Type.String(), Type.Null()]),
  warnings: Type.Array(Type.String()),
  schedule: Type.Array(
    Type.Object({
      kind: StringEnum(MESSAGE_KINDS),
      event: Type.String(),
      from: Type.String({ format: 'date-time' }),
      until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
});

export const MessageItem = Type.Object({
  id: Type.Integer(),
  event: Type.String(),
  recipient: Type.String(),
  subject: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const LogItem = Type.Composite([
  MessageItem,
  Type.Object({
    mailbox: Type.Union([Type.String(), Type.Null()], {
      description: "The mailbox's source login; null for a project-wide message or a test",
    }),
  }),
]);

export const TickResult = Type.Object({
  sent: Type.Integer(),
  failed: Type.Integer(),
  attempts: Type.Array(
    Type.Object({
      mailboxId: Type.Integer(),
      event: Type.String(),
      status: StringEnum(['sent', 'failed', 'refused', 'uncertain']),
    }),
  ),
});
