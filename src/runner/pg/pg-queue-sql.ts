/**
 * The statements the PostgreSQL queue runs itself on pg-boss's job table (pg-boss 10 has no lease renewal,
 * no fencing of a job's current run and no continuation that keeps a job's place). A run of a job is
 * fenced by its `started_on`, which each fetch sets anew: a worker whose lease was lost (the job expired and
 * another worker fetched it) can no longer renew, complete, fail or continue it.
 */

import { InvalidInputError } from '../../errors.js';

/** A schema name safe to put into SQL text (it is an identifier, not a value). */
export function checkSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new InvalidInputError(
      `"${schema}" is not a usable schema name for the job queue.`,
      'Use lower-case letters, digits and _ (at most 63), starting with a letter or _.',
    );
  return schema;
}

/**
 * While a job with a singleton key is queued or running, no other with that key (and name) goes in:
 * pg-boss's policies only guard one state at a time, so this partial unique index does it for all of them.
 * pg-boss's inserts say ON CONFLICT DO NOTHING, so a second send returns null. On the partitioned parent,
 * it reaches every queue's partition, present and future.
 */
const singletonIndex = (s: string) => `
  BEGIN;
  SELECT pg_advisory_xact_lock(hashtext(current_database() || '.cutover-queue.${s}'));
  CREATE UNIQUE INDEX IF NOT EXISTS cutover_singleton ON ${s}.job (name, singleton_key)
    WHERE state < 'completed' AND singleton_key IS NOT NULL;
  COMMIT;`;

/**
 * Creating pg-boss queues one at a time: two processes creating the same queue at once (pg-boss's
 * create_queue: a row, a partition, ATTACH PARTITION) can deadlock each other.
 */
const lockSetup = (s: string) =>
  `SELECT pg_advisory_lock(hashtext(current_database() || '.cutover-queue-setup.${s}'))`;
const unlockSetup = (s: string) =>
  `SELECT pg_advisory_unlock(hashtext(current_database() || '.cutover-queue-setup.${s}'))`;

/** Take the next due job of a name ($1), in the order queued, with a lease of $2 seconds. */
const fetchNext = (s: string) => `
  WITH next AS (
    SELECT id FROM ${s}.job
    WHERE name = $1 AND state < 'active' AND start_after <= now()
    ORDER BY priority DESC, created_on, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE ${s}.job j SET
    state = 'active',
    started_on = now(),
    retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END,
    expire_in = $2::float8 * interval '1 second'
  FROM next
  WHERE j.name = $1 AND j.id = next.id
  RETURNING j.id, j.data, j.singleton_key, j.started_on::text AS token`;

/** Renew the leases of runs ($1 names, $2 ids, $3 tokens) to $4 seconds from now; the ids still held. */
const renew = (s: string) => `
  UPDATE ${s}.job j SET expire_in = (now() - j.started_on) + $4::float8 * interval '1 second'
  FROM unnest($1::text[], $2::uuid[], $3::timestamptz[]) AS l(name, id, token)
  WHERE j.name = l.name AND j.id = l.id AND j.state = 'active' AND j.started_on = l.token
  RETURNING j.id`;

const ours = `name = $1 AND id = $2 AND state = 'active' AND started_on = $3::timestamptz`;

/** The run ($1 name, $2 id, $3 token) is done. */
const complete = (s: string) => `
  UPDATE ${s}.job SET state = 'completed', completed_on = now() WHERE ${ours}`;

/** The run's handler threw (a bug): failed with its error ($4), never retried. */
const fail = (s: string) => `
  UPDATE ${s}.job SET state = 'failed', completed_on = now(), output = $4::jsonb WHERE ${ours}`;

/** The worker stops: the job goes back as it was, due now, and its hand-back is not counted as a takeover. */
const handBack = (s: string) => `
  UPDATE ${s}.job SET state = 'created', started_on = NULL, start_after = now() WHERE ${ours}`;

/**
 * The run ends and its continuation (data $4, not before $5, lease $6 seconds) is queued in the same
 * statement: same name, singleton key and place in the order (created_on). The new row's id.
 */
const continueWith = (s: string) => `
  WITH done AS (
    UPDATE ${s}.job SET state = 'completed', completed_on = now() WHERE ${ours}
    RETURNING *
  )
  INSERT INTO ${s}.job (name, priority, data, start_after, singleton_key, expire_in, created_on, keep_until,
    retry_limit, retry_delay, retry_backoff, dead_letter, policy)
  SELECT name, priority, $4::jsonb, $5::timestamptz, singleton_key, $6::float8 * interval '1 second',
    created_on, $5::timestamptz + (keep_until - start_after), retry_limit, retry_delay, retry_backoff,
    dead_letter, policy
  FROM done
  RETURNING id`;

/** Jobs queued or running ($1: only those with this singleton key, when not null). */
const openJobs = (s: string) => `
  SELECT id, name, data, singleton_key FROM ${s}.job
  WHERE state < 'completed' AND ($1::text IS NULL OR singleton_key = $1)`;

/** Cancel jobs ($1 names, $2 ids) that are still queued or running; the ids cancelled. */
const cancel = (s: string) => `
  UPDATE ${s}.job j SET state = 'cancelled', completed_on = now()
  FROM unnest($1::text[], $2::uuid[]) AS l(name, id)
  WHERE j.name = l.name AND j.id = l.id AND j.state < 'completed'
  RETURNING j.id`;

/** Every statement, for one schema. */
export function statements(schema: string) {
  const s = checkSchema(schema);
  return {
    singletonIndex: singletonIndex(s),
    lockSetup: lockSetup(s),
    unlockSetup: unlockSetup(s),
    fetchNext: fetchNext(s),
    renew: renew(s),
    complete: complete(s),
    fail: fail(s),
    handBack: handBack(s),
    continueWith: continueWith(s),
    openJobs: openJobs(s),
    cancel: cancel(s),
  };
}

export type Statements = ReturnType<typeof statements>;
