import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  dropDatabase,
  ensureDatabase,
  runMigrations,
  withDatabase,
} from '#conveyor/database';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS } from '#conveyor-schema';

export interface TestDatabase {
  readonly url: string;
  /** A plain client for raw SQL: setting up states and checking what the service wrote. */
  readonly client: pg.Client;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env['CONVEYOR_TEST_SERVER_URL'];
  if (url === undefined) throw new Error('CONVEYOR_TEST_SERVER_URL is unset: run the tests with `npm test`');
  return url;
}

/** A fresh database for one test file, built by the real migrations. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = serverUrl();
  const name = `conveyor_test_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(server, name);
  const url = withDatabase(server, name);
  const migrator = new DataSource(
    dataSourceOptions({ url, poolSize: 2, entities: CONVEYOR_ENTITIES, migrations: CONVEYOR_MIGRATIONS }),
  );
  await migrator.initialize();
  await runMigrations(migrator);
  await migrator.destroy();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    client,
    async drop() {
      await client.end();
      await dropDatabase(server, name);
    },
  };
}
