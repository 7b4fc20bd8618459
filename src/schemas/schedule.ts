/** TypeBox schemas of a project's throttling schedule (windows by weekday and time, project time zone). */
import { Type, type Static } from '@sinclair/typebox';
import { Window } from './projects.js';

export const ScheduleBody = Type.Object(
  {
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone' })),
    windows: Type.Array(Window, {
      maxItems: 100,
      description: 'First match wins; outside every window: concurrency.mailboxes',
    }),
    concurrency: Type.Optional(
      Type.Object(
        {
          mailboxes: Type.Integer({ minimum: 1, maximum: 1000 }),
          foldersPerMailbox: Type.Integer({ minimum: 1, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ScheduleBody = Static<typeof ScheduleBody>;

export const Schedule = Type.Object({
  timezone: Type.String(),
  windows: Type.Array(Window),
  concurrency: Type.Object({ mailboxes: Type.Integer(), foldersPerMailbox: Type.Integer() }),
  concurrencyNow: Type.Integer({
    description: 'Mailboxes at once allowed right now (0: paused by a window)',
  }),
});
export type Schedule = Static<typeof Schedule>;
