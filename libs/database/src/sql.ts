import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';

/** How Sql sends statements; DatabaseModule provides it from the configuration. */
export interface SqlOptions {
  /**
   * `prepared()` names its statements. False sends them unnamed (parsed at every call), for a
   * transaction pooler that cannot carry a name from one server connection to the next.
   */
  readonly namedStatements: boolean;
}

export const SQL_OPTIONS = Symbol('SQL_OPTIONS');

/**
 * Runs hand-written SQL on TypeORM's own connection pool (one pool, one size setting).
 * It talks to node-postgres directly: TypeORM's `query()` reshapes UPDATE results into
 * `[rows, count]`, which is easy to get wrong for `WITH ... UPDATE ... RETURNING`.
 */
@Injectable()
export class Sql {
  readonly pool: pg.Pool;

  constructor(
    dataSource: DataSource,
    @Inject(SQL_OPTIONS) private readonly options: SqlOptions,
  ) {
    // TypeORM types its driver pool as `any`; for PostgreSQL it is a pg.Pool.
    this.pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    // A connection the server ends as it is handed out (its FATAL in the same packet as its first
    // ReadyForQuery) emits 'error' before TypeORM's query runner has attached its listener, a few
    // microtasks later, and an unhandled 'error' event ends the process. So every new connection
    // has a listener from the start; the pool and the query runners still act on the error.
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
  }

  async rows<T extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<T[]> {
    const result = await this.pool.query<T>(text, values as unknown[]);
    return result.rows;
  }

  /**
   * The same in a transaction of its own that waits at most `lockTimeoutMs` for a row lock; past it
   * the statement fails with SQLSTATE 55P03 (lock_not_available) and changes nothing.
   */
  async rowsWithin<T extends pg.QueryResultRow>(
    lockTimeoutMs: number,
    text: string,
    values: readonly unknown[] = [],
  ): Promise<T[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
      const result = await client.query<T>(text, values as unknown[]);
      await client.query('COMMIT');
      return result.rows;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError as Error; // the connection is gone: the pool must not reuse it
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * The same, as a named prepared statement: each connection parses `text` once, then only binds
   * and runs it. For the hot statements (submit, claim, settle). `name` must always go with the
   * same text. Behind PgBouncer in transaction mode this needs its prepared-statement support
   * (1.21+, `max_prepared_statements`); without it (options.namedStatements off) the statement
   * goes unnamed, as rows() sends it.
   */
  async prepared<T extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: readonly unknown[],
  ): Promise<T[]> {
    if (!this.options.namedStatements) return this.rows<T>(text, values);
    const result = await this.pool.query<T>({ name, text, values: values as unknown[] });
    return result.rows;
  }
}
