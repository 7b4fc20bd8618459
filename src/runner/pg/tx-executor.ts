/**
 * Enqueueing inside a caller's transaction: pg-boss sends through any object with `executeSql`, so a Kysely
 * transaction of the PostgreSQL store serves as one (`CompiledQuery.raw` + `executeQuery`). The job row then
 * commits, or rolls back, with the state it depends on (a run's rows and its jobs together).
 */
import { CompiledQuery, type QueryResult } from 'kysely';

/** An open transaction to run SQL in (a Kysely `Transaction` of the store is one). */
export interface SqlExecutor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** pg-boss's database adapter over `tx`. */
export function bossDb(tx: SqlExecutor): {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
} {
  return {
    async executeSql(text, values = []) {
      const r = await tx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: [...r.rows] };
    },
  };
}
