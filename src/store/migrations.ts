/**
 * Schema migrations. Built as `migrations(dialect)` because Kysely migrations cannot see the dialect,
 * and the few column types that differ (auto-increment keys) must.
 */
import type { Kysely, Migration } from 'kysely';

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
  };
}
