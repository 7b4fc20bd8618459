/**
 * Schema migrations. Built as `migrations(dialect)` because Kysely migrations cannot see the dialect,
 * and the few column types that differ (auto-increment keys) must.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

/** All migrations, in order. */
export function migrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001_core': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('mailboxes')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('key', 'text', (c) => c.notNull().unique())
          .addColumn('source_user', 'text', (c) => c.notNull())
          .addColumn('dest_user', 'text', (c) => c.notNull())
          .addColumn('starred', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('idle'))
          .addColumn('source_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('source_messages', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('passes')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('copied', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('present', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('flags_synced', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('throttled_ms', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('error', 'text')
          .execute();
        await db.schema
          .createTable('folders')
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('folder_key', 'text', (c) => c.notNull())
          .addColumn('dest_path', 'text')
          .addColumn('uid_validity', 'text')
          .addColumn('uid_next', 'integer')
          .addColumn('highest_modseq', 'text')
          .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('dest_uid_validity', 'text')
          .addColumn('renamed', 'text')
          .addColumn('excluded', 'text')
          .addColumn('error', 'text')
          .addColumn('last_pass_id', 'integer')
          .addPrimaryKeyConstraint('folders_pk', ['mailbox_id', 'folder_key'])
          .execute();
        await db.schema
          .createTable('ledger')
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('folder_key', 'text', (c) => c.notNull())
          .addColumn('uid_validity', 'text', (c) => c.notNull())
          .addColumn('uid', 'integer', (c) => c.notNull())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('dest_uid', 'integer')
          .addColumn('flags', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('pass_id', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('ledger_pk', ['mailbox_id', 'folder_key', 'uid_validity', 'uid'])
          .execute();
        await db.schema
          .createIndex('ledger_status')
          .on('ledger')
          .columns(['mailbox_id', 'folder_key', 'status'])
          .execute();
      },
    },
    '0002_scans': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('scans')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('scan_mailboxes')
          .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('dest_error', 'text')
          .addColumn('quota_used', 'bigint')
          .addColumn('quota_limit', 'bigint')
          .addColumn('append_limit', 'bigint')
          .addColumn('duplicate_ids', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('finished_at', 'text')
          .addPrimaryKeyConstraint('scan_mailboxes_pk', ['scan_id', 'mailbox_id'])
          .execute();
        await db.schema
          .createTable('scan_folders')
          .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'integer', (c) => c.notNull())
          .addColumn('folder_key', 'text', (c) => c.notNull())
          .addColumn('dest_path', 'text')
          .addColumn('depth', 'integer', (c) => c.notNull())
          .addColumn('messages', 'integer', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('oldest', 'text')
          .addColumn('newest', 'text')
          .addColumn('oversize', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('no_message_id', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('duplicate_ids', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('name_problem', 'text')
          .addColumn('excluded', 'text')
          .addPrimaryKeyConstraint('scan_folders_pk', ['scan_id', 'mailbox_id', 'folder_key'])
          .execute();
      },
    },
    '0003_phase_runs': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('phase_runs')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('due_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('note', 'text')
          .execute();
      },
    },
    '0004_alerts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('alerts')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('mailbox_id', 'integer', (c) => c.references('mailboxes.id').onDelete('cascade'))
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'type']).execute();
      },
    },
    '0005_operators': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        // The API pages, sorts and filters mailboxes in SQL (25,000 rows and more).
        await db.schema.createIndex('mailboxes_source_user').on('mailboxes').column('source_user').execute();
        await db.schema
          .createIndex('mailboxes_source_bytes')
          .on('mailboxes')
          .column('source_bytes')
          .execute();
        await db.schema.createIndex('mailboxes_status').on('mailboxes').column('status').execute();
      },
    },
    '0006_projects': {
      async up(db: Kysely<unknown>) {
        const key = (c: ColumnDefinitionBuilder) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement();
        const project = (c: ColumnDefinitionBuilder) => c.references('projects.id').onDelete('cascade');
        // A project's settings as one JSON document (secrets inside sealed by the secret box).
        await db.schema
          .createTable('projects')
          .addColumn('id', 'integer', key)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.alterTable('mailboxes').addColumn('project_id', 'integer', project).execute();
        // Per-mailbox item types and date range (JSON); null: the project's defaults.
        await db.schema.alterTable('mailboxes').addColumn('options', 'text').execute();
        for (const col of ['source_user', 'status', 'source_bytes', 'starred'])
          await db.schema
            .createIndex(`mailboxes_project_${col}`)
            .on('mailboxes')
            .columns(['project_id', col])
            .execute();
        await db.schema.alterTable('alerts').addColumn('project_id', 'integer', project).execute();
        // "Archive every alert of this type for the project, now and in future."
        await db.schema
          .createTable('alert_rules')
          .addColumn('project_id', 'integer', (c) => project(c).notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('alert_rules_pk', ['project_id', 'type'])
          .execute();
        // Operator actions on alerts, with the statuses they replaced, so the last one can be undone.
        await db.schema
          .createTable('alert_actions')
          .addColumn('id', 'integer', key)
          .addColumn('project_id', 'integer', project)
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('changes', 'text', (c) => c.notNull())
          .addColumn('rule_type', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('undone_at', 'text')
          .execute();
        // "Email this alert to someone": the request is recorded whether or not it could be sent.
        await db.schema
          .createTable('alert_emails')
          .addColumn('id', 'integer', key)
          .addColumn('alert_id', 'integer', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('note', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0007_people': {
      async up(db: Kysely<unknown>) {
        const id = (c: ColumnDefinitionBuilder) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement();
        const mailbox = (c: ColumnDefinitionBuilder) =>
          c.notNull().references('mailboxes.id').onDelete('cascade');
        // Passwords handed over for a mailbox, sealed by the secret box (src/security/secret-box.ts).
        await db.schema
          .createTable('credentials')
          .addColumn('mailbox_id', 'integer', mailbox)
          .addColumn('side', 'text', (c) => c.notNull())
          .addColumn('sealed', 'text', (c) => c.notNull())
          .addColumn('entered_by', 'text', (c) => c.notNull())
          .addColumn('verified_at', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('credentials_pk', ['mailbox_id', 'side'])
          .execute();
        // Personal credential links: the token only as its SHA-256 hash.
        await db.schema
          .createTable('credential_links')
          .addColumn('id', 'integer', id)
          .addColumn('mailbox_id', 'integer', mailbox)
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema
          .createIndex('credential_links_mailbox')
          .on('credential_links')
          .column('mailbox_id')
          .execute();
        await db.schema
          .createTable('client_setups')
          .addColumn('mailbox_id', 'integer', mailbox)
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('first_at', 'text', (c) => c.notNull())
          .addColumn('last_at', 'text', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('client_setups_pk', ['mailbox_id', 'kind'])
          .execute();
        // Every message to people: intent recorded before sending, one row per (mailbox, event).
        await db.schema
          .createTable('messages')
          .addColumn('id', 'integer', id)
          .addColumn('mailbox_id', 'integer', (c) => c.references('mailboxes.id').onDelete('cascade'))
          .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('error', 'text')
          .addColumn('smtp_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('messages_mailbox')
          .on('messages')
          .columns(['mailbox_id', 'event'])
          .execute();
        await db.schema
          .createTable('message_templates')
          .addColumn('kind', 'text', (c) => c.primaryKey())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('html', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0007b_tracker_indexes': {
      // The tracker classifies every mailbox of a project (25,000 and more) by its passes, latest scan and
      // alerts: each of those looks up by mailbox.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex('passes_mailbox')
          .on('passes')
          .columns(['mailbox_id', 'status'])
          .execute();
        await db.schema
          .createIndex('scan_mailboxes_mailbox')
          .on('scan_mailboxes')
          .columns(['mailbox_id', 'scan_id'])
          .execute();
        await db.schema
          .createIndex('alerts_mailbox')
          .on('alerts')
          .columns(['mailbox_id', 'status'])
          .execute();
      },
    },
    '0008_dns_checks': {
      // The outcome of the last DNS readiness check per project and mail domain, so the tracker shows it
      // without live lookups on every request.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('dns_checks')
          .addColumn('project_id', 'integer', (c) =>
            c.notNull().references('projects.id').onDelete('cascade'),
          )
          .addColumn('domain', 'text', (c) => c.notNull())
          .addColumn('checked_at', 'text', (c) => c.notNull())
          .addColumn('ready', 'integer', (c) => c.notNull())
          .addColumn('missing', 'text')
          .addPrimaryKeyConstraint('dns_checks_pk', ['project_id', 'domain'])
          .execute();
      },
    },
    '0009_verifications': {
      // Each read-back of a mailbox's destination (`cutover verify`): the report says "reconciles" only
      // from the last one, and lists what it found.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('verifications')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('result', 'text', (c) => c.notNull())
          .addColumn('checked', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('missing', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('flags_differ', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('extra', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('altered', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('error', 'text')
          .addColumn('details', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('verifications_mailbox')
          .on('verifications')
          .columns(['mailbox_id', 'id'])
          .execute();
      },
    },
    '0010_edge_limits': {
      // Attempt counters (logins, the portal) and used OAuth states outlive a restart: a restart must not
      // hand a guesser a fresh allowance, nor make a used consent state valid again. Times are ms since the
      // epoch; the expiry indexes keep the clean-up a range delete however many client addresses are counted.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('rate_limits')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('rate_limits_expiry').on('rate_limits').column('expires_at').execute();
        await db.schema
          .createTable('used_nonces')
          .addColumn('nonce', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('used_nonces_expiry').on('used_nonces').column('expires_at').execute();
      },
    },
    '0011_scan_projects': {
      // A scan belongs to the project whose mailboxes it surveyed: two projects sharing a source login must
      // not see each other's figures. Older scans get the project when all their mailboxes belong to one;
      // scans of one-off CLI runs (no project) keep null.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('scans')
          .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
          .execute();
        await db.schema.createIndex('scans_project').on('scans').columns(['project_id', 'id']).execute();
        await sql`
          update scans set project_id = (
            select min(m.project_id) from scan_mailboxes s join mailboxes m on m.id = s.mailbox_id
            where s.scan_id = scans.id)
          where (
            select count(distinct m.project_id) from scan_mailboxes s join mailboxes m on m.id = s.mailbox_id
            where s.scan_id = scans.id) = 1`.execute(db);
      },
    },
    '0012_message_projects': {
      // The message log is per project: two projects' operators must not read (or count) each other's messages.
      // Older rows take their mailbox's project; test sends (no mailbox) take the only project, if there is one.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('messages')
          .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
          .execute();
        await db.schema
          .createIndex('messages_project')
          .on('messages')
          .columns(['project_id', 'id'])
          .execute();
        await sql`
          update messages set project_id = (select m.project_id from mailboxes m where m.id = messages.mailbox_id)
          where mailbox_id is not null`.execute(db);
        await sql`
          update messages set project_id = (select min(id) from projects)
          where mailbox_id is null and (select count(*) from projects) = 1`.execute(db);
      },
    },
    '0013_project_templates': {
      // Each project's edits of the message templates: editing one project's announcement must not change what
      // another project's users read. Edits made before are kept for every project; message_templates stays
      // for a project file run without a stored project.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('project_message_templates')
          .addColumn('project_id', 'integer', (c) =>
            c.notNull().references('projects.id').onDelete('cascade'),
          )
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('html', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('project_message_templates_pk', ['project_id', 'kind'])
          .execute();
        await sql`
          insert into project_message_templates (project_id, kind, subject, text, html, updated_at)
          select p.id, t.kind, t.subject, t.text, t.html, t.updated_at
          from projects p cross join message_templates t`.execute(db);
      },
    },
    '0014_item_ledger': {
      // The ledger of items that are not messages (filters today; contacts, calendars and tasks next): keyed by
      // strings (a script's name, a rule's name, an href), not by a folder's numeric UIDs.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('item_ledger')
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('item_type', 'text', (c) => c.notNull())
          .addColumn('collection', 'text', (c) => c.notNull())
          .addColumn('item_key', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('source_hash', 'text')
          .addColumn('dest_hash', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('original', 'text')
          .addColumn('dest_ref', 'text')
          .addColumn('state', 'text')
          .addColumn('pass_id', 'integer')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('item_ledger_pk', ['mailbox_id', 'item_type', 'collection', 'item_key'])
          .execute();
      },
    },
    '0015_scan_items': {
      // A scan counts what a mailbox moves besides mail: per item type (contacts, calendars, tasks, filters)
      // its collections and items, and why a type could not be read.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('scan_items')
          .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('item_type', 'text', (c) => c.notNull())
          .addColumn('collections', 'integer')
          .addColumn('items', 'integer', (c) => c.notNull())
          .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('problem', 'text')
          .addPrimaryKeyConstraint('scan_items_pk', ['scan_id', 'mailbox_id', 'item_type'])
          .execute();
      },
    },
    '0016x_uids_64bit': {
      // IMAP UIDs (and UIDNEXT) are unsigned 32-bit: up to 4294967295. SQLite's integer is 64-bit already;
      // PostgreSQL's is 32-bit signed and refused every UID above 2147483647 ("integer out of range").
      async up(db: Kysely<unknown>) {
        if (dialect !== 'postgres') return;
        for (const [table, column] of [
          ['ledger', 'uid'],
          ['ledger', 'dest_uid'],
          ['folders', 'uid_next'],
        ] as const)
          await db.schema
            .alterTable(table)
            .alterColumn(column, (c) => c.setDataType('bigint'))
            .execute();
      },
    },
    '0017_workers': {
      // Worker processes announce themselves (scale-out: `cutover worker` on PostgreSQL): where each runs, its
      // load and its last heartbeat, so the tracker can show them and a silent one is seen as gone.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('workers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('pid', 'integer', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('heartbeat_at', 'text', (c) => c.notNull())
          .addColumn('concurrency', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('running', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('stopped_at', 'text')
          .execute();
      },
    },
    '0018_cluster_limits': {
      // Limits every worker sharing one PostgreSQL store holds together (limits-schema.ts): allowances and
      // leases of connection slots and of Graph's per-mailbox concurrency, token buckets of a project's
      // message/byte rate, sliding windows of Graph's request and upload budgets, and sealed state kept for
      // connectors (Microsoft 365's token cache). SQLite migrates too; only PostgreSQL uses them.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('limit_allowances')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('max', 'integer', (c) => c.notNull())
          .addColumn('allowed', 'integer', (c) => c.notNull())
          .addColumn('changed_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('limit_leases')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('granted', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('limit_leases_key').on('limit_leases').column('key').execute();
        await db.schema.createIndex('limit_leases_holder').on('limit_leases').column('holder').execute();
        await db.schema
          .createTable('rate_buckets')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('messages', 'double precision', (c) => c.notNull())
          .addColumn('bytes', 'double precision', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('limit_windows')
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('bucket', 'bigint', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('amount', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('limit_windows_pk', ['key', 'bucket'])
          .execute();
        await db.schema
          .createTable('kv_secrets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0019_runs': {
      // A pass as data: which project, phase and mailboxes, and each mailbox's state, so that a worker in any
      // process can run a mailbox of it, the run's window is counted over every worker (a running mailbox
      // keeps a heartbeat; one whose worker died stops counting once it is stale), and a pause reaches all.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('runs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
          .addColumn('phase', 'text')
          .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .execute();
        await db.schema
          .createTable('run_mailboxes')
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'integer', (c) =>
            c.notNull().references('mailboxes.id').onDelete('cascade'),
          )
          .addColumn('source_user', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('worker', 'text')
          .addColumn('heartbeat_at', 'bigint')
          .addColumn('counters', 'text')
          .addColumn('error', 'text')
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addPrimaryKeyConstraint('run_mailboxes_pk', ['run_id', 'mailbox_id'])
          .execute();
        await db.schema
          .createIndex('run_mailboxes_state')
          .on('run_mailboxes')
          .columns(['run_id', 'state'])
          .execute();
      },
    },
    '0020l_limit_slots': {
      // Permits held as one row per (key, slot index), claimed with a unique key instead of under a lock on
      // the key's limit_allowances row, so workers taking slots of one server no longer queue behind one row
      // (store/limit-lease-repo.ts). limit_leases keeps only places in line. SQLite migrates too; only
      // PostgreSQL uses it.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('limit_slots')
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('slot', 'integer', (c) => c.notNull())
          .addColumn('lease', 'text', (c) => c.notNull())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('limit_slots_pk', ['key', 'slot'])
          .execute();
        await db.schema.createIndex('limit_slots_lease').on('limit_slots').column('lease').execute();
        await db.schema.createIndex('limit_slots_holder').on('limit_slots').column('holder').execute();
      },
    },
    '0020s_run_origin': {
      // Every pass on a shared store is a run row, including one a `serve` runs in its own process: where it
      // was started (shown when another server refuses a second pass), and for a pass run inside one process
      // a heartbeat, so a pass whose process died stops counting as running.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('runs').addColumn('origin', 'text').execute();
        await db.schema.alterTable('runs').addColumn('heartbeat_at', 'bigint').execute();
      },
    },
    '0020t_mailbox_pass_summary': {
      // What the tracker asks of each mailbox's passes and verifications, kept on the mailbox row
      // (store/pass-summary.ts keeps it current); filled here from the rows already there. The SQL is this
      // migration's own, as the columns were when it was written.
      async up(db: Kysely<unknown>) {
        const text = ['synced_at', 'last_pass_started_at', 'last_pass_status', 'last_pass_error'];
        for (const c of [...text, 'clean_pass_started_at', 'written_at'])
          await db.schema.alterTable('mailboxes').addColumn(c, 'text').execute();
        for (const c of ['last_pass_failed', 'verified_id'])
          await db.schema.alterTable('mailboxes').addColumn(c, 'integer').execute();
        await fillPassSummary0020(db);
      },
    },
  };
}

/**
 * Migration 0020t's filling of the mailboxes' pass summary from their passes and verifications, as the
 * columns were then (store/pass-summary.ts keeps them current since); exported for the store suite.
 */
export async function fillPassSummary0020(db: Kysely<unknown>): Promise<void> {
  const last = (col: string) =>
    sql`(select ${sql.ref(`p.${col}`)} from passes p where p.mailbox_id = mailboxes.id and p.dry_run = 0
        order by p.id desc limit 1)`;
  await sql`update mailboxes set
      synced_at = (select min(p.finished_at) from passes p where p.mailbox_id = mailboxes.id
        and p.dry_run = 0 and p.status = 'done'),
      last_pass_started_at = ${last('started_at')},
      last_pass_status = ${last('status')},
      last_pass_failed = ${last('failed')},
      last_pass_error = ${last('error')},
      clean_pass_started_at = (select max(p.started_at) from passes p where p.mailbox_id = mailboxes.id
        and p.dry_run = 0 and p.status = 'done' and p.failed = 0),
      written_at = (select max(case when p.status = 'running' or p.finished_at is null
          then '9999-12-31T23:59:59.999Z' else p.finished_at end)
        from passes p where p.mailbox_id = mailboxes.id and p.dry_run = 0
        and (p.copied > 0 or p.flags_synced > 0 or p.status in ('running', 'interrupted'))),
      verified_id = (select max(v.id) from verifications v where v.mailbox_id = mailboxes.id)`.execute(db);
}
