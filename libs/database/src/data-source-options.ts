import type pg from 'pg';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';

export interface DataSourceInputs {
  url: string;
  poolSize: number;
  // TypeORM's own option types use Function for entity and migration classes.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  applicationName?: string;
}

/** The one place that turns Conveyor's settings into TypeORM's; used by the app, the CLI and tests. */
export function dataSourceOptions(inputs: DataSourceInputs): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url: inputs.url,
    entities: inputs.entities,
    migrations: inputs.migrations,
    migrationsTableName: 'conveyor_migrations',
    migrationsTransactionMode: 'each',
    // The schema belongs to the migrations, always.
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    poolSize: inputs.poolSize,
    applicationName: inputs.applicationName ?? 'conveyor',
    extra: {
      // Fail fast when the pool is exhausted instead of queueing requests forever.
      connectionTimeoutMillis: 10_000,
      // Every lease and schedule decision uses now(); timestamps come back as UTC either way, and
      // what the database turns into text itself (a callback's finishedAt) is in UTC. A SET, not
      // `-c TimeZone=UTC` in the startup packet, which PgBouncer before 1.20 refuses: PgBouncer
      // tracks TimeZone per client and sets it on each server connection it lends the client.
      onConnect: (client: pg.ClientBase) => client.query("SET TimeZone TO 'UTC'"),
    },
  };
}
