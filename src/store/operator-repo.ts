/** Operators (users of the web UI and HTTP API) and their sessions. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface UserRow {
  id: number;
  name: string;
  passwordHash: string;
}

export interface SessionRow {
  userId: number;
  user: string;
  csrfToken: string;
  expiresAt: string;
}

export class OperatorRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async countUsers(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Create the first user; returns undefined when a user already exists (checked in one transaction). */
  async createFirstUser(name: string, passwordHash: string): Promise<number | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(r.n) > 0) return undefined;
      const row = await tx
        .insertInto('users')
        .values({ name, password_hash: passwordHash, created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    });
  }

  async findUser(name: string): Promise<UserRow | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return r && { id: Number(r.id), name: r.name, passwordHash: r.password_hash };
  }

  async createSession(s: {
    tokenHash: string;
    userId: number;
    csrfToken: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: s.tokenHash,
        user_id: s.userId,
        csrf_token: s.csrfToken,
        created_at: new Date().toISOString(),
        expires_at: s.expiresAt.toISOString(),
      })
      .execute();
  }

  /** The live session with this token hash (expired ones are not returned). */
  async findSession(tokenHash: string, now = new Date()): Promise<SessionRow | undefined> {
    const r = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.user_id', 'users.name', 'sessions.csrf_token', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return r && { userId: Number(r.user_id), user: r.name, csrfToken: r.csrf_token, expiresAt: r.expires_at };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async deleteExpiredSessions(now = new Date()): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
  }
}
